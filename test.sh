#!/usr/bin/env bash
# Runs Tend's whole test suite: unit tests, the conformance suites (toml-test, Go's text/template
# oracle) and the integration tests against real servers from Debian's packages.
# Installs what is missing first (apt-get; NuGet packages restore through dotnet).
# Usage: ./test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Etcd]
set -euo pipefail
repo=$(cd "$(dirname "$0")" && pwd)
cd "$repo"

# The shared conformance data and tools live beside the checkout.
export TEND_SHARED=${TEND_SHARED:-$(cd "$repo/.." && pwd)/shared}
if [ ! -d "$TEND_SHARED/conformance" ]; then
  echo "test.sh: $TEND_SHARED/conformance not found; set TEND_SHARED to the shared/ folder" >&2
  exit 2
fi

# Debian packages the tests need: the real servers and tools, never fakes of them; gcc and
# libc6-dev link the NativeAOT binary the CLI tests run; golang-gopkg-yaml.v2-dev is the YAML decoder
# confd's file backend uses, the reference for the file store's confd mode; ruby renders reconfig's
# ERB templates; systemd's systemd-analyze verifies the .deb's units (dpkg-deb, which builds it, is
# part of every Debian system); chromium and chromium-driver run the status page's browser tests.
packages=(etcd-server etcd-client zookeeper golang-go golang-gopkg-yaml.v2-dev ruby haproxy nagios4-core openssh-server cron monitoring-plugins-basic gcc libc6-dev systemd chromium chromium-driver)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}" >&2
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Go's own text/template, the reference the template engine is compared against.
mkdir -p artifacts
oracle_src="$TEND_SHARED/tools/gotmpl-oracle"
if [ -d "$oracle_src" ]; then
  export TEND_GOTMPL_ORACLE="$repo/artifacts/gotmpl-oracle"
  if [ ! -x "$TEND_GOTMPL_ORACLE" ] || [ "$oracle_src/main.go" -nt "$TEND_GOTMPL_ORACLE" ]; then
    "$oracle_src/build.sh" "$TEND_GOTMPL_ORACLE" >/dev/null
  fi
fi

# Go's text/template over data holding a typed nil pointer (consul-template's node without a node),
# which gotmpl-oracle's JSON data cannot express: the reference for the nil-pointer differential tests.
export TEND_GOTMPL_NIL_ORACLE="$repo/artifacts/gotmpl-nil-oracle"
if [ ! -x "$TEND_GOTMPL_NIL_ORACLE" ] || [ -n "$(find "$repo/tools/gotmpl-nil-oracle" -name '*.go' -newer "$TEND_GOTMPL_NIL_ORACLE")" ]; then
  rm -f "$TEND_GOTMPL_NIL_ORACLE"
  "$repo/tools/gotmpl-nil-oracle/build.sh" "$TEND_GOTMPL_NIL_ORACLE" >/dev/null \
    || echo "test.sh: tools/gotmpl-nil-oracle did not build; the nil-pointer differential tests will fail" >&2
fi

# confd's file backend over Debian's gopkg.in/yaml.v2, the reference for the file store's confd
# mode. A failed build is reported here, and the differential tests then fail naming it.
export TEND_CONFD_YAML_ORACLE="$repo/artifacts/confd-yaml-oracle"
if [ ! -x "$TEND_CONFD_YAML_ORACLE" ] || [ "$repo/tools/confd-yaml-oracle/main.go" -nt "$TEND_CONFD_YAML_ORACLE" ]; then
  rm -f "$TEND_CONFD_YAML_ORACLE"
  "$repo/tools/confd-yaml-oracle/build.sh" "$TEND_CONFD_YAML_ORACLE" >/dev/null \
    || echo "test.sh: tools/confd-yaml-oracle did not build; the confd YAML differential tests will fail" >&2
fi

results="$repo/artifacts/test-results"
rm -rf "$results"
status=0
# The CLI and integration tests run the binary Tend ships: NativeAOT, published once per run
# (MSBuild skips the native compile and link when nothing changed since the last run).
aot="$repo/artifacts/tend-aot"
if ! dotnet build Tend.slnx -nologo -v:q -clp:ErrorsOnly; then
  status=1
  echo "test.sh: the build failed" >&2
elif ! dotnet publish src/Tend -c Release -r linux-x64 -o "$aot" -nologo -v:q -clp:ErrorsOnly; then
  status=1
  echo "test.sh: the NativeAOT publish failed" >&2
elif ! deb=$(TEND_BIN="$aot/tend" packaging/build-deb.sh "$repo/artifacts/deb"); then
  status=1
  echo "test.sh: packaging/build-deb.sh failed" >&2
else
  export TEND_BIN="$aot/tend"
  # The package tests install this .deb with dpkg, run it and purge it (tests/Tend.Cli.Tests/DebianPackageTests.cs).
  export TEND_DEB="$deb"
  dotnet test Tend.slnx --no-build -nologo -v:q --logger "trx" --results-directory "$results" "$@" || status=$?
fi

# One line computed from the real results (the TRX files), for people and for CI.
passed=0; failed=0; skipped=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  p=$(get passed); f=$(get failed); t=$(get total); e=$(get executed)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  skipped=$((skipped + ${t:-0} - ${e:-0}))
done
# Why tests were skipped, one line per reason (only the Consul tests may skip: no consul binary here).
if [ "$skipped" -gt 0 ]; then
  awk '
    /<UnitTestResult / { inside = ($0 ~ /outcome="NotExecuted"/); next }
    inside && /<Message>/ { m = $0; sub(/.*<Message>/, "", m); sub(/<\/Message>.*/, "", m); count[m]++; inside = 0 }
    /<\/UnitTestResult>/ { if (inside) count["(no reason given)"]++; inside = 0 }
    END { for (m in count) printf "test.sh: %d skipped: %s\n", count[m], m }
  ' "$results"/*.trx
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The runner failed without reporting a failed test (a crash, a build error): count it.
  failed=1
fi
line="tests: $passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
