#!/usr/bin/env bash
# Builds confd-yaml-oracle offline against Debian's golang-gopkg-yaml.v2-dev (the YAML decoder
# confd's file backend uses), with Debian's Go toolchain.
# Usage: build.sh [OUTPUT]   (default: ./confd-yaml-oracle next to this script)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/confd-yaml-oracle}
gocode=/usr/share/gocode
if ! command -v go >/dev/null 2>&1; then
  echo "confd-yaml-oracle: needs Go: apt-get install golang-go" >&2; exit 1
fi
if [ ! -f "$gocode/src/gopkg.in/yaml.v2/yaml.go" ]; then
  echo "confd-yaml-oracle: needs the decoder: apt-get install golang-gopkg-yaml.v2-dev" >&2; exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$here/main.go" "$tmp/main.go"
# GOPATH mode: the import resolves to Debian's copy under /usr/share/gocode, nothing is downloaded.
(cd "$tmp" && GO111MODULE=off GOPATH="$gocode" GOPROXY=off go build -o "$out" .)
echo "$out"
