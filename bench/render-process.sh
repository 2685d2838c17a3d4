#!/usr/bin/env bash
# Whole-process render benchmarks of the published tend binary (NativeAOT, as Tend ships).
#
#   bench/render-process.sh onetime [runs] [keys]      wall time and peak RSS of `tend render --onetime`
#                                                      over a file store of KEYS hosts (default 10 runs, 10,000)
#   bench/render-process.sh idle [seconds] [resources] [file|etcd] [settle]
#                                                      CPU used by an idle `tend run` daemon watching
#                                                      RESOURCES templates over SECONDS, starting SETTLE
#                                                      seconds after the last file was rendered
#                                                      (default 60 s, 100, file, 5 s)
#   bench/render-process.sh memory [keys]              RSS of a `tend run` daemon watching one template
#                                                      over KEYS keys (default 100,000)
#
# TEND_BIN=dir reuses an already published binary instead of publishing again; TEND_PUBLISH=jit
# publishes the framework-dependent ReadyToRun build instead (the JIT runtime, for comparison).
set -euo pipefail

mode=${1:-onetime}
shift || true
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d -t tend-render-process-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

bin=${TEND_BIN:-}
if [[ -z "$bin" ]]; then
  bin="$work/bin"
  if [[ "${TEND_PUBLISH:-aot}" == jit ]]; then
    dotnet publish "$root/src/Tend" -c Release -o "$bin" -p:PublishAot=false -p:PublishReadyToRun=true -r linux-x64 --self-contained false -nologo -v:q >&2
  else
    dotnet publish "$root/src/Tend" -c Release -o "$bin" -r linux-x64 -nologo -v:q >&2
  fi
fi
tend="$bin/tend"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# hosts.yaml: KEYS entries under hosts:, and a Nagios template writing a define-host block per host.
write_hosts() {
  local keys=$1
  awk -v n="$keys" 'BEGIN { print "hosts:"; for (i = 0; i < n; i++) printf "  host%06d: 10.%d.%d.%d\n", i, int(i/65536), int(i/256)%256, i%256 }' > "$work/data.yaml"
  cat > "$work/hosts.tmpl" <<'EOF'
{{range gets "/hosts/*"}}define host {
    host_name  {{base .Key}}
    address    {{.Value}}
    use        generic-host
}
{{end}}
EOF
  cat > "$work/tend.toml" <<'EOF'
[store]
kind = "file"
files = ["data.yaml"]

[log]
level = "warning"

[[render.template]]
src = "hosts.tmpl"
dest = "out/hosts.cfg"
keys = ["/hosts"]
create_dest_dirs = true
EOF
}

# shellcheck source=bench/process-sampling.sh
source "$root/bench/process-sampling.sh"

wait_for_files() {
  local count=$1 deadline=$((SECONDS + 60))
  until [[ $(find "$work/out" -type f 2>/dev/null | wc -l) -ge $count ]]; do
    if ((SECONDS > deadline)); then echo "only $(find "$work/out" -type f | wc -l) of $count files rendered" >&2; exit 1; fi
    sleep 0.2
  done
}

echo "machine: $(nproc) cores, $(uname -r); load: $(cut -d' ' -f1-3 /proc/loadavg)"
case "$mode" in
onetime)
  runs=${1:-10}
  keys=${2:-10000}
  write_hosts "$keys"
  walls=() rss=()
  for ((i = 0; i < runs; i++)); do
    rm -rf "$work/out"
    /usr/bin/time -o "$work/time" -f "%e %M" "$tend" render --onetime --config "$work/tend.toml"
    read -r w m < "$work/time"
    walls+=("$w") rss+=("$m")
  done
  lines=$(wc -l < "$work/out/hosts.cfg")
  printf '%s\n' "${walls[@]}" | sort -n | tr '\n' ' ' | sed 's/^/wall (s, sorted): /'; echo
  echo "onetime, $keys keys -> $lines lines, $runs runs: wall median $(printf '%s\n' "${walls[@]}" | median) s, peak RSS median $(( $(printf '%s\n' "${rss[@]}" | median | cut -d. -f1) / 1024 )) MB"
  vw=()
  for ((i = 0; i < 5; i++)); do /usr/bin/time -o "$work/time" -f "%e" "$tend" version > /dev/null; vw+=("$(cat "$work/time")"); done
  echo "for scale: tend version wall median $(printf '%s\n' "${vw[@]}" | median) s"
  ;;
idle)
  seconds=${1:-60}
  resources=${2:-100}
  store=${3:-file}
  settle=${4:-5}
  {
    if [[ "$store" == etcd ]]; then
      start_etcd "$work"
      port=$etcd_port
      for ((i = 0; i < resources; i++)); do printf 'put /svc/s%03d/addr 10.0.0.%d\n' "$i" "$((i % 250))"; done > "$work/puts"
      while read -r _ k v; do ETCDCTL_API=3 etcdctl --endpoints "127.0.0.1:$port" put "$k" "$v" > /dev/null; done < "$work/puts"
      printf '[store]\nkind = "etcd"\nendpoints = ["http://127.0.0.1:%s"]\n' "$port"
    else
      echo "svc:" > "$work/data.yaml"
      for ((i = 0; i < resources; i++)); do printf '  s%03d:\n    addr: 10.0.0.%d\n' "$i" "$((i % 250))"; done >> "$work/data.yaml"
      printf '[store]\nkind = "file"\nfiles = ["data.yaml"]\n'
    fi
    printf '\n[log]\nlevel = "warning"\n'
    for ((i = 0; i < resources; i++)); do
      printf '\n[[render.template]]\nsrc = "s%03d.tmpl"\ndest = "out/s%03d.conf"\nkeys = ["/svc/s%03d"]\ncreate_dest_dirs = true\n' "$i" "$i" "$i"
      printf 'server {{getv "/svc/s%03d/addr"}}\n' "$i" > "$work/s$(printf %03d "$i").tmpl"
    done
  } > "$work/tend.toml"
  "$tend" run --config "$work/tend.toml" > "$work/tend.log" 2>&1 &
  pids+=($!)
  pid=$!
  wait_for_files "$resources"
  sleep "$settle"
  sample_idle "$pid" "$seconds" "idle, $resources resources watching ($store store), $seconds s from $settle s after the renders" "${etcd_pid:-}"
  grep -v '^$' "$work/tend.log" | tail -3 >&2 || true
  ;;
memory)
  keys=${1:-100000}
  write_hosts "$keys"
  "$tend" run --config "$work/tend.toml" > "$work/tend.log" 2>&1 &
  pids+=($!)
  pid=$!
  wait_for_files 1
  sleep 10
  echo "memory, one template watching $keys keys ($(wc -c < "$work/out/hosts.cfg") byte file): VmRSS $(awk '/VmRSS/ {print int($2/1024)}' "/proc/$pid/status") MB, VmHWM (peak) $(awk '/VmHWM/ {print int($2/1024)}' "/proc/$pid/status") MB"
  ;;
*)
  echo "usage: $0 onetime [runs] [keys] | idle [seconds] [resources] [file|etcd] | memory [keys]" >&2
  exit 2
  ;;
esac
