#!/usr/bin/env python3
"""Writes a large classic pcap of synthetic but well-formed TCP traffic for `make bench-show`.

Usage: make_capture.py OUT.pcap [PACKETS]   (default 1,000,000 packets, about 200 MB)

Many interleaved connections, each with a handshake, data in both directions with ACKs,
timestamps options, and a FIN close, so a decoder does the same work as on a real trace.
Deterministic (fixed seed), so runs compare like with like.
"""
import argparse
import random
import struct

FLOWS_AT_ONCE = 64
SEGMENTS_PER_FLOW = 400


def checksum_free_ipv4(src, dst, payload_len):
    total = 20 + payload_len
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 0, 0x4000, 64, 6, 0, src, dst)


def tcp_header(sport, dport, seq, ack, flags, window, tsval, tsecr, syn=False):
    if syn:
        options = struct.pack("!BBH", 2, 4, 1460) + bytes([4, 2]) + struct.pack("!BBII", 8, 10, tsval, tsecr) + bytes([1, 3, 3, 7])
    else:
        options = bytes([1, 1]) + struct.pack("!BBII", 8, 10, tsval, tsecr)
    offset = (20 + len(options)) // 4
    return struct.pack("!HHIIHHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                       (offset << 12) | flags, window, 0, 0) + options


class Flow:
    def __init__(self, n, rng):
        self.client = bytes([10, 0, (n >> 8) & 0xFF, n & 0xFF])
        self.server = bytes([10, 1, 0, 1])
        self.cport = 20000 + n % 40000
        self.sport = 443 if n % 2 else 80
        self.cseq = rng.getrandbits(32)
        self.sseq = rng.getrandbits(32)
        self.step = 0
        self.rng = rng

    def frames(self):
        """Yields (direction, flags, payload_len, syn) for the whole connection."""
        yield ("c", 0x002, 0, True)
        yield ("s", 0x012, 0, True)
        yield ("c", 0x010, 0, False)
        for i in range(SEGMENTS_PER_FLOW):
            side = "s" if i % 3 else "c"
            yield (side, 0x018, self.rng.choice((120, 200, 400)), False)
            yield ("c" if side == "s" else "s", 0x010, 0, False)
        yield ("c", 0x011, 0, False)
        yield ("s", 0x011, 0, False)
        yield ("c", 0x010, 0, False)


def main():
    parser = argparse.ArgumentParser(description="Writes a synthetic TCP capture for make bench-show.")
    parser.add_argument("out", metavar="OUT.pcap")
    parser.add_argument("packets", nargs="?", type=int, default=1_000_000)
    arguments = parser.parse_args()
    out, total = arguments.out, arguments.packets
    if total < 1:
        parser.error("PACKETS must be at least 1")
    rng = random.Random(7)
    payload = bytes(rng.getrandbits(8) for _ in range(1448))
    ethernet = bytes(6) + bytes([2, 0, 0, 0, 0, 1]) + b"\x08\x00"
    written = 0
    next_flow = 0
    t = 1_700_000_000.0
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        active = []
        while written < total:
            while len(active) < FLOWS_AT_ONCE:
                flow = Flow(next_flow, rng)
                next_flow += 1
                active.append((flow, flow.frames()))
            i = rng.randrange(len(active))
            flow, gen = active[i]
            step = next(gen, None)
            if step is None:
                active.pop(i)
                continue
            side, flags, length, syn = step
            if side == "c":
                src, dst, sp, dp, seq, ack = flow.client, flow.server, flow.cport, flow.sport, flow.cseq, flow.sseq
            else:
                src, dst, sp, dp, seq, ack = flow.server, flow.client, flow.sport, flow.cport, flow.sseq, flow.cseq
            tcp = tcp_header(sp, dp, seq, ack if flags & 0x010 else 0, flags, 502, written & 0xFFFFFFFF, written, syn)
            frame = ethernet + checksum_free_ipv4(src, dst, len(tcp) + length) + tcp + payload[:length]
            advance = length + (1 if flags & 0x003 else 0)
            if side == "c":
                flow.cseq += advance
            else:
                flow.sseq += advance
            t += 0.00001
            sec = int(t)
            f.write(struct.pack("<IIII", sec, int((t - sec) * 1e6), len(frame), len(frame)))
            f.write(frame)
            written += 1
    print(f"wrote {written} packets to {out}")


if __name__ == "__main__":
    main()
