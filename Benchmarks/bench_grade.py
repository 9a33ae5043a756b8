#!/usr/bin/env python3
"""Grading speed: `tcplab grade` on a class folder of 500 student traces (about 20 packets each),
against the same 500 files checked by 500 sequential `tcplab check FILE --experiment NAME`
processes, each told the experiment grade reads from the file's name: the same work per file,
in one run. Prints both times (best of 3 for grade, one pass for the processes) and the ratio."""
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("TCPLAB", os.path.join(ROOT, ".build/release/tcplab"))
WORK = os.path.join(ROOT, ".build/bench/class")
SHAPES = {  # lab shape → the name a student gives it
    "lab-trace0-nat-sll.pcap": "trace0.pcap", "lab-trace1-nat-sll.pcap": "trace1.pcap",
    "lab-trace2-any.pcapng": "trace2.pcapng", "lab-trace3-vms-eth.pcap": "trace3.pcap",
    "lab-trace4-vms-eth.pcap": "trace4.pcap", "lab-http-12345-sll.pcap": "trace62.pcap",
    "lab-http-lengths-any.pcapng": "trace61.pcapng", "lab-trace1-cut-sll.pcap": "trace1-early.pcap",
    "lab-port-reuse-eth.pcap": "trace1-again.pcap", "lab-trace1-late-sll.pcap": "trace1-late.pcap",
}
STUDENTS = 50


def make_class():
    """50 students × 10 files, each student's captures their own (other ISNs and times)."""
    shutil.rmtree(WORK, ignore_errors=True)
    tools = os.path.join(ROOT, "Tests/IntegrationTests/Fixtures/corpus-tools/labshapes.py")
    files = []
    for n in range(1, STUDENTS + 1):
        shapes = os.path.join(WORK, "shapes", str(n))
        os.makedirs(shapes)
        subprocess.run([sys.executable, tools, shapes, "--variant", str(n)], check=True)
        student = os.path.join(WORK, "class", "s%02d" % n)
        os.makedirs(student)
        for shape, name in SHAPES.items():
            shutil.copy(os.path.join(shapes, shape), os.path.join(student, name))
            files.append(os.path.join(student, name))
    return os.path.join(WORK, "class"), files


def experiment_for(path):
    """What grade reads from the name: trace2.pcap → experiment-2, trace1-early.pcap → experiment-1."""
    stem = re.match(r"trace(\d+)", os.path.basename(path).lower()).group(1)
    return "experiment-" + stem


def main():
    folder, files = make_class()
    packets = sum(int(subprocess.run([BIN, "show", f, "--count-only"], capture_output=True, text=True).stdout.split()[0])
                  for f in files[:len(SHAPES)])
    rows = subprocess.run([BIN, "grade", folder, "--csv", os.path.join(WORK, "g.csv")], capture_output=True, text=True)
    graded = len(open(os.path.join(WORK, "g.csv")).read().splitlines()) - 1
    if graded != len(files):
        raise SystemExit("grade gave %d rows for %d files: %s" % (graded, len(files), rows.stderr))
    times = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([BIN, "grade", folder], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    for f in files:
        subprocess.run([BIN, "check", f, "--experiment", experiment_for(f)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sequential = time.perf_counter() - start
    best = min(times)
    print("grade: %d files (%d students, about %d packets each), %d rows" % (len(files), STUDENTS, packets // len(SHAPES), graded))
    print("  tcplab grade, best of 3:                    %.3f s (median %.3f s)" % (best, statistics.median(times)))
    print("  %d sequential tcplab check processes:      %.3f s" % (len(files), sequential))
    print("  ratio: %.1f× faster; %s the 2 s goal" % (sequential / best, "within" if best < 2 else "OVER"))


if __name__ == "__main__":
    main()
