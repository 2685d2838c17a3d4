#!/usr/bin/env python3
"""Each fsync of one program, and the block requests inside it, from `perf script` output.

    perf record -e block:block_rq_issue,block:block_rq_complete,syscalls:sys_enter_fsync,syscalls:sys_exit_fsync \
      -a -o fsync.data -- sleep 30            # while the program runs
    perf script -i fsync.data | bench/commit-probe/fsync-timeline.py [COMM-PREFIX] [SLOWEST]

COMM-PREFIX picks the program by its thread names (default ".NET", Tend's pool threads). Prints the fsyncs'
p50/p90/p99 and, for the SLOWEST (default 5), every block request issued or completed while that fsync ran (by
any process: the cache flush is issued by a kernel worker), with the time from the fsync's start, and the
idle time of the device between one request's completion and the next request's issue: time the fsync's
thread spent waiting to run again, not waiting for the disk.
"""
import re
import sys

prefix = sys.argv[1] if len(sys.argv) > 1 else ".NET"
slowest = int(sys.argv[2]) if len(sys.argv) > 2 else 5
line_re = re.compile(r"^\s*(.+?)\s+(\d+)\s+\[\d+\]\s+(\d+\.\d+):\s+(\S+):\s*(.*)$")
block_re = re.compile(r"^(\d+,\d+)\s+(\S+)")

open_fsyncs = {}  # tid -> (start ms, [events])
done = []
for line in sys.stdin:
    m = line_re.match(line)
    if not m:
        continue
    comm, tid, ts, event, rest = m.group(1), int(m.group(2)), float(m.group(3)) * 1000, m.group(4), m.group(5)
    if event == "syscalls:sys_enter_fsync" and comm.startswith(prefix):
        open_fsyncs[tid] = (ts, [])
    elif event == "syscalls:sys_exit_fsync" and tid in open_fsyncs:
        start, events = open_fsyncs.pop(tid)
        done.append((ts - start, start, events))
    elif event.startswith("block:block_rq_"):
        b = block_re.match(rest)
        kind = "issue" if event.endswith("issue") else "done"
        for start, events in open_fsyncs.values():
            events.append((ts - start, kind, b.group(2) if b else "?", comm))

if not done:
    sys.exit(f"no fsync by threads named {prefix}*")
durations = sorted(d for d, _, _ in done)
pick = lambda q: durations[min(len(durations) - 1, int(len(durations) * q))]
print(f"{len(durations)} fsyncs by {prefix}*: p50 {pick(0.5):.3f} ms, p90 {pick(0.9):.3f} ms, p99 {pick(0.99):.3f} ms, max {durations[-1]:.3f} ms")

idle_total = []
for duration, _, events in done:
    last_done, idle = None, 0.0
    for at, kind, _, _ in events:
        if kind == "done":
            last_done = at
        elif last_done is not None:
            idle += at - last_done
            last_done = None
    idle_total.append((duration, idle))
slow = sorted(idle_total, reverse=True)[: max(1, len(idle_total) // 10)]
print(f"slowest 10 %: fsync {sum(d for d, _ in slow) / len(slow):.3f} ms on average, of which "
      f"{sum(i for _, i in slow) / len(slow):.3f} ms between one request's completion and the next one's issue")
for duration, start, events in sorted(done, reverse=True)[:slowest]:
    print(f"\nfsync {duration:.3f} ms")
    last_done = None
    for at, kind, rwbs, comm in events:
        gap = f"   (+{at - last_done:.3f} ms after the last completion)" if kind == "issue" and last_done is not None else ""
        print(f"  {at:7.3f}  {kind:5} {rwbs:4} {comm}{gap}")
        last_done = at if kind == "done" else (None if kind == "issue" else last_done)
