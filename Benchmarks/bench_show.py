#!/usr/bin/env python3
"""Decode + TCP analysis throughput: `tcplab show --count-only` against `tshark -r` and
`tcpdump -nr` on the same 1M-packet capture, measured side by side in one run.

tcplab reads and decodes on one thread while the analysis runs on another; it is timed as it
runs (both cores) and pinned to one core with taskset. Prints seconds (best and median of
several runs for tcplab, best of a few for the others), packets/s and the ratios."""
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("TCPLAB", os.path.join(ROOT, ".build/release/tcplab"))
CAPTURE = os.path.join(ROOT, ".build/bench/capture-1m.pcap")
PACKETS = 1_000_000


def timings(runs, command):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main():
    os.makedirs(os.path.dirname(CAPTURE), exist_ok=True)
    if not os.path.exists(CAPTURE):
        subprocess.run([sys.executable, os.path.join(ROOT, "Benchmarks/make_capture.py"), CAPTURE, str(PACKETS)], check=True)
    with open(CAPTURE, "rb") as f:  # warm the page cache for every tool alike
        while f.read(1 << 24):
            pass
    ours = [BIN, "show", "--count-only", CAPTURE]
    # The output is checked once, so a fast wrong answer cannot pass for a fast one.
    counted = subprocess.run(ours, capture_output=True, text=True, check=True).stdout.strip()
    expected = f"{PACKETS} packets, {PACKETS} TCP segments"
    if not counted.startswith(expected):
        sys.exit(f"tcplab counted '{counted}', expected '{expected}, …'")
    rows = [("tcplab show --count-only", *timings(21, ours))]
    if shutil.which("taskset"):
        rows.append(("  the same on one core", *timings(11, ["taskset", "-c", "0"] + ours)))
    rows.append(("tcpdump -nr", *timings(3, ["tcpdump", "-nr", CAPTURE])))
    rows.append(("tshark -r", *timings(2, ["tshark", "-n", "-r", CAPTURE])))
    size = os.path.getsize(CAPTURE) / 1e6
    print(f"capture: {CAPTURE} ({PACKETS:,} packets, {size:.0f} MB); {platform.machine()}, {os.cpu_count()} cores")
    print(f"{'':<26} {'best':>9} {'median':>9} {'packets/s (best)':>18}")
    for name, best, median in rows:
        print(f"{name:<26} {best:8.3f}s {median:8.3f}s {PACKETS / best:18,.0f}")
    best = {name: b for name, b, _ in rows}
    median = {name: m for name, _, m in rows}
    ours_best, ours_median = best["tcplab show --count-only"], median["tcplab show --count-only"]
    print(f"ratio (best to best): {best['tshark -r'] / ours_best:.1f}x tshark, {best['tcpdump -nr'] / ours_best:.1f}x tcpdump")
    print(f"ratio (tcplab's median to their best): {best['tshark -r'] / ours_median:.1f}x tshark, "
          f"{best['tcpdump -nr'] / ours_median:.1f}x tcpdump")
    if "  the same on one core" in best:
        one = best["  the same on one core"]
        print(f"one core: {PACKETS / one / 1e6:.2f} M packets/s, {best['tshark -r'] / one:.1f}x tshark, "
              f"{best['tcpdump -nr'] / one:.1f}x tcpdump")


if __name__ == "__main__":
    main()
