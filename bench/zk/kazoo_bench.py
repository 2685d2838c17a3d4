#!/usr/bin/python3
"""The operations of bench/Tend.Stores.Bench.ZooKeeper, done with kazoo (Debian python3-kazoo).

Usage: kazoo_bench.py host:port N   -- prints "name=value" lines.
"""
import sys
import threading
import time
import uuid

from kazoo.client import KazooClient


def rate(n, elapsed):
    return f"{n / elapsed:,.0f}"


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main():
    hosts, n = sys.argv[1], int(sys.argv[2])
    zk = KazooClient(hosts=hosts, timeout=10.0)
    zk.start()
    root = "/bench-kazoo-" + uuid.uuid4().hex[:8]
    payload = b"x" * 100
    zk.create(root)
    zk.create(root + "/warm", payload)
    for _ in range(500):
        zk.get(root + "/warm")

    zk.create(root + "/seq")
    out = []
    out.append(("sequential create (ops/s)", rate(n, timed(lambda: [zk.create(f"{root}/seq/{i}", payload) for i in range(n)]))))
    out.append(("sequential get (ops/s)", rate(n, timed(lambda: [zk.get(f"{root}/seq/{i}") for i in range(n)]))))
    out.append(("sequential set (ops/s)", rate(n, timed(lambda: [zk.set(f"{root}/seq/{i}", payload) for i in range(n)]))))

    zk.create(root + "/pip")

    def pipelined(make):
        results = [make(i) for i in range(n)]
        for r in results:
            r.get()

    out.append(("pipelined create (ops/s)", rate(n, timed(lambda: pipelined(lambda i: zk.create_async(f"{root}/pip/{i}", payload))))))
    out.append(("pipelined get (ops/s)", rate(n, timed(lambda: pipelined(lambda i: zk.get_async(f"{root}/pip/{i}"))))))
    out.append(("pipelined set (ops/s)", rate(n, timed(lambda: pipelined(lambda i: zk.set_async(f"{root}/pip/{i}", payload))))))

    writer = KazooClient(hosts=hosts, timeout=10.0)
    writer.start()
    writer.create(root + "/lat", payload)
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
        writer.set(root + "/lat", payload)
        if not seen["event"].wait(10):
            raise SystemExit("watch event did not arrive")
        samples.append((seen["at"] - start) * 1000.0)
    samples.sort()
    out.append(("set → watch event p50 (ms)", f"{samples[len(samples) // 2]:.3f}"))
    out.append(("set → watch event p99 (ms)", f"{samples[int(len(samples) * 0.99)]:.3f}"))

    writer.stop()
    zk.stop()
    for name, value in out:
        print(f"{name}={value}")


if __name__ == "__main__":
    main()
