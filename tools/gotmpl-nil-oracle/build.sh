#!/usr/bin/env bash
# Builds gotmpl-nil-oracle offline with Debian's Go toolchain (golang-go): Go's text/template over data
# holding consul-template's nil *dependency.Node, which gotmpl-oracle's JSON data cannot express.
# Usage: build.sh [OUTPUT]   (default: ./gotmpl-nil-oracle next to this script)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/gotmpl-nil-oracle}
if ! command -v go >/dev/null 2>&1; then
  echo "gotmpl-nil-oracle: needs Go: apt-get install golang-go" >&2; exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/dependency"
cp "$here/main.go" "$tmp/main.go"
cp "$here/dependency/dependency.go" "$tmp/dependency/dependency.go"
(cd "$tmp" && printf 'module gotmpl-nil-oracle\n\ngo 1.19\n' > go.mod && GOFLAGS=-mod=mod GOPROXY=off GO111MODULE=on go build -o "$out" .)
echo "$out"
