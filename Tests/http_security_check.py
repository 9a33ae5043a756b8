#!/usr/bin/env python3
"""`tcplab serve` against hostile and malformed requests: each gets its status, no byte from
outside the web root leaks, and an idle client is closed by the server. Prints one line per
case and `N passed, M failed`; exits non-zero on any failure.

Usage: http_security_check.py PATH/TO/tcplab"""
import os
import socket
import subprocess
import sys
import tempfile
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRET = "TOP-SECRET-" + uuid.uuid4().hex

VARIANTS = [
    ("GET / HTTP/1.1", 200),
    ("GET /index.html HTTP/1.1", 200),
    ("GET /sub/page.html HTTP/1.1", 200),
    ("GET /missing.html HTTP/1.1", 404),
    ("GET /../secret.txt HTTP/1.1", 404),
    ("GET /%2e%2e/secret.txt HTTP/1.1", 404),
    ("GET /%2E%2E/secret.txt HTTP/1.1", 404),
    ("GET /..%2fsecret.txt HTTP/1.1", 404),
    ("GET /%2e%2e%2fsecret.txt HTTP/1.1", 404),
    ("GET /sub/../../secret.txt HTTP/1.1", 404),
    ("GET /..\\secret.txt HTTP/1.1", 404),
    ("GET /%5c..%5csecret.txt HTTP/1.1", 404),
    ("GET /index.html%00.jpg HTTP/1.1", 404),
    ("GET /%zz HTTP/1.1", 404),
    ("GET //etc/passwd HTTP/1.1", 404),
    ("GET /link-file HTTP/1.1", 403),
    ("GET /link-dir/secret.txt HTTP/1.1", 403),
    ("GET etc/passwd HTTP/1.1", 404),
    ("GET http://127.0.0.1/../secret.txt HTTP/1.1", 404),
    ("POST / HTTP/1.1", 405),
    ("DELETE /index.html HTTP/1.1", 405),
    ("GET / HTTP/2.0", 505),
    ("GET /" + "a" * 10000 + " HTTP/1.1", 414),
]


def exchange(port, raw):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(raw)
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break  # a server that refuses a huge head closes with it unread, so its kernel resets
            if not chunk:
                break
            data += chunk
    parts = data.split(b" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    return status, data


def main():
    binary = sys.argv[1]
    base = tempfile.mkdtemp(prefix="tcplab-http-")
    root = os.path.join(base, "root")
    os.makedirs(os.path.join(root, "sub"))
    open(os.path.join(root, "index.html"), "w").write("<p>inside</p>\n")
    open(os.path.join(root, "sub", "page.html"), "w").write("nested\n")
    open(os.path.join(base, "secret.txt"), "w").write(SECRET)
    os.symlink(os.path.join(base, "secret.txt"), os.path.join(root, "link-file"))
    os.symlink(base, os.path.join(root, "link-dir"))
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    server = subprocess.Popen([binary, "serve", "experiment-61", "--experiments", os.path.join(ROOT, "Experiments"),
                               "--root", root, "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    passed = failed = 0

    def report(ok, text):
        nonlocal passed, failed
        passed, failed = passed + ok, failed + (not ok)
        print(("ok   " if ok else "FAIL ") + text)

    try:
        ready = server.stdout.readline().decode()  # printed once the listener exists
        report(ready.startswith("serving "), "server ready: " + ready.strip())
        for line, expected in VARIANTS:
            raw = (line + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").encode()
            status, data = exchange(port, raw)
            report(status == expected and SECRET.encode() not in data, f"{line[:60]} -> {status} (expected {expected})")
        for raw, expected, name in [
            (b"GARBAGE\r\n\r\n", 400, "garbage request line"),
            (b"GET / HTTP/1.1\r\n\r\n", 400, "HTTP/1.1 without Host"),
            (b"GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", 400, "header without a colon"),
            (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(100)) + b"\r\n", 431, "100 headers"),
            (b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"y" * 100000 + b"\r\n\r\n", 431, "a 100 KB header"),
            (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 9223372036854775807\r\n\r\n", 400, "Content-Length Int64.max"),
            (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1000\r\n\r\n", 400, "Content-Length -1000"),
            (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1 2\r\n\r\n", 400, "Content-Length 1 2"),
            (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400, "two different Content-Lengths"),
            (b"\x00\xff\xfe\r\n\r\n", 400, "binary bytes"),
        ]:
            status, data = exchange(port, raw)
            report(status == expected, f"{name} -> {status} (expected {expected})")
        status, data = exchange(port, b"HEAD /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        report(status == 200 and data.endswith(b"\r\n\r\n") and b"Content-Length: 14\r\n" in data, "HEAD answers without a body")
        # An idle client: the server's 1 s idle timeout must close it (recv returns b"", not a timeout).
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            try:
                report(s.recv(100) == b"", "an idle connection is closed by the server")
            except socket.timeout:
                report(False, "an idle connection is closed by the server (timed out instead)")
        # Bounded memory: the server's peak RSS over every hostile request above.
        with open(f"/proc/{server.pid}/status") as status_file:
            peak = next((int(l.split()[1]) for l in status_file if l.startswith("VmHWM:")), 0)
        report(peak < 512 * 1024, f"the server's peak RSS over all of them is {peak} KiB")
    finally:
        server.terminate()
        server.wait()
        subprocess.run(["rm", "-rf", base])
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
