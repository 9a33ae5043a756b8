#!/usr/bin/env python3
"""TCP traffic generators for the tcplab capture corpus (see ../make_corpus.sh).

Every mode only talks to the address it is given; make_corpus.sh only ever
passes loopback addresses or addresses inside its own network namespaces.

  exchange  HOST PORT [--close client|server|reset] [--count N] [--gap S]
            server + client in one process: N small request/response pairs
            (ping-pong, so each message is its own segment, S seconds apart),
            then a close.
  refused   HOST PORT        connect to a port nobody listens on (SYN, RST/ACK)
  bulk-recv HOST PORT [--ready FILE] [--rcvbuf N]
            accept one connection, read to EOF, close.
  bulk-send HOST PORT --bytes N [--cc ALGO] [--sndbuf N] [--lazy-ack S]
            connect, send N bytes, half-close, wait for the peer's FIN.
  zerowin   HOST PORT [--bytes N] [--stall S]
            server with a tiny SO_RCVBUF that does not read for S seconds,
            then drains slowly; the client keeps sending -> ZeroWindow.
"""
import argparse
import socket
import struct
import sys
import threading
import time

TIMEOUT = 30.0


def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def listener(host, port, rcvbuf=None):
    s = socket.socket(family_of(host), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind((host, port))
    s.listen(4)
    s.settimeout(TIMEOUT)
    return s


def exchange(host, port, count, close, gap):
    srv = listener(host, port)
    errors = []

    def serve():
        try:
            conn, _ = srv.accept()
            conn.settimeout(TIMEOUT)
            f = conn.makefile("rb")
            n = 0
            while True:
                line = f.readline()
                if not line:
                    break  # client closed (FIN or RST)
                n += 1
                reply = b"reply %d to %s" % (n, line.strip())
                conn.sendall(reply + b"\n")
                if close == "server" and n == count:
                    time.sleep(0.05)
                    break
            f.close()
            conn.close()
        except (ConnectionResetError, OSError) as e:
            if close != "reset":
                errors.append(e)
        finally:
            srv.close()

    t = threading.Thread(target=serve)
    t.start()
    c = socket.create_connection((host, port), timeout=TIMEOUT)
    f = c.makefile("rb")
    for i in range(1, count + 1):
        c.sendall(b"message %d from client (%s close)\n" % (i, close.encode()))
        if not f.readline():
            raise SystemExit("server closed early")
        time.sleep(gap)
    if close == "client":
        c.shutdown(socket.SHUT_WR)
        assert f.read() == b""
    elif close == "server":
        assert f.read() == b""  # wait for the server's FIN
    elif close == "reset":
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    f.close()
    c.close()
    t.join(TIMEOUT)
    if errors:
        raise SystemExit("server error: %r" % errors)


def refused(host, port):
    try:
        socket.create_connection((host, port), timeout=5).close()
    except ConnectionRefusedError:
        return
    raise SystemExit("expected ECONNREFUSED on %s:%d" % (host, port))


def bulk_recv(host, port, ready, rcvbuf):
    srv = listener(host, port, rcvbuf)
    if ready:
        with open(ready, "w") as r:
            r.write("listening\n")
    conn, _ = srv.accept()
    conn.settimeout(TIMEOUT)
    total = 0
    while True:
        b = conn.recv(65536)
        if not b:
            break
        total += len(b)
    conn.close()
    srv.close()
    print("received %d bytes" % total)


def bulk_send(host, port, nbytes, cc, sndbuf, lazy_ack):
    s = socket.socket(family_of(host), socket.SOCK_STREAM)
    if lazy_ack:
        # Delayed-ACK ("pingpong") mode before connect: the kernel holds back
        # the handshake's final ACK and lets the first data segment carry it.
        # We wait lazy_ack seconds before sending, so the first RTT that
        # tshark measures (SYN -> first ACK) is about lazy_ack; tshark uses
        # it as its Out-Of-Order threshold.
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 0)
    if sndbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
    if cc:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, cc.encode())
    s.settimeout(TIMEOUT)
    s.connect((host, port))
    if lazy_ack:
        time.sleep(lazy_ack)
    chunk = bytes(range(256)) * 256
    sent = 0
    while sent < nbytes:
        n = min(len(chunk), nbytes - sent)
        s.sendall(chunk[:n])
        sent += n
    s.shutdown(socket.SHUT_WR)
    while s.recv(4096):
        pass
    s.close()
    print("sent %d bytes" % sent)


def zerowin(host, port, nbytes, stall):
    srv = listener(host, port, rcvbuf=2048)
    got = []

    def serve():
        conn, _ = srv.accept()
        conn.settimeout(TIMEOUT)
        time.sleep(stall)  # receive buffer fills up -> ZeroWindow
        total = 0
        while True:
            b = conn.recv(1024)
            if not b:
                break
            total += len(b)
            time.sleep(0.01)  # drain slowly -> window updates
        conn.close()
        srv.close()
        got.append(total)

    t = threading.Thread(target=serve)
    t.start()
    c = socket.socket(family_of(host), socket.SOCK_STREAM)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8192)
    c.settimeout(TIMEOUT)
    c.connect((host, port))
    c.sendall(b"z" * nbytes)
    c.shutdown(socket.SHUT_WR)
    while c.recv(4096):
        pass
    c.close()
    t.join(TIMEOUT)
    if got != [nbytes]:
        raise SystemExit("zerowin: receiver got %r of %d" % (got, nbytes))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode")
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--count", type=int, default=3)
    p.add_argument("--gap", type=float, default=0.02)
    p.add_argument("--close", default="client", choices=["client", "server", "reset"])
    p.add_argument("--ready")
    p.add_argument("--rcvbuf", type=int)
    p.add_argument("--sndbuf", type=int)
    p.add_argument("--bytes", type=int, default=400000)
    p.add_argument("--cc")
    p.add_argument("--lazy-ack", type=float, default=0.0)
    p.add_argument("--stall", type=float, default=1.5)
    a = p.parse_args()
    if a.mode == "exchange":
        exchange(a.host, a.port, a.count, a.close, a.gap)
    elif a.mode == "refused":
        refused(a.host, a.port)
    elif a.mode == "bulk-recv":
        bulk_recv(a.host, a.port, a.ready, a.rcvbuf)
    elif a.mode == "bulk-send":
        bulk_send(a.host, a.port, a.bytes, a.cc, a.sndbuf, a.lazy_ack)
    elif a.mode == "zerowin":
        zerowin(a.host, a.port, a.bytes, a.stall)
    else:
        p.error("unknown mode " + a.mode)


if __name__ == "__main__":
    main()
