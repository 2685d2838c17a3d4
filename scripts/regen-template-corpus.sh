#!/usr/bin/env bash
# Regenerates the differential-test corpus of Tend.Templates: writes the cases
# (hand-written + seeded random) and the Go oracle's expected output for each.
# Usage: scripts/regen-template-corpus.sh [GENERATED_COUNT]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
corpus="$root/tests/Tend.Templates.Tests/Corpus"
if [ -n "${TEND_GOTMPL_ORACLE:-}" ]; then
  oracle=$TEND_GOTMPL_ORACLE
else
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  oracle=$tmp/gotmpl-oracle
fi
if [ ! -x "$oracle" ]; then
  "${TEND_SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/shared}/tools/gotmpl-oracle/build.sh" "$oracle" >/dev/null
fi
python3 "$root/scripts/gen-template-corpus.py" "${1:-700}" "$corpus/cases.jsonl"
"$oracle" -cases "$corpus/cases.jsonl" > "$corpus/expected.jsonl"
echo "cases: $(wc -l < "$corpus/cases.jsonl")  expected: $(wc -l < "$corpus/expected.jsonl")"
