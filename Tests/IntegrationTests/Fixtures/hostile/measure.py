"""Runs one command and reports, as JSON, its exit status, output, wall time and peak RSS.

usage: measure.py SECONDS COMMAND... -- the command is killed after SECONDS.
Peak RSS is this script's children's (RUSAGE_CHILDREN): only the command.
"""
import json
import resource
import subprocess
import sys
import time

limit = float(sys.argv[1])
start = time.monotonic()
try:
    done = subprocess.run(sys.argv[2:], capture_output=True, timeout=limit)
    status, out, err, timed_out = done.returncode, done.stdout, done.stderr, False
except subprocess.TimeoutExpired as expired:
    status, out, err, timed_out = None, expired.stdout or b"", expired.stderr or b"", True
print(json.dumps({
    "status": status, "timedOut": timed_out, "seconds": time.monotonic() - start,
    "maxRSSKiB": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    "stdout": out.decode(errors="replace")[-4000:], "stderr": err.decode(errors="replace")[-4000:],
}))
