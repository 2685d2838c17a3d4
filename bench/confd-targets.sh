#!/usr/bin/env bash
# Issue #16's targets against confd, same run: Tend's NativeAOT binary and confd alternate, round by round,
# on the same data and the same store, and the script prints each figure with the ratio Tend/confd.
#
#   bench/confd-targets.sh onetime [rounds] [keys]     onetime render of KEYS hosts (default 10, 10,000), file store
#                                                      and etcd: wall and peak RSS (target wall <= 0.35x, RSS <= 1x)
#   bench/confd-targets.sh version [rounds]            --version: wall, CPU, peak RSS (target <= 1x)
#   bench/confd-targets.sh idle [rounds] [templates] [seconds]
#                                                      idle watching daemon with TEMPLATES templates on etcd (default
#                                                      3, 100, 60 s after a 20 s settle): RSS (target <= 1.2x) and CPU
#   bench/confd-targets.sh latency [rounds] [count] [etcdv3|consul] [dir]
#                                                      put -> rendered file, both tools on the same changes
#                                                      (bench/Tend.Confd.Bench race; target p50 and p99 <= 1x);
#                                                      RACE_CHECK_CMD='test -s {{.src}}' gives both tools that check_cmd;
#                                                      RACE_ALONE=1 runs each tool by itself in its half of a round
#   bench/confd-targets.sh memory [keys]               one template over KEYS watched keys on etcd (default 100,000):
#                                                      VmRSS and peak (target < 100 MB), confd beside it for scale
#   bench/confd-targets.sh all                         all of the above with their defaults
#
# Tend: TEND_BIN=dir holding an already published tend, else this tree is published once (NativeAOT, as Tend
# ships) into a temporary directory. confd: CONFD=path (or confd on PATH), the real Go confd 0.x. Consul:
# TEND_CONSUL_BIN (see DEVELOPERS.md). Both tools are driven by the same confd command line (-backend, -node,
# -confdir) on the same conf.d and templates, each writing its own destination. TEND_RENDER_CONFIG=file passes
# a tend.toml with --config to every tend run (e.g. [render] fsync = false, to measure that setting).
set -euo pipefail

mode=${1:-all}
shift || true
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d -t tend-confd-targets-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; wait "$p" 2> /dev/null || true; done
  cd /
  rm -rf "$work"
}
trap cleanup EXIT

confd=${CONFD:-$(command -v confd || true)}
[[ -x "$confd" ]] || { echo "no confd: set CONFD=path to confd 0.x" >&2; exit 2; }
bin=${TEND_BIN:-}
if [[ -z "$bin" ]]; then
  bin="$work/bin"
  echo "publishing the NativeAOT binary (minutes)..." >&2
  dotnet publish "$root/src/Tend" -c Release -r linux-x64 -o "$bin" -nologo -v:q -clp:ErrorsOnly >&2
fi
tend="$bin/tend"
tend_extra=()
[[ -n "${TEND_RENDER_CONFIG:-}" ]] && tend_extra=(--config "$TEND_RENDER_CONFIG")

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
status_mb() { awk -v k="$2:" '$1 == k {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

# One throw-away etcd for the whole run, on free loopback ports.
etcd_url=
start_etcd() {
  [[ -n "$etcd_url" ]] && return
  local port peer
  port=$(free_port)
  peer=$(free_port)
  etcd --name bench --data-dir "$work/etcd" --listen-client-urls "http://127.0.0.1:$port" --advertise-client-urls "http://127.0.0.1:$port" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "bench=http://127.0.0.1:$peer" --quota-backend-bytes 4294967296 > "$work/etcd.log" 2>&1 &
  pids+=($!)
  etcd_url="http://127.0.0.1:$port"
  for ((t = 0; t < 150; t++)); do ETCDCTL_API=3 etcdctl --endpoints "$etcd_url" endpoint health > /dev/null 2>&1 && return; sleep 0.2; done
  echo "etcd did not start: $(tail -3 "$work/etcd.log")" >&2
  exit 1
}

# Puts "key value" lines from stdin into etcd, 128 to a transaction (etcd's default --max-txn-ops), through the
# gRPC gateway on one kept-alive connection.
etcd_load() {
  python3 -c "$(cat << 'EOF'
import base64, http.client, json, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
c = http.client.HTTPConnection(u.hostname, u.port)
b64 = lambda s: base64.b64encode(s.encode()).decode()
batch = []
def flush():
    if not batch:
        return
    c.request("POST", "/v3/kv/txn", json.dumps({"success": [{"request_put": {"key": b64(k), "value": b64(v)}} for k, v in batch]}))
    r = c.getresponse(); body = r.read()
    if r.status != 200:
        sys.exit(f"etcd txn failed: {r.status} {body[:200]}")
    batch.clear()
for line in sys.stdin:
    k, v = line.rstrip("\n").split(" ", 1)
    batch.append((k, v))
    if len(batch) == 128:
        flush()
flush()
EOF
)" "$etcd_url"
}

# KEYS hosts under /hosts (file store: data.yaml; etcd: loaded once), and a conf.d per tool rendering one Nagios
# `define host` block per host into out/<tool>/hosts.cfg.
hosts_keys=
write_hosts() {
  local keys=$1
  if [[ "$hosts_keys" != "$keys" ]]; then
    awk -v n="$keys" 'BEGIN { print "hosts:"; for (i = 0; i < n; i++) printf "  host%06d: 10.%d.%d.%d\n", i, int(i/65536), int(i/256)%256, i%256 }' > "$work/data.yaml"
    hosts_keys=$keys
  fi
  for tool in tend confd; do
    mkdir -p "$work/hosts-$tool/conf.d" "$work/hosts-$tool/templates" "$work/out/$tool"
    cat > "$work/hosts-$tool/templates/hosts.tmpl" << 'EOF'
{{range gets "/hosts/*"}}define host {
    host_name  {{base .Key}}
    address    {{.Value}}
    use        generic-host
}
{{end}}
EOF
    printf '[template]\nsrc = "hosts.tmpl"\ndest = "%s"\nkeys = ["/hosts"]\n' "$work/out/$tool/hosts.cfg" > "$work/hosts-$tool/conf.d/hosts.toml"
  done
}
etcd_hosts=
load_etcd_hosts() {
  local keys=$1
  start_etcd
  [[ "$etcd_hosts" == "$keys" ]] && return
  ETCDCTL_API=3 etcdctl --endpoints "$etcd_url" del --prefix /hosts/ > /dev/null
  awk -v n="$keys" 'BEGIN { for (i = 0; i < n; i++) printf "/hosts/host%06d 10.%d.%d.%d\n", i, int(i/65536), int(i/256)%256, i%256 }' | etcd_load
  etcd_hosts=$keys
}

# The command line of TOOL for BACKEND (file|etcd) and confdir, as words.
cmdline() {
  local tool=$1 backend=$2 confdir=$3 flags=()
  if [[ "$backend" == file ]]; then flags=(-backend file -file "$work/data.yaml"); else flags=(-backend etcdv3 -node "$etcd_url"); fi
  if [[ "$tool" == tend ]]; then
    echo "$tend" render "${flags[@]}" -confdir "$confdir" -log-level error "${tend_extra[@]}"
  else
    echo "$confd" "${flags[@]}" -confdir "$confdir" -log-level error
  fi
}

onetime() {
  local rounds=${1:-10} keys=${2:-10000}
  write_hosts "$keys"
  for backend in file etcd; do
    [[ "$backend" == etcd ]] && load_etcd_hosts "$keys"
    : > "$work/t-tend" && : > "$work/t-confd"
    echo "onetime, $keys hosts, $backend store, $rounds alternating rounds; load before $(load)"
    for ((r = 0; r < rounds; r++)); do
      # Odd rounds start with confd, even ones with tend, so neither always runs first.
      order=(tend confd)
      ((r % 2)) && order=(confd tend)
      for tool in "${order[@]}"; do
        rm -f "$work/out/$tool/hosts.cfg"
        # shellcheck disable=SC2046
        /usr/bin/time -o "$work/t" -f "%e %M %U %S" $(cmdline "$tool" "$backend" "$work/hosts-$tool") -onetime > /dev/null
        cat "$work/t" >> "$work/t-$tool"
      done
    done
    cmp -s "$work/out/tend/hosts.cfg" "$work/out/confd/hosts.cfg" || { echo "OUTPUTS DIFFER" >&2; exit 1; }
    printf '  %-6s %-24s %-12s %s\n' tool "wall median (min-max)" "CPU median" "peak RSS median"
    for tool in tend confd; do
      f="$work/t-$tool"
      printf '  %-6s %-24s %-12s %s\n' "$tool" "$(cut -d' ' -f1 "$f" | median) s ($(cut -d' ' -f1 "$f" | sort -n | head -1)-$(cut -d' ' -f1 "$f" | sort -n | tail -1))" \
        "$(awk '{print $3 + $4}' "$f" | median) s" "$(awk '{printf "%.1f\n", $2 / 1024}' "$f" | median) MiB"
    done
    tw=$(cut -d' ' -f1 "$work/t-tend" | median) cw=$(cut -d' ' -f1 "$work/t-confd" | median)
    tr=$(cut -d' ' -f2 "$work/t-tend" | median) cr=$(cut -d' ' -f2 "$work/t-confd" | median)
    tc=$(awk '{print $3 + $4}' "$work/t-tend" | median) cc=$(awk '{print $3 + $4}' "$work/t-confd" | median)
    echo "  ratio tend/confd: wall $(ratio "$tw" "$cw") (target <= 0.35), CPU $(ratio "$tc" "$cc"), peak RSS $(ratio "$tr" "$cr") (target <= 1.00); identical output, $(wc -l < "$work/out/tend/hosts.cfg") lines; load after $(load)"
  done
}

version() {
  local rounds=${1:-20}
  : > "$work/v-tend" && : > "$work/v-confd"
  echo "--version, $rounds alternating rounds; load before $(load)"
  for ((r = 0; r < rounds; r++)); do
    /usr/bin/time -o "$work/t" -f "%e %M %U %S" "$tend" --version > /dev/null && cat "$work/t" >> "$work/v-tend"
    /usr/bin/time -o "$work/t" -f "%e %M %U %S" "$confd" -version > /dev/null && cat "$work/t" >> "$work/v-confd"
  done
  for tool in tend confd; do
    f="$work/v-$tool"
    printf '  %-6s wall median %s s, CPU median %s s, peak RSS median %s MiB\n' "$tool" "$(cut -d' ' -f1 "$f" | median)" "$(awk '{print $3 + $4}' "$f" | median)" "$(awk '{printf "%.1f\n", $2 / 1024}' "$f" | median)"
  done
  echo "  ratio tend/confd: peak RSS $(ratio "$(cut -d' ' -f2 "$work/v-tend" | median)" "$(cut -d' ' -f2 "$work/v-confd" | median)")"
  if command -v hyperfine > /dev/null; then
    # hyperfine runs the two commands in turn, so both see the same load; -N: no shell in between.
    hyperfine -N --warmup 5 --runs "$((rounds * 5))" --style basic --export-json "$work/hf.json" "$tend --version" "$confd -version" > /dev/null 2>&1
    python3 - "$work/hf.json" << 'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
t, c = r[0], r[1]
for name, x in (("tend", t), ("confd", c)):
    print(f"  hyperfine {name:<5} mean {x['mean']*1000:.1f} ± {x['stddev']*1000:.1f} ms, median {x['median']*1000:.1f} ms (user {x['user']*1000:.1f}, system {x['system']*1000:.1f} ms)")
print(f"  ratio tend/confd (hyperfine): median wall {t['median']/c['median']:.2f}, mean {t['mean']/c['mean']:.2f}, user+system {(t['user']+t['system'])/(c['user']+c['system']):.2f} (target <= 1.00)")
EOF
  fi
  echo "  load after $(load)"
}

idle() {
  local rounds=${1:-3} templates=${2:-100} seconds=${3:-60} settle=20
  start_etcd
  for ((i = 0; i < templates; i++)); do printf '/svc/s%03d/addr 10.0.0.%d\n' "$i" "$((i % 250))"; done | etcd_load
  for tool in tend confd; do
    rm -rf "$work/idle-$tool" && mkdir -p "$work/idle-$tool/conf.d" "$work/idle-$tool/templates" "$work/idle-out/$tool"
    for ((i = 0; i < templates; i++)); do
      n=$(printf %03d "$i")
      printf 'server {{getv "/svc/s%s/addr"}}\n' "$n" > "$work/idle-$tool/templates/s$n.tmpl"
      printf '[template]\nsrc = "s%s.tmpl"\ndest = "%s/s%s.conf"\nkeys = ["/svc/s%s"]\n' "$n" "$work/idle-out/$tool" "$n" "$n" > "$work/idle-$tool/conf.d/s$n.toml"
    done
  done
  echo "idle daemon, $templates templates on etcd, -watch; RSS and CPU over $seconds s from $settle s after all files were rendered; $rounds rounds"
  for ((r = 1; r <= rounds; r++)); do
    rm -f "$work"/idle-out/*/*
    declare -A pid=()
    for tool in tend confd; do
      # shellcheck disable=SC2046
      $(cmdline "$tool" etcd "$work/idle-$tool") -watch > "$work/idle-$tool.log" 2>&1 &
      pid[$tool]=$!
      pids+=($!)
    done
    deadline=$((SECONDS + 120))
    for tool in tend confd; do
      until [[ $(find "$work/idle-out/$tool" -type f | wc -l) -ge $templates ]]; do
        ((SECONDS > deadline)) && { echo "$tool rendered only $(find "$work/idle-out/$tool" -type f | wc -l) files: $(tail -3 "$work/idle-$tool.log")" >&2; exit 1; }
        sleep 0.2
      done
    done
    sleep "$settle"
    tb=$(cpu_ticks "${pid[tend]}") cb=$(cpu_ticks "${pid[confd]}")
    sleep "$seconds"
    hz=$(getconf CLK_TCK)
    trss=$(status_mb "${pid[tend]}" VmRSS) crss=$(status_mb "${pid[confd]}" VmRSS)
    tcpu=$(awk -v d=$(($(cpu_ticks "${pid[tend]}") - tb)) -v hz="$hz" -v s="$seconds" 'BEGIN { printf "%.3f", d / hz / s * 100 }')
    ccpu=$(awk -v d=$(($(cpu_ticks "${pid[confd]}") - cb)) -v hz="$hz" -v s="$seconds" 'BEGIN { printf "%.3f", d / hz / s * 100 }')
    echo "  round $r (load $(load)): tend RSS $trss MiB (peak $(status_mb "${pid[tend]}" VmHWM)), CPU $tcpu %, $(awk '/Threads/ {print $2}' "/proc/${pid[tend]}/status") threads; confd RSS $crss MiB (peak $(status_mb "${pid[confd]}" VmHWM)), CPU $ccpu %, $(awk '/Threads/ {print $2}' "/proc/${pid[confd]}/status") threads; RSS ratio $(ratio "$trss" "$crss") (target <= 1.20)"
    for tool in tend confd; do kill "${pid[$tool]}"; wait "${pid[$tool]}" 2> /dev/null || true; done
  done
}

latency() {
  local rounds=${1:-3} count=${2:-200} backend=${3:-etcdv3} dir=${4:-}
  local b="$root/bench/Tend.Confd.Bench/bin/Release/net10.0/Tend.Confd.Bench.dll" extra=()
  [[ -f "$b" ]] || dotnet build -c Release "$root/bench/Tend.Confd.Bench" -nologo -v:q -clp:ErrorsOnly >&2
  if [[ "$backend" == etcdv3 ]]; then start_etcd; extra+=(--endpoint "$etcd_url"); fi
  [[ -n "$dir" ]] && extra+=(--dir "$dir")
  [[ -n "${TEND_RENDER_CONFIG:-}" ]] && extra+=(--tend-config "$TEND_RENDER_CONFIG")
  [[ -n "${RACE_CHECK_CMD:-}" ]] && extra+=(--check-cmd "$RACE_CHECK_CMD")
  [[ -n "${RACE_ALONE:-}" ]] && extra+=(--alone)
  dotnet "$b" race --backend "$backend" --tend "$tend" --confd "$confd" --count "$count" --rounds "$rounds" "${extra[@]}"
}

memory() {
  local keys=${1:-100000}
  write_hosts "$keys"
  load_etcd_hosts "$keys"
  echo "memory: one template over $keys watched keys on etcd, 10 s after the first render; load $(load)"
  for tool in tend confd; do
    rm -f "$work/out/$tool/hosts.cfg"
    # shellcheck disable=SC2046
    $(cmdline "$tool" etcd "$work/hosts-$tool") -watch > "$work/mem-$tool.log" 2>&1 &
    p=$!
    pids+=($p)
    deadline=$((SECONDS + 120))
    until [[ -s "$work/out/$tool/hosts.cfg" ]]; do
      ((SECONDS > deadline)) && { echo "$tool did not render: $(tail -3 "$work/mem-$tool.log")" >&2; exit 1; }
      sleep 0.2
    done
    sleep 10
    echo "  $tool: VmRSS $(status_mb "$p" VmRSS) MiB, peak (VmHWM) $(status_mb "$p" VmHWM) MiB; file $(wc -l < "$work/out/$tool/hosts.cfg") lines"
    kill "$p"
    wait "$p" 2> /dev/null || true
  done
  echo "  target: tend < 100 MB"
}

echo "machine: $(nproc) cores, $(uname -r); tend $("$tend" --version); $("$confd" -version | head -1)"
case "$mode" in
onetime | version | idle | latency | memory) "$mode" "$@" ;;
all)
  version
  onetime
  idle
  latency 3 200 etcdv3
  latency 3 200 consul
  memory
  ;;
*)
  echo "usage: $0 onetime|version|idle|latency|memory|all [args] (see the head of this script)" >&2
  exit 2
  ;;
esac
