#!/usr/bin/env bash
# Idle cost of the health module: `tend run` (the published NativeAOT binary) with CHECKS
# continuous checks at a 10 s interval on a real etcd, all passing, nothing changing.
#
#   bench/health-idle.sh [seconds] [checks] [tcp|command] [settle]
#     (default 60 s, 100 checks, tcp, 30 s after start)
#
# tcp checks connect to etcd's client port (no process is started); command checks run `true`
# through /bin/sh (a fork per check per interval). CPU is utime + stime of tend from
# /proc/PID/stat (the checks' children are not counted), in 10 s windows.
# TEND_BIN=dir reuses an already published binary.
set -euo pipefail

seconds=${1:-60}
checks=${2:-100}
kind=${3:-tcp}
settle=${4:-30}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d -t tend-health-idle-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

bin=${TEND_BIN:-}
if [[ -z "$bin" ]]; then
  bin="$work/bin"
  dotnet publish "$root/src/Tend" -c Release -o "$bin" -r linux-x64 -nologo -v:q >&2
fi
tend="$bin/tend"
# shellcheck source=bench/process-sampling.sh
source "$root/bench/process-sampling.sh"

start_etcd "$work"
port=$etcd_port

{
  printf '[store]\nkind = "etcd"\nendpoints = ["http://127.0.0.1:%s"]\n\n[log]\nlevel = "warning"\n\n' "$port"
  printf '[health]\nenvironment = "bench"\nrole = "web"\nhostname = "node1"\n'
  for ((i = 0; i < checks; i++)); do
    if [[ "$kind" == command ]]; then
      printf '\n[[health.check]]\nservice = "s%03d"\ntype = "command"\ncmd = "true"\ninterval = "10s"\n' "$i"
    else
      printf '\n[[health.check]]\nservice = "s%03d"\ntype = "tcp"\nport = %s\ninterval = "10s"\n' "$i" "$port"
    fi
  done
} > "$work/tend.toml"

"$tend" run --config "$work/tend.toml" > "$work/tend.log" 2>&1 &
pids+=($!)
pid=$!
for ((t = 0; t < 300; t++)); do
  n=$(ETCDCTL_API=3 etcdctl --endpoints "127.0.0.1:$port" get --prefix /health/bench --keys-only 2>/dev/null | grep -c . || true)
  [[ "$n" -ge "$checks" ]] && break
  sleep 0.2
done
echo "published: $n of $checks health entries" >&2
sleep "$settle"
sample_idle "$pid" "$seconds" "idle, $checks $kind checks at 10 s (etcd), $seconds s from $settle s after all were published" "$etcd_pid"
grep -v '^$' "$work/tend.log" | tail -3 >&2 || true
