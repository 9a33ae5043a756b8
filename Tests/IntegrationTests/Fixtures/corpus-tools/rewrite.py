#!/usr/bin/env python3
"""Makes one machine's capture look like another's: new addresses and a new server port.

  rewrite.py IN OUT --server-port OLD:NEW --client-ip A --server-ip B

For classic pcap files of Ethernet (EN10MB) or Linux cooked (SLL) frames carrying IPv4: every
TCP segment to the old server port goes from A to B, every one from it from B to A, and the
port becomes NEW. Checksums are recomputed, so the file reads like a capture of two machines.
"""
import argparse
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labshapes import checksum  # noqa: E402  (the one Internet checksum of these tools)


def rewrite(frame, link_header, old, new, client, server):
    ip = bytearray(frame[link_header:])
    if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 6:
        return frame
    ihl = (ip[0] & 0x0F) * 4
    total = struct.unpack("!H", ip[2:4])[0]
    tcp = ip[ihl:total]
    sport, dport = struct.unpack("!HH", tcp[0:4])
    if dport == old:
        ip[12:16], ip[16:20], dport = client, server, new
    elif sport == old:
        ip[12:16], ip[16:20], sport = server, client, new
    else:
        return frame
    tcp[0:4] = struct.pack("!HH", sport, dport)
    tcp[16:18] = b"\x00\x00"
    pseudo = bytes(ip[12:20]) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp[16:18] = struct.pack("!H", checksum(pseudo + bytes(tcp)))
    ip[ihl:total] = tcp
    ip[10:12] = b"\x00\x00"
    ip[10:12] = struct.pack("!H", checksum(bytes(ip[:ihl])))
    return frame[:link_header] + bytes(ip)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--server-port", required=True)
    parser.add_argument("--client-ip", required=True)
    parser.add_argument("--server-ip", required=True)
    args = parser.parse_args()
    old, new = (int(x) for x in args.server_port.split(":"))
    client = bytes(int(x) for x in args.client_ip.split("."))
    server = bytes(int(x) for x in args.server_ip.split("."))
    data = open(args.input, "rb").read()
    endian = "<" if struct.unpack("<I", data[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0] & 0x0FFFFFFF
    link_header = {1: 14, 113: 16}[linktype]
    out = [data[:24]]
    offset = 24
    while offset + 16 <= len(data):
        ts, frac, incl, orig = struct.unpack(endian + "IIII", data[offset:offset + 16])
        frame = rewrite(data[offset + 16:offset + 16 + incl], link_header, old, new, client, server)
        out.append(struct.pack(endian + "IIII", ts, frac, len(frame), orig) + frame)
        offset += 16 + incl
    open(args.output, "wb").write(b"".join(out))


if __name__ == "__main__":
    main()
