#!/usr/bin/env python3
"""make bench-sandbox: what the sandbox costs, against the same work at --isolation none, in one go.

1. Cost per program start: `tcplab run experiment-2 --endpoints lab --repeat N` (two programs per
   run, the lab's own code) at --isolation sandbox and at --isolation none, alternated so both see
   the same machine; (sandbox - none) / (2 N) is what the sandbox adds to each program's start.
   The patterns and pass counts of both are printed too: the sandbox must not change them.
2. `grade --code` of 40 students x 5 runs of experiment-2 (each the lab's server, from its own
   folder) at both levels: the ratio is the sandbox's share of a class's grading.
BENCH_SANDBOX_RUNS (default 50) sets N of (1); BENCH_SANDBOX_ROUNDS (default 3) how often each is timed."""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("TCPLAB", os.path.join(ROOT, ".build/release/tcplab"))
RUNS = int(os.environ.get("BENCH_SANDBOX_RUNS", "50"))
ROUNDS = int(os.environ.get("BENCH_SANDBOX_ROUNDS", "3"))
EXPERIMENTS = os.path.join(ROOT, "Experiments")


# Both levels must run the same python3: the sandbox drops PATH folders it hides (a home's pyenv
# shims, whose bash wrapper costs more than the sandbox), so both get the system's PATH.
ENVIRONMENT = dict(os.environ, PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")


def timed(command, cwd):
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=ENVIRONMENT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return time.perf_counter() - start, done


def patterns(output):
    """The `N× pattern (status)` lines of a --repeat run, without the example trace's name."""
    return sorted(re.sub(r" — e\.g\. .*", "", line.strip()) for line in output.splitlines() if re.match(r"\s+\d+× ", line))


def program_starts(work):
    times = {"sandbox": [], "none": []}
    seen = {}
    for _ in range(ROUNDS):
        for level in ("sandbox", "none"):
            elapsed, done = timed([BIN, "run", "experiment-2", "--endpoints", "lab", "--repeat", str(RUNS), "--quiet",
                                   "--isolation", level, "--experiments", EXPERIMENTS, "--out", os.path.join(work, level)], work)
            if done.returncode not in (0, 1):
                sys.exit(f"run at --isolation {level} failed ({done.returncode}): {done.stderr.strip()}")
            times[level].append(elapsed)
            seen.setdefault(level, patterns(done.stdout))
    print(f"1. experiment-2 --endpoints lab --repeat {RUNS}, {ROUNDS} rounds each (min / median / max seconds):")
    for level, values in times.items():
        print(f"   --isolation {level:8} {min(values):6.2f} / {statistics.median(values):6.2f} / {max(values):6.2f}")
        for line in seen[level]:
            print(f"      {line}")
    added = (statistics.median(times["sandbox"]) - statistics.median(times["none"])) / (2 * RUNS)
    print(f"   the sandbox adds {added * 1000:.1f} ms per program start (median of the rounds; goal <= 20 ms)")


def class_folder(work):
    folder = os.path.join(work, "class")
    for i in range(40):
        student = os.path.join(folder, f"student{i:02}")
        os.makedirs(student)
        shutil.copy(os.path.join(EXPERIMENTS, "lab", "server.py"), os.path.join(student, "server.py"))
        with open(os.path.join(student, "tcplab.json"), "w") as f:
            f.write('{"experiment-2": {"server": "python3 server.py {port} 5"}}')
    return folder


def grading(work):
    folder = class_folder(work)
    times = {"sandbox": [], "none": []}
    for _ in range(ROUNDS):
        for level in ("sandbox", "none"):
            out = os.path.join(work, "graded-" + level)
            shutil.rmtree(out, ignore_errors=True)
            elapsed, done = timed([BIN, "grade", "--code", folder, "--experiment", "experiment-2", "--repeat", "5",
                                   "--isolation", level, "--experiments", EXPERIMENTS, "--out", out], work)
            if done.returncode != 0:
                sys.exit(f"grade --code at --isolation {level} failed ({done.returncode}): {done.stdout[-400:]}{done.stderr.strip()}")
            passed = sum(1 for line in done.stdout.splitlines() if re.match(r"student\d+ .* 5/5", line))
            times[level].append(elapsed)
    print(f"2. grade --code, 40 students x 5 runs of experiment-2, {ROUNDS} rounds each (min / median / max seconds):")
    for level, values in times.items():
        print(f"   --isolation {level:8} {min(values):6.2f} / {statistics.median(values):6.2f} / {max(values):6.2f}")
    ratio = statistics.median(times["sandbox"]) / statistics.median(times["none"])
    print(f"   sandbox / none = {ratio:.2f} (goal <= 1.2); {passed}/40 students passed 5/5 in the last round")


def main():
    if os.geteuid() != 0:
        sys.exit("bench_sandbox.py needs root, as runs with programs do")
    with tempfile.TemporaryDirectory(prefix="tcplab-bench-sandbox-") as work:
        program_starts(work)
        grading(work)


if __name__ == "__main__":
    main()
