#!/usr/bin/python3
"""The operations of bench/Tend.Stores.Bench.ZooKeeper, done with kazoo (Debian python3-kazoo).

Usage: kazoo_bench.py host:port N   -- prints "name=value" lines: throughput (ops/s) and client
CPU time per operation (us, all threads of this process) of each phase, then the watch latency.
"""
import sys
import threading
import time
import uuid

from kazoo.client import KazooClient

WARM_UP = 500
PAYLOAD = b"x" * 100


def measure(out, name, n, fn):
    cpu = time.process_time()
    start = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    out.append((f"{name} (ops/s)", f"{n / elapsed:.0f}"))
    out.append((f"{name} CPU (us/op)", f"{cpu * 1e6 / n:.1f}"))


def pipelined(make, n):
    results = [make(i) for i in range(n)]
    for r in results:
        r.get()


def main():
    hosts, n = sys.argv[1], int(sys.argv[2])
    zk = KazooClient(hosts=hosts, timeout=10.0)
    zk.start()
    root = "/bench-kazoo-" + uuid.uuid4().hex[:8]
    zk.create(root)

    # Warm-up of every operation kind, not measured (the .NET side does the same).
    zk.create(root + "/warm")
    for i in range(WARM_UP):
        zk.create(f"{root}/warm/{i}", PAYLOAD)
        zk.get(f"{root}/warm/{i}")
        zk.set(f"{root}/warm/{i}", PAYLOAD)
    pipelined(lambda i: zk.get_async(f"{root}/warm/{i}"), WARM_UP)

    out = []
    zk.create(root + "/seq")
    measure(out, "sequential create", n, lambda: [zk.create(f"{root}/seq/{i}", PAYLOAD) for i in range(n)])
    measure(out, "sequential get", n, lambda: [zk.get(f"{root}/seq/{i}") for i in range(n)])
    measure(out, "sequential set", n, lambda: [zk.set(f"{root}/seq/{i}", PAYLOAD) for i in range(n)])

    zk.create(root + "/pip")
    measure(out, "pipelined create", n, lambda: pipelined(lambda i: zk.create_async(f"{root}/pip/{i}", PAYLOAD), n))
    measure(out, "pipelined get", n, lambda: pipelined(lambda i: zk.get_async(f"{root}/pip/{i}"), n))
    measure(out, "pipelined set", n, lambda: pipelined(lambda i: zk.set_async(f"{root}/pip/{i}", PAYLOAD), n))

    writer = KazooClient(hosts=hosts, timeout=10.0)
    writer.start()
    writer.create(root + "/lat", PAYLOAD)
    seen = {"event": threading.Event(), "at": 0.0}

    def on_event(_event):
        seen["at"] = time.perf_counter()
        seen["event"].set()

    # Debian's kazoo 2.8 has no add_watch: a one-shot data watch, armed before each write (both sides do this).
    samples = []
    for _ in range(min(n, 1000)):
        seen["event"].clear()
        zk.get(root + "/lat", watch=on_event)
        start = time.perf_counter()
        writer.set(root + "/lat", PAYLOAD)
        if not seen["event"].wait(10):
            raise SystemExit("watch event did not arrive")
        samples.append((seen["at"] - start) * 1000.0)
    samples.sort()
    out.append(("set → watch event p50 (ms)", f"{samples[len(samples) // 2]:.3f}"))
    out.append(("set → watch event p99 (ms)", f"{samples[int(len(samples) * 0.99)]:.3f}"))

    # Leave the server as we found it, so later rounds see the same tree size.
    zk.delete(root, recursive=True)
    writer.stop()
    zk.stop()
    for name, value in out:
        print(f"{name}={value}")


if __name__ == "__main__":
    main()
