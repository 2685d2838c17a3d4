#!/usr/bin/env bash
# Compares Tend.Templates with Go's text/template on the same inputs.
# Usage: scripts/bench-templates.sh [ROUNDS]   (alternates Go and .NET runs so both see the same machine load)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-5}
work=$(mktemp -d)
dotnet build -c Release "$root/bench/Tend.Templates.Bench" >/dev/null
bench="dotnet $root/bench/Tend.Templates.Bench/bin/Release/net10.0/Tend.Templates.Bench.dll"
$bench --write-inputs "$work/in" >/dev/null
"${TEND_SHARED:-$root/../shared}/tools/gotmpl-oracle/build.sh" "$work/gotmpl-oracle" >/dev/null
mkdir -p "$work/goparse" && cp "$root/bench/goparse/main.go" "$work/goparse/" && printf 'module goparse\n\ngo 1.19\n' > "$work/goparse/go.mod"
(cd "$work/goparse" && GOFLAGS=-mod=mod GOPROXY=off go build -o "$work/goparse-bin" .)
for t in nagios nested; do
  $bench --render "$work/in/$t.tmpl" "$work/in/$t.json" > "$work/$t.net"
  "$work/gotmpl-oracle" -t "$work/in/$t.tmpl" -d "$work/in/$t.json" > "$work/$t.go"
  cmp -s "$work/$t.net" "$work/$t.go" && echo "$t: output identical to Go ($(wc -c < "$work/$t.go") bytes)" || { echo "$t: OUTPUT DIFFERS"; exit 1; }
done
for r in $(seq 1 "$rounds"); do
  echo "round $r"
  echo "  go nagios: $("$work/gotmpl-oracle" -t "$work/in/nagios.tmpl" -d "$work/in/nagios.json" -bench 100)"
  echo "  go nested: $("$work/gotmpl-oracle" -t "$work/in/nested.tmpl" -d "$work/in/nested.json" -bench 2000)"
  echo "  go parse:  $("$work/goparse-bin" -t "$work/in/long.tmpl" -n 2000)"
  $bench --quick | sed 's/^/  net /'
done
rm -rf "$work"
