#!/usr/bin/env bash
# Writes src/Tend/hot-methods.txt: the managed methods tend runs in its common paths, in an order that keeps each
# path's methods together, so the NativeAOT compiler lays them out side by side (IlcOrderFile, src/Tend/Tend.csproj).
# Why: the kernel maps 64 KB of the executable around every page a run touches, so the ~1 MB of code a onetime render
# runs, scattered over 12 MB, cost 7.4 MiB of RSS; laid out together it costs ~1.7 MiB (docs/benchmarks.md,
# "Onetime peak RSS").
#
#   tools/method-order/profile.sh [PUBLISH_DIR]
#
# PUBLISH_DIR holds a published tend and its tend.dbg (default: this tree published once into a temporary directory).
# Needs gcc, nm and Debian's etcd (as ./test.sh). The paths traced, in priority order (a method's place is decided by
# the first path that runs it, then by when it first ran):
#   1. tend render -onetime over a file store of 10,000 hosts (the confd benchmark, bench/confd-targets.sh onetime)
#   2. the same over etcd
#   3. tend --version
#   4. tend render -watch over etcd: start, render, one change rendered, SIGTERM
# Names that no longer exist after a code change are ignored by the compiler; methods not listed keep the compiler's
# own order. Rerun this after larger changes to those paths and commit the result with the figures it gives.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d -t tend-method-order-XXXXXX)
etcd_pid=
tracer=
cleanup() {
  for p in $tracer $etcd_pid; do kill "$p" 2> /dev/null || true; wait "$p" 2> /dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

bin=${1:-}
if [[ -z "$bin" ]]; then
  bin="$work/bin"
  echo "publishing the NativeAOT binary (minutes)..." >&2
  dotnet publish "$root/src/Tend" -c Release -r linux-x64 -o "$bin" -nologo -v:q -clp:ErrorsOnly >&2
fi
tend="$bin/tend"
[[ -f "$bin/tend.dbg" ]] || { echo "no $bin/tend.dbg: the symbols are needed" >&2; exit 2; }
gcc -O2 -Wall -o "$work/trace" "$root/tools/method-order/trace.c"

# Entry points of the managed code (the __managedcode and __unbox sections), and every name at each address.
read -r code_start code_end < <(readelf -SW "$tend" | sed 's/^ *\[ *[0-9]*\] *//' | awk '$1 == "__managedcode" { s = $3 } $1 == "__unbox" { e = $3; sz = $5 } END { print s, e "+" sz }')
nm -n "$bin/tend.dbg" | python3 -c '
import sys
start = int(sys.argv[1], 16); end_base, size = sys.argv[2].split("+"); end = int(end_base, 16) + int(size, 16)
names = {}
for line in sys.stdin:
    parts = line.split(None, 2)
    if len(parts) == 3 and parts[1] in "tT":
        address = int(parts[0], 16)
        if start <= address < end:
            names.setdefault(address, []).append(parts[2].strip())
with open(sys.argv[3], "w") as entries, open(sys.argv[4], "w") as table:
    for address in sorted(names):
        entries.write("%x\n" % address)
        table.write("%x %s\n" % (address, " ".join(names[address])))
' "$code_start" "$code_end" "$work/entries" "$work/names"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
peer=$(free_port)
etcd --name order --data-dir "$work/etcd" --listen-client-urls "http://127.0.0.1:$port" --advertise-client-urls "http://127.0.0.1:$port" \
  --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
  --initial-cluster "order=http://127.0.0.1:$peer" > "$work/etcd.log" 2>&1 &
etcd_pid=$!
url="http://127.0.0.1:$port"
for ((t = 0; t < 150; t++)); do ETCDCTL_API=3 etcdctl --endpoints "$url" endpoint health > /dev/null 2>&1 && break; sleep 0.2; done

# The hosts, as the confd benchmark writes them: a data file, and the same keys in etcd (128 to a transaction).
hosts() { awk -v n=10000 -v f="$1" 'BEGIN { if (f) print "hosts:"; for (i = 0; i < n; i++) printf (f ? "  host%06d: " : "/hosts/host%06d ") "10.%d.%d.%d\n", i, int(i/65536), int(i/256)%256, i%256 }'; }
hosts 1 > "$work/data.yaml"
hosts 0 | python3 -c '
import base64, http.client, json, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1]); c = http.client.HTTPConnection(u.hostname, u.port)
b64 = lambda s: base64.b64encode(s.encode()).decode()
lines = [l.rstrip("\n").split(" ", 1) for l in sys.stdin]
for i in range(0, len(lines), 128):
    c.request("POST", "/v3/kv/txn", json.dumps({"success": [{"request_put": {"key": b64(k), "value": b64(v)}} for k, v in lines[i:i + 128]]}))
    r = c.getresponse(); r.read()
    if r.status != 200: sys.exit("etcd txn failed: %d" % r.status)
' "$url"
mkdir -p "$work/conf/conf.d" "$work/conf/templates" "$work/out"
cat > "$work/conf/templates/hosts.tmpl" << 'TMPL'
{{range gets "/hosts/*"}}define host {
    host_name  {{base .Key}}
    address    {{.Value}}
    use        generic-host
}
{{end}}
TMPL
printf '[template]\nsrc = "hosts.tmpl"\ndest = "%s"\nkeys = ["/hosts"]\n' "$work/out/hosts.cfg" > "$work/conf/conf.d/hosts.toml"

run() { "$work/trace" "$work/entries" "$work/hits-$1" -- "${@:2}"; }
rm -f "$work/out/hosts.cfg"
run 1 "$tend" render -backend file -file "$work/data.yaml" -confdir "$work/conf" -log-level error -onetime
rm -f "$work/out/hosts.cfg"
run 2 "$tend" render -backend etcdv3 -node "$url" -confdir "$work/conf" -log-level error -onetime
run 3 "$tend" --version > /dev/null
rm -f "$work/out/hosts.cfg"
"$work/trace" "$work/entries" "$work/hits-4" -- "$tend" render -backend etcdv3 -node "$url" -confdir "$work/conf" -log-level error -watch &
tracer=$!
for ((t = 0; t < 300; t++)); do [[ -s "$work/out/hosts.cfg" ]] && break; sleep 0.1; done
ETCDCTL_API=3 etcdctl --endpoints "$url" put /hosts/host000000 10.255.255.254 > /dev/null
for ((t = 0; t < 300; t++)); do grep -q 10.255.255.254 "$work/out/hosts.cfg" && break; sleep 0.1; done
kill -TERM "$(pgrep -P "$tracer")"
wait "$tracer" || true
tracer=

python3 - "$work/names" "$root/src/Tend/hot-methods.txt" "$work"/hits-1 "$work"/hits-2 "$work"/hits-3 "$work"/hits-4 << 'PY'
import sys
names = {}
for line in open(sys.argv[1]):
    address, rest = line.split(" ", 1)
    names[int(address, 16)] = rest.split()
runs = [[int(l, 16) for l in open(f)] for f in sys.argv[3:]]
sets = [set(r) for r in runs]
first = {}
for r in runs:
    for i, a in enumerate(r):
        first.setdefault(a, i)
# Lexicographic by the paths that ran a method (the first path's methods first, within them those the second also
# ran first, ...), then by first run: each path's methods end up in one contiguous stretch.
order = sorted(first, key=lambda a: (tuple(a not in s for s in sets), first[a]))
with open(sys.argv[2], "w") as out:
    for a in order:
        for name in names[a]:
            out.write(name + "\n")
print("%d methods (%s per path) written to %s" % (len(order), ", ".join(str(len(s)) for s in sets), sys.argv[2]), file=sys.stderr)
PY
