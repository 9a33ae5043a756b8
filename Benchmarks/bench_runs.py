#!/usr/bin/env python3
"""make bench: what a run costs, side by side in one go.

1. Per-run overhead on experiment-1: `tcplab run` as a whole process, against the recipe people
   write by hand — start tcpdump --immediate-mode, wait for "listening on", run the same server
   and client, stop tcpdump, check the trace with tshark. The recipe's completeness is counted too.
2. `tcplab run --all` wall time against the sum and the maximum of the experiments run alone.
3. Capture completeness on 1 GiB full-speed loopback transfers with a headers-only snaplen
   (Benchmarks/experiments): lo as it is (TSO/GSO, 64 KiB frames), and MTU 1500 without offloads.
4. Runs in bulk: `tcplab run experiment-1 --repeat 200`, whose runs share one namespace and one
   capture, as wall time per run and as overhead per run beyond the experiment's own duration
   (its "experiment" phase in --timings), against 200 separate processes of one run each.
BENCH_RUNS (default 20) sets the repeats of (1); BENCH_SUITE_RUNS (default 3) those of (2)."""
import glob
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("TCPLAB", os.path.join(ROOT, ".build/release/tcplab"))
RUNS = int(os.environ.get("BENCH_RUNS", "20"))
SUITE_RUNS = int(os.environ.get("BENCH_SUITE_RUNS", "3"))
RECIPE_PORT = 12399  # not an experiment's port: the recipe runs on the host's own lo


def timed(command):
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return time.perf_counter() - start, done


def experiment1_endpoints(port):
    """experiment-1's server and client, as the lab's students write them."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(1)

    def serve():
        conn, _ = listener.accept()
        while True:
            data = conn.recv(1024)
            if not data:
                break
            conn.sendall(data.upper())
        conn.close()

    server = threading.Thread(target=serve)
    server.start()
    client = socket.create_connection(("127.0.0.1", port))
    client.sendall(b"Hello, World!")
    client.recv(1024)
    client.close()
    server.join()
    listener.close()


def recipe_once(directory):
    """The tcpdump-script recipe; returns (seconds, trace complete?)."""
    trace = os.path.join(directory, "recipe.pcap")
    start = time.perf_counter()
    tcpdump = subprocess.Popen(["tcpdump", "-i", "lo", "--immediate-mode", "-U", "-w", trace, f"tcp port {RECIPE_PORT}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in tcpdump.stderr:
        if "listening on" in line:
            break
    experiment1_endpoints(RECIPE_PORT)
    tcpdump.send_signal(signal.SIGINT)
    tcpdump.wait()
    rows = subprocess.run(["tshark", "-r", trace, "-T", "fields", "-e", "tcp.srcport", "-e", "tcp.len", "-e", "tcp.flags.fin",
                           "-e", "tcp.flags.syn"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.split("\n")
    seconds = time.perf_counter() - start
    rows = [r.split("\t") for r in rows if r]
    client = [r for r in rows if r[0] != str(RECIPE_PORT)]
    server = [r for r in rows if r[0] == str(RECIPE_PORT)]
    fins = [r[0] == str(RECIPE_PORT) for r in rows if r[2] in ("1", "True")]
    complete = (len(rows) == 10 and [r[1] for r in client if r[1] != "0"] == ["13"]
                and [r[1] for r in server if r[1] != "0"] == ["13"] and fins == [False, True])
    return seconds, complete


def overhead():
    with tempfile.TemporaryDirectory() as directory:
        ours = [timed([BIN, "run", "experiment-1", "--quiet", "--out", directory]) for _ in range(RUNS)]
        failed = [d for _, d in ours if d.returncode != 0]
        recipe = [recipe_once(directory) for _ in range(RUNS)]
    ours_ms = statistics.median(t for t, _ in ours) * 1000
    recipe_ms = statistics.median(t for t, _ in recipe) * 1000
    complete = sum(1 for _, ok in recipe if ok)
    print(f"1. experiment-1, whole process, median of {RUNS} (no scripted sleeps, so this is all overhead):")
    print(f"   tcplab run                    {ours_ms:7.1f} ms   passed {RUNS - len(failed)}/{RUNS}")
    print(f"   tcpdump + python + tshark     {recipe_ms:7.1f} ms   trace complete {complete}/{RUNS}")
    print(f"   ratio: the recipe takes {recipe_ms / ours_ms:.1f}x as long as tcplab")


def suite():
    names = sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(ROOT, "Experiments/*.json")) if not p.endswith(".schema.json"))
    with tempfile.TemporaryDirectory() as directory:
        alone = {}
        for name in names:
            alone[name] = statistics.median(timed([BIN, "run", name, "--quiet", "--out", directory])[0] for _ in range(SUITE_RUNS))
        together = statistics.median(timed([BIN, "run", "--all", "--quiet", "--out", directory])[0] for _ in range(SUITE_RUNS))
    longest = max(alone, key=alone.get)
    total = sum(alone.values())
    print(f"2. the suite ({len(names)} experiments, {os.cpu_count()} jobs), medians of {SUITE_RUNS}:")
    print(f"   tcplab run --all {together:6.2f} s;  longest alone ({longest}) {alone[longest]:6.2f} s;  sum alone {total:6.2f} s")
    print(f"   ratio: {together / alone[longest]:.2f}x the longest, {together / total:.2f}x the sum")


def bulk():
    print("3. capture completeness, 1 GiB at full speed over loopback, snaplen 128 (headers only):")
    with tempfile.TemporaryDirectory() as directory:
        for name, link in [("bulk-1g", "lo as is (TSO/GSO)"), ("bulk-1g-1500", "MTU 1500, offloads off")]:
            seconds, done = timed([BIN, "run", name, "--experiments", os.path.join(ROOT, "Benchmarks/experiments"),
                                   "--out", directory, "--quiet", "--timings"])
            line = next((l for l in done.stdout.split("\n") if " timings: " in l), "")
            experiment = re.search(r"experiment ([0-9.]+)(ms|s)", line)
            frames = re.search(r"; ([0-9]+) frames, ([0-9]+) dropped", line)
            if done.returncode != 0 or not experiment or not frames:
                print(f"   {name}: FAILED (exit {done.returncode}) {done.stdout[-300:]} {done.stderr[-300:]}")
                continue
            transfer = float(experiment.group(1)) / (1000 if experiment.group(2) == "ms" else 1)
            count, drops = int(frames.group(1)), int(frames.group(2))
            print(f"   {link:<24} {count:>9,} packets in {transfer:5.2f} s = {count / transfer:>11,.0f} packets/s, "
                  f"{2**30 / transfer / 1e9:4.2f} GB/s, dropped {drops}")


def duration(text):
    value = re.match(r"([0-9.]+)(µs|ms|s)", text)
    return float(value.group(1)) * {"µs": 1e-6, "ms": 1e-3, "s": 1.0}[value.group(2)]


def batch(count=200):
    with tempfile.TemporaryDirectory() as directory:
        seconds, done = timed([BIN, "run", "experiment-1", "--repeat", str(count), "--quiet", "--timings", "--out", directory])
        phases = [duration(m.group(1)) for m in re.finditer(r"[:,] experiment ([0-9.]+(?:µs|ms|s))", done.stdout)]
        tally = next((l for l in done.stdout.split("\n") if re.match(r"experiment-1: [0-9]+/[0-9]+ passed", l)), "no tally")
        alone = [timed([BIN, "run", "experiment-1", "--quiet", "--out", directory])[0] for _ in range(20)]
    if done.returncode != 0 or len(phases) != count:
        print(f"4. runs in bulk: FAILED (exit {done.returncode}, {len(phases)} timings) {done.stderr[-300:]}")
        return
    per_run = seconds / count * 1000
    overhead_ms = (seconds - sum(phases)) / count * 1000
    print(f"4. runs in bulk: tcplab run experiment-1 --repeat {count} ({tally}):")
    print(f"   {seconds:6.2f} s in all, {per_run:5.1f} ms a run, of which {overhead_ms:5.1f} ms is beyond the experiment itself "
          f"({sum(phases) / count * 1000:4.1f} ms); one run in its own process: {statistics.median(alone) * 1000:5.1f} ms (median of 20)")


def main():
    print(f"machine: {platform.system()} {platform.release()}, {platform.machine()}, {os.cpu_count()} cores")
    overhead()
    suite()
    bulk()
    batch()


if __name__ == "__main__":
    main()
