# Shared by the whole-process benchmarks (bench/health-idle.sh, bench/render-process.sh): source it.
# The caller has `set -euo pipefail`, a `pids` array its cleanup kills, and a work directory.

# utime + stime of a process, in clock ticks (its children are not counted).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_etcd DIR: a single-member etcd on free loopback ports, its data and log in DIR, waited for
# until healthy; sets etcd_port and etcd_pid and adds the pid to pids.
start_etcd() {
  local dir=$1 peer t
  etcd_port=$(free_port)
  peer=$(free_port)
  etcd --name idle --data-dir "$dir/etcd" --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "idle=http://127.0.0.1:$peer" > "$dir/etcd.log" 2>&1 &
  pids+=($!)
  etcd_pid=$!
  for ((t = 0; t < 100; t++)); do ETCDCTL_API=3 etcdctl --endpoints "127.0.0.1:$etcd_port" endpoint health > /dev/null 2>&1 && break; sleep 0.2; done
}

# sample_idle PID SECONDS WHAT [ETCD_PID]: the CPU PID uses over SECONDS, sampled in 10 s windows
# (to tell a start-up tail — tiered JIT, GC — from steady polling), printed as one line starting
# with WHAT, with its RSS and threads, the windows, and for scale what ETCD_PID used meanwhile.
sample_idle() {
  local pid=$1 seconds=$2 what=$3 etcd=${4:-} hz before last now t ebefore=0
  local windows=()
  hz=$(getconf CLK_TCK)
  before=$(cpu_ticks "$pid")
  [[ -n "$etcd" ]] && ebefore=$(cpu_ticks "$etcd")
  last=$before
  for ((t = 0; t < seconds; t += 10)); do
    sleep $((seconds - t < 10 ? seconds - t : 10))
    now=$(cpu_ticks "$pid")
    windows+=($((now - last)))
    last=$now
  done
  echo "$what: tend used $((last - before)) ticks ($hz/s) = $(awk -v d=$((last - before)) -v hz="$hz" -v s="$seconds" 'BEGIN { printf "%.3f", d / hz / s * 100 }') % of one core; RSS $(awk '/VmRSS/ {print int($2/1024)}' "/proc/$pid/status") MB; threads $(awk '/Threads/ {print $2}' "/proc/$pid/status")"
  echo "  ticks per 10 s window: ${windows[*]}"
  if [[ -n "$etcd" ]]; then
    echo "  for scale: etcd itself used $(($(cpu_ticks "$etcd") - ebefore)) ticks in the same window"
  fi
}
