#!/usr/bin/env bash
# Same-run comparison of the ways Tend can be built (and confd, when there is one): the onetime
# render of KEYS hosts from a file store (wall time and peak RSS, runs alternating between the
# binaries so they share the machine's load) and `--version` (start-up alone).
#
#   bench/release-compare.sh [runs] [keys] [label=DIR ...]
#
# Without label=DIR arguments it publishes two builds of this tree first:
#   aot  dotnet publish src/Tend -c Release -r linux-x64                    (how Tend ships)
#   jit  the same with -p:PublishAot=false, framework-dependent             (the development runtime)
# label=DIR uses an existing publish directory (DIR/tend) instead, e.g. to compare build settings.
# CONFD=path (or a confd on PATH) adds confd 0.x rendering the same data with its file backend.
# hyperfine, when installed, times `--version` as well (mean ± σ over many runs).
set -euo pipefail

runs=${1:-10}
keys=${2:-10000}
shift $(($# > 2 ? 2 : $#)) || true
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d -t tend-release-compare-XXXXXX)
trap 'cd /; rm -rf "$work"' EXIT

labels=() bins=()
for spec in "$@"; do
  labels+=("${spec%%=*}")
  bins+=("${spec#*=}/tend")
done
if [[ ${#labels[@]} -eq 0 ]]; then
  echo "publishing aot and jit builds (minutes)..." >&2
  dotnet publish "$root/src/Tend" -c Release -r linux-x64 -o "$work/aot" -nologo -v:q -clp:ErrorsOnly >&2
  dotnet publish "$root/src/Tend" -c Release -r linux-x64 -p:PublishAot=false --self-contained false -o "$work/jit" -nologo -v:q -clp:ErrorsOnly >&2
  labels=(aot jit) bins=("$work/aot/tend" "$work/jit/tend")
fi
confd=${CONFD:-$(command -v confd || true)}

# The data and template of bench/render-process.sh onetime: one `define host` block per host.
awk -v n="$keys" 'BEGIN { print "hosts:"; for (i = 0; i < n; i++) printf "  host%06d: 10.%d.%d.%d\n", i, int(i/65536), int(i/256)%256, i%256 }' > "$work/data.yaml"
mkdir -p "$work/templates" "$work/conf.d"
cat > "$work/templates/hosts.tmpl" <<'EOF'
{{range gets "/hosts/*"}}define host {
    host_name  {{base .Key}}
    address    {{.Value}}
    use        generic-host
}
{{end}}
EOF
for label in "${labels[@]}" confd; do
  mkdir -p "$work/out-$label"
  cat > "$work/tend-$label.toml" <<EOF
[store]
kind = "file"
files = ["data.yaml"]

[log]
level = "warning"

[[render.template]]
src = "templates/hosts.tmpl"
dest = "out-$label/hosts.cfg"
keys = ["/hosts"]
EOF
done
cat > "$work/conf.d/hosts.toml" <<EOF
[template]
src = "hosts.tmpl"
dest = "$work/out-confd/hosts.cfg"
keys = ["/hosts"]
EOF

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# Commands as words (no paths here contain spaces), run from $work so the configs' relative paths hold.
all_labels=("${labels[@]}") onetime_cmds=() version_cmds=()
for i in "${!labels[@]}"; do
  onetime_cmds+=("${bins[$i]} render --onetime --config tend-${labels[$i]}.toml")
  version_cmds+=("${bins[$i]} --version")
done
if [[ -n "$confd" ]]; then
  all_labels+=(confd)
  onetime_cmds+=("$confd -onetime -backend file -file data.yaml -confdir $work -log-level error")
  version_cmds+=("$confd -version")
fi
cd "$work"

echo "machine: $(nproc) cores, $(uname -r); load: $(cut -d' ' -f1-3 /proc/loadavg); $keys hosts, $runs alternating runs"
for label in "${all_labels[@]}"; do : > "$work/onetime-$label"; : > "$work/version-$label"; done
for ((r = 0; r < runs; r++)); do
  for i in "${!all_labels[@]}"; do
    label=${all_labels[$i]}
    rm -f "$work/out-$label/hosts.cfg"
    # shellcheck disable=SC2086
    /usr/bin/time -o "$work/t" -f "%e %M %U %S" ${onetime_cmds[$i]} > /dev/null
    cat "$work/t" >> "$work/onetime-$label"
    # shellcheck disable=SC2086
    /usr/bin/time -o "$work/t" -f "%e %M %U %S" ${version_cmds[$i]} > /dev/null 2>&1
    cat "$work/t" >> "$work/version-$label"
  done
done

reference="$work/out-${all_labels[0]}/hosts.cfg"
cpu() { awk '{print $3 + $4}' "$1" | median; }
printf '%-8s %-26s %-10s %-10s %-22s %s\n' binary "onetime wall (range)" "CPU" "peak RSS" "--version wall / CPU" "--version peak RSS"
for label in "${all_labels[@]}"; do
  f="$work/onetime-$label" v="$work/version-$label"
  w=$(cut -d' ' -f1 "$f" | median)
  lo=$(cut -d' ' -f1 "$f" | sort -n | head -1)
  hi=$(cut -d' ' -f1 "$f" | sort -n | tail -1)
  mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
  same="identical output"
  cmp -s "$reference" "$work/out-$label/hosts.cfg" || same="OUTPUT DIFFERS from ${all_labels[0]}"
  printf '%-8s %-26s %-10s %-10s %-22s %s\n' "$label" "$w s ($lo-$hi)" "$(cpu "$f") s" "$(mib "$(cut -d' ' -f2 "$f" | median)")" \
    "$(cut -d' ' -f1 "$v" | median) s / $(cpu "$v") s" "$(mib "$(cut -d' ' -f2 "$v" | median)")  ($same, $(wc -l < "$work/out-$label/hosts.cfg") lines)"
done
echo "(medians; CPU = user + system)"

if command -v hyperfine > /dev/null; then
  hyperfine -N --warmup 3 --runs 50 --style basic "${version_cmds[@]}" 2>&1 | grep -E "Benchmark|Time \(mean"
fi
