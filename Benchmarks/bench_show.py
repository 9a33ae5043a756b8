#!/usr/bin/env python3
"""tcplab against tcpdump and tshark on the same 1M-packet capture, in one run, like with like.

Each row names what every tool does, so no ratio compares tcplab doing less with another tool
doing more:

- listing: one line per packet, to /dev/null (`tcplab show`, `tcpdump -nr`, `tshark -n -r`);
  each tool's output is checked once for one line per packet, so a fast wrong answer fails;
- analysis without listing: tcplab's count and TCP analysis (`show --count-only`) and its
  conversation table (`show --conversations`) against tshark's (`tshark -q -z conv,tcp`), and
  tcpdump reading and rewriting the file without decoding it (`tcpdump -r … -w /dev/null`);
- the paths a TA uses on a big capture (`check`, `check --json`, `check` ranking every
  experiment, `show --explain`, `show --ladder`, `show --json`): time and peak RSS.

Times are the best of several runs (the page cache is warmed first, for every tool alike);
peak RSS comes from wait4's ru_maxrss."""
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("TCPLAB", os.path.join(ROOT, ".build/release/tcplab"))
CAPTURE = os.path.join(ROOT, ".build/bench/capture-1m.pcap")
PACKETS = 1_000_000


def measure(command):
    """Seconds and peak RSS (MB) of one run, its output to /dev/null. GNU time reports the
    RSS: a child's own ru_maxrss would count this script's memory from before the exec."""
    with tempfile.NamedTemporaryFile("r") as report:
        start = time.perf_counter()
        status = subprocess.run(["/usr/bin/time", "-q", "-f", "%M", "-o", report.name] + command,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        seconds = time.perf_counter() - start
        text = report.read().strip().splitlines()
        rss = int(text[-1]) / 1024 if text and text[-1].isdigit() else float("nan")
    return seconds, rss, status


def best(command, runs, allowed=(0,)):
    results = [measure(command) for _ in range(runs)]
    for _, _, code in results:
        if code not in allowed:
            sys.exit(f"{' '.join(command)} exited {code}")
    return min(r[0] for r in results), max(r[1] for r in results)


def lines(command):
    """The number of lines `command` prints, counted as they stream past."""
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    count = 0
    while chunk := child.stdout.read(1 << 20):
        count += chunk.count(b"\n")
    if child.wait() != 0:
        sys.exit(f"{' '.join(command)} failed")
    return count


def main():
    os.makedirs(os.path.dirname(CAPTURE), exist_ok=True)
    if not os.path.exists(CAPTURE):
        subprocess.run([sys.executable, os.path.join(ROOT, "Benchmarks/make_capture.py"), CAPTURE, str(PACKETS)], check=True)
    with open(CAPTURE, "rb") as f:  # warm the page cache for every tool alike
        while f.read(1 << 24):
            pass
    have = {tool: shutil.which(tool) is not None for tool in ("tcpdump", "tshark")}
    if not os.path.exists("/usr/bin/time"):
        sys.exit("the peak RSS column needs GNU time: apt-get install time")
    listing = {"tcplab show": [BIN, "show", CAPTURE],
               "tcpdump -nr": ["tcpdump", "-nr", CAPTURE],
               "tshark -n -r": ["tshark", "-n", "-r", CAPTURE]}
    # The output is checked once: one line per packet (tcplab adds its header line).
    expected = {"tcplab show": PACKETS + 1, "tcpdump -nr": PACKETS, "tshark -n -r": PACKETS}
    for name, command in listing.items():
        if name != "tcplab show" and not have[command[0]]:
            continue
        got = lines(command)
        if got != expected[name]:
            sys.exit(f"{name} printed {got} lines, expected {expected[name]}")
    runs = {"tcplab": 5, "tcpdump": 3, "tshark": 3}

    def row(name, command, allowed=(0,), times=None):
        tool = command[0] if command[0] in have else "tcplab"
        if tool != "tcplab" and not have[tool]:
            return None
        seconds, rss = best(command, times or runs[tool], allowed)
        return name, seconds, rss

    size = os.path.getsize(CAPTURE) / 1e6
    print(f"capture: {CAPTURE} ({PACKETS:,} packets, {size:.0f} MB); {platform.machine()}, {os.cpu_count()} cores")
    print(f"{'':<44} {'best':>9} {'peak RSS':>10}")

    def table(title, rows, reference):
        rows = [r for r in rows if r]
        print(title)
        for name, seconds, rss in rows:
            print(f"  {name:<42} {seconds:8.3f}s {rss:8.0f} MB")
        ours = {n: s for n, s, _ in rows}
        ref = ours[reference]
        for name, seconds in ours.items():
            if name != reference:
                print(f"  {reference} is {seconds / ref:.1f}x as fast as {name}")

    table("listing: one line per packet, to /dev/null",
          [row(n, c) for n, c in listing.items()], "tcplab show")
    table("analysis without listing",
          [row("tcplab show --count-only (TCP analysis)", [BIN, "show", "--count-only", CAPTURE]),
           row("tcplab show --conversations", [BIN, "show", "--conversations", CAPTURE]),
           row("tshark -q -z conv,tcp (conversations)", ["tshark", "-n", "-q", "-z", "conv,tcp", "-r", CAPTURE]),
           row("tcpdump -r -w /dev/null (copy, no decoding)", ["tcpdump", "-r", CAPTURE, "-w", "/dev/null"])],
          "tcplab show --conversations")
    with tempfile.TemporaryDirectory() as scratch:
        ladder = os.path.join(scratch, "ladder.svg")
        rows = [row("tcplab check --experiment experiment-1", [BIN, "check", CAPTURE, "--experiment", "experiment-1"], (0, 1), 2),
                row("tcplab check --experiment experiment-1 --json", [BIN, "check", CAPTURE, "--experiment", "experiment-1",
                                                                    "--json", os.path.join(scratch, "check.json")], (0, 1), 2),
                row("tcplab check (ranks every experiment)", [BIN, "check", CAPTURE], (0, 1), 2),
                row("tcplab show --explain", [BIN, "show", "--explain", CAPTURE], times=2),
                row("tcplab show --ladder FILE.svg", [BIN, "show", "--ladder", ladder, "--count-only", CAPTURE], times=2),
                row("tcplab show --json", [BIN, "show", "--json", CAPTURE], times=2)]
        print("a TA's paths on 1M packets (time and peak RSS)")
        for name, seconds, rss in rows:
            print(f"  {name:<42} {seconds:8.3f}s {rss:8.0f} MB")


if __name__ == "__main__":
    main()
