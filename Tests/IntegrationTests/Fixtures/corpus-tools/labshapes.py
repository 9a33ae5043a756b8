#!/usr/bin/env python3
"""Builds captures shaped like the TCP lab's own Wireshark traces, packet by packet.

  labshapes.py OUTDIR             writes every shape below into OUTDIR
  labshapes.py OUTDIR --variant N the same shapes as another student's machine would have
                                  captured them: other ISNs and times (for grading tests)

The lab ran on two VirtualBox VMs (10.0.2.4 / 10.0.2.15) or on a VM reaching its host
(192.168.68.107) through VirtualBox's NAT, and captured with Wireshark as Linux cooked capture.
Each shape here is a real lab situation written out segment by segment with the fields the
lab's listings show: who sends what, with which flags, Seq/Ack, window, options and payload,
on the link types the lab's captures used (SLL, SLL2 in pcapng as `tshark -i any` writes it,
Ethernet with trailer padding on short frames). Deterministic: the same files every time, so the
tshark oracles beside them never go stale. Nothing is sent anywhere; these are only bytes.
"""
import struct
import sys

# --- link layers -------------------------------------------------------------------------

PACKET_HOST, PACKET_OUTGOING = 0, 4
MAC = {"client": bytes.fromhex("080027a1b2c3"), "server": bytes.fromhex("080027d4e5f6")}


def ethernet(ip, outgoing, src_role, dst_role):
    frame = MAC[dst_role] + MAC[src_role] + struct.pack("!H", 0x0800) + ip
    # Ethernet's minimum frame is 60 bytes before the FCS: short frames carry trailer padding,
    # which the IP total length says to ignore.
    return frame + b"\x00" * max(0, 60 - len(frame))


def sll(ip, outgoing, src_role, dst_role):
    pkttype = PACKET_OUTGOING if outgoing else PACKET_HOST
    # uint16 pkttype, uint16 ARPHRD_ETHER, uint16 halen, 8 bytes address, uint16 protocol
    return struct.pack("!HHH", pkttype, 1, 6) + MAC[src_role] + b"\x00\x00" + struct.pack("!H", 0x0800) + ip


def sll2(ip, outgoing, src_role, dst_role):
    pkttype = PACKET_OUTGOING if outgoing else PACKET_HOST
    # uint16 protocol, uint16 reserved, uint32 ifindex, uint16 ARPHRD_ETHER, uint8 pkttype,
    # uint8 halen, 8 bytes address
    return struct.pack("!HHIHBB", 0x0800, 0, 2, 1, pkttype, 6) + MAC[src_role] + b"\x00\x00" + ip


LINKS = {"ethernet": (ethernet, 1), "sll": (sll, 113), "sll2": (sll2, 276)}

# --- IPv4 and TCP --------------------------------------------------------------------------


def checksum(data):
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def address(text):
    return bytes(int(x) for x in text.split("."))


FLAG_BITS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10}


def tcp_ip(src, dst, sport, dport, seq, ack, flags, window, options, payload, ip_id):
    offset = (20 + len(options)) // 4
    bits = sum(FLAG_BITS[f] for f in flags)
    header = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, offset << 4, bits, window, 0, 0)
    segment = header + options + payload
    pseudo = address(src) + address(dst) + struct.pack("!BBH", 0, 6, len(segment))
    segment = segment[:16] + struct.pack("!H", checksum(pseudo + segment)) + segment[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(segment), ip_id & 0xFFFF, 0x4000, 64, 6, 0, address(src), address(dst))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return ip + segment


# --- endpoints and connections -----------------------------------------------------------


VARIANT = 0


class Host:
    """One side's TCP as the capture shows it: what its SYN announced, and where it is."""

    def __init__(self, role, ip, port, isn, window, mss=1460, wscale=7, sack=True, timestamps=True, tsval=1000000,
                 syn_window=None):
        self.role, self.ip, self.port = role, ip, port
        isn = (isn + VARIANT * 0x01010101) & 0xFFFFFFFF
        self.syn_window = syn_window if syn_window is not None else window
        self.isn, self.next = isn, isn
        self.window, self.mss, self.wscale, self.sack, self.timestamps = window, mss, wscale, sack, timestamps
        self.tsval = tsval
        self.ip_id = 0x4000 + port % 1000
        self.received = 0  # the next byte expected from the peer (absolute)


class Capture:
    def __init__(self, link, at="client", start=1700000000.0):
        self.link, self.at = link, at
        self.time = start + VARIANT * 3600.5
        self.records = []  # (time, frame, original length)

    def wait(self, seconds):
        self.time += seconds

    def add(self, ip, sender, receiver):
        build, _ = LINKS[self.link]
        frame = build(ip, outgoing=sender.role == self.at, src_role=sender.role, dst_role=receiver.role)
        self.records.append((self.time, frame, len(frame)))


class Connection:
    def __init__(self, capture, client, server):
        self.capture, self.client, self.server = capture, client, server
        self.scaling = client.wscale is not None and server.wscale is not None
        self.peer_ts = {}

    def other(self, side):
        return self.server if side is self.client else self.client

    def options(self, side, syn):
        peer = self.other(side)
        opts = b""
        if syn:
            opts += struct.pack("!BBH", 2, 4, side.mss)
            if side.sack:
                opts += b"\x04\x02"
            if side.timestamps:
                opts += struct.pack("!BBII", 8, 10, side.tsval, self.peer_ts.get(side.role, 0))
            else:
                opts += b"\x01\x01" if side.sack else b""
            if side.wscale is not None:
                opts += b"\x01" + struct.pack("!BBB", 3, 3, side.wscale)
            while len(opts) % 4:
                opts += b"\x01"
            return opts
        if side.timestamps and peer.timestamps:
            opts = b"\x01\x01" + struct.pack("!BBII", 8, 10, side.tsval, self.peer_ts.get(side.role, 0))
        return opts

    def send(self, side, flags, data=b"", after=0.0, window=None, seq=None, ack=None, lost=False):
        """One segment from `side`. `lost` leaves it off the capture (the other side still gets it)."""
        self.capture.wait(after)
        peer = self.other(side)
        syn = "S" in flags
        raw = window if window is not None else side.syn_window if syn else side.window
        if not syn and self.scaling and window is None:
            raw = side.window >> side.wscale
        s = side.next if seq is None else seq
        a = (ack if ack is not None else side.received) if "A" in flags else 0
        ip = tcp_ip(side.ip, peer.ip, side.port, peer.port, s, a, flags, min(raw, 65535), self.options(side, syn), data, side.ip_id)
        side.ip_id += 1
        if not lost:
            self.capture.add(ip, side, peer)
        if seq is None:
            side.next = s + len(data) + (1 if syn or "F" in flags else 0)
        peer.received = max(peer.received, s + len(data) + (1 if syn or "F" in flags else 0))
        self.peer_ts[peer.role] = side.tsval
        side.tsval += 1 + int(after * 1000)
        peer.tsval += int(after * 1000)

    def handshake(self, rtt=0.0005, server_window=None):
        """As the client's machine captures it: the SYN-ACK a round trip after the SYN, the
        ACK at once (20 µs) after the SYN-ACK."""
        self.send(self.client, "S")
        self.send(self.server, "SA", after=rtt, window=server_window)
        self.send(self.client, "A", after=0.00002)


# --- writers ------------------------------------------------------------------------------


def write_pcap(path, capture):
    _, linktype = LINKS[capture.link]
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype)]
    for t, frame, length in capture.records:
        seconds = int(t)
        micro = int(round((t - seconds) * 1e6))
        out.append(struct.pack("<IIII", seconds, micro, len(frame), length) + frame)
    open(path, "wb").write(b"".join(out))


def block(kind, body):
    body += b"\x00" * ((4 - len(body) % 4) % 4)
    length = 12 + len(body)
    return struct.pack("<II", kind, length) + body + struct.pack("<I", length)


def option(code, value):
    return struct.pack("<HH", code, len(value)) + value + b"\x00" * ((4 - len(value) % 4) % 4)


def write_pcapng(path, capture):
    _, linktype = LINKS[capture.link]
    shb = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + option(4, b"Dumpcap (Wireshark) 4.0.17") + option(0, b"")
    idb = struct.pack("<HHI", linktype, 0, 262144) + option(2, b"any") + option(9, b"\x09") + option(0, b"")
    out = [block(0x0A0D0D0A, shb), block(1, idb)]
    for t, frame, length in capture.records:
        ticks = int(round(t * 1e9))
        epb = struct.pack("<IIIII", 0, ticks >> 32, ticks & 0xFFFFFFFF, len(frame), length) + frame
        epb += b"\x00" * ((4 - len(frame) % 4) % 4)
        out.append(block(6, epb))
    open(path, "wb").write(b"".join(out))


# --- the shapes --------------------------------------------------------------------------


def nat_pair(client_port, server_port, server_ip="192.168.68.107"):
    """A VM's Linux client, and the host's server as VirtualBox's NAT presents it: no timestamps,
    no SACK, no window scaling, a 32768-byte window, MSS 1460."""
    client = Host("client", "10.0.2.15", client_port, 0x1F3A2B10, 64240, tsval=3226015811)
    server = Host("server", server_ip, server_port, 0x00C80001, 32768, wscale=None, sack=False, timestamps=False)
    return client, server


def vm_pair(client_port, server_port):
    """Two Linux VMs: 10.0.2.4 connects to 10.0.2.15."""
    client = Host("client", "10.0.2.4", client_port, 0x6B8E1A20, 64256, tsval=2810433290, syn_window=64240)
    server = Host("server", "10.0.2.15", server_port, 0x31D0C4E7, 65280, tsval=1957031405, syn_window=65160)
    return client, server


def fin_exchange(c, first, rtt=0.0005):
    second = c.other(first)
    c.send(first, "FA", after=0.0002)
    c.send(second, "A", after=rtt / 2)
    c.send(second, "FA", after=0.0001)
    c.send(first, "A", after=rtt / 2)


def trace0(out):
    """Version 0, the name exchange: the server's reply carries its FIN; the server closes first."""
    cap = Capture("sll")
    client, server = nat_pair(40312, 12345)
    c = Connection(cap, client, server)
    c.handshake(rtt=0.0009)
    c.send(client, "PA", b"Hello, my name is Ada Lovelace", after=0.0003)
    c.send(server, "A", after=0.0004)
    c.send(server, "FPA", b"HELLO, MY NAME IS ADA LOVELACE", after=0.0001)
    c.send(client, "A", after=0.0004)
    c.send(client, "FA", after=0.0002)
    c.send(server, "A", after=0.0004)
    write_pcap(out + "/lab-trace0-nat-sll.pcap", cap)


def trace1(out):
    """Version 1 as the lab's listing shows it: 13 bytes each way, port 11111, behind the NAT."""
    cap = Capture("sll")
    client, server = nat_pair(46822, 11111)
    c = Connection(cap, client, server)
    c.handshake(rtt=0.0011)
    c.send(client, "PA", b"Hello, World!", after=0.0004)
    c.send(server, "PA", b"HELLO, WORLD!", after=0.0006)
    c.send(client, "A", after=0.00003)
    fin_exchange(c, client, rtt=0.0011)
    write_pcap(out + "/lab-trace1-nat-sll.pcap", cap)
    # The capture started after the handshake: the connection is seen from its middle.
    late = Capture("sll")
    late.records = cap.records[3:]
    write_pcap(out + "/lab-trace1-late-sll.pcap", late)
    # The same capture stopped before the server's FIN: a student pressed Stop too early.
    cut = Capture("sll")
    cut.records = cap.records[:8]
    write_pcap(out + "/lab-trace1-cut-sll.pcap", cut)


def trace2(out):
    """Version 2 as `tshark -i any` records it (pcapng, SLL2): the reply in 5-byte segments."""
    cap = Capture("sll2")
    client, server = vm_pair(51534, 12345)
    c = Connection(cap, client, server)
    c.handshake(rtt=0.0006)
    c.send(client, "PA", b"Hello! Hello, World!", after=0.0002)
    c.send(server, "A", after=0.0003)
    reply = b"HELLO! HELLO, WORLD!"
    for i in range(0, 20, 5):
        c.send(server, "PA", reply[i:i + 5], after=0.00005)
        c.send(client, "A", after=0.0003)
    fin_exchange(c, client, rtt=0.0006)
    write_pcapng(out + "/lab-trace2-any.pcapng", cap)


def trace3(out):
    """Version 3 between two VMs, on Ethernet: the 13000-byte reply at MSS 1448 (timestamps on),
    part of it coalesced by the receiver (GRO) into 2896-byte segments; the client reads 2048 bytes
    and closes with the rest unread, so it sends RST."""
    cap = Capture("ethernet")
    client, server = vm_pair(41876, 12345)
    c = Connection(cap, client, server)
    c.handshake(rtt=0.0007)
    c.send(client, "PA", b"Hello, World!", after=0.0002)
    c.send(server, "A", after=0.00035)
    reply = b"HELLO, WORLD!" * 1000
    sizes = [1448, 2896, 1448, 2896, 2896, 1416]
    offset = 0
    for i, size in enumerate(sizes):
        c.send(server, "PA" if i == len(sizes) - 1 else "A", reply[offset:offset + size], after=0.00004)
        offset += size
        if i % 2 == 1:
            c.send(client, "A", after=0.00002)
    c.send(client, "A", after=0.00002)
    c.send(client, "RA", after=0.0003)
    write_pcap(out + "/lab-trace3-vms-eth.pcap", cap)


def trace4(out):
    """Version 4 as the lab's listing shows it: 130 bytes, then Nagle's 390 after the delayed ACK;
    the 520-byte reply 5 s later; the client's FIN, and the server's after its next 5 s sleep."""
    cap = Capture("ethernet")
    client, server = vm_pair(58114, 12345)
    c = Connection(cap, client, server)
    c.send(client, "S")
    c.send(server, "SA", after=0.0004)
    c.send(client, "A", after=0.0004)
    text = b"Hello, World!" * 10
    c.send(client, "PA", text, after=0.0001)
    c.send(server, "A", after=0.0412)
    c.send(client, "PA", text * 3, after=0.0001)
    c.send(server, "A", after=0.0408)
    c.send(server, "PA", (text * 4).upper(), after=4.9170)
    c.send(client, "A", after=0.0004)
    c.send(client, "FA", after=0.0001)
    c.send(server, "A", after=0.0410)
    c.send(server, "FA", after=4.9580)
    c.send(client, "A", after=0.0004)
    write_pcap(out + "/lab-trace4-vms-eth.pcap", cap)


INDEX = (b"<!DOCTYPE html>\r\n<html>\r\n<head><title>Lab 2</title></head>\r\n\r\n<body>\r\n"
         + b"<h1>TCP lab</h1>\r\n\r\n\r\n<p>" + b"The quick brown fox jumps over the lazy dog. " * 40 + b"</p>\r\n"
         + b"<img src=\"back1.jpg\">\r\n</body>\r\n</html>\r\n")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes((i * 7) % 251 for i in range(15685)) + b"\xff\xd9"


def http_exchange(c, request, response, mss, rtt=0.0008, ack_every=2):
    """One request, a response sent in MSS-sized pieces, then the server's FIN (a student's server
    that sends no Content-Length and closes), the browser's FIN."""
    c.send(c.client, "PA", request, after=0.002)
    c.send(c.server, "A", after=rtt / 2)
    pieces = [response[i:i + mss] for i in range(0, len(response), mss)]
    for i, piece in enumerate(pieces):
        c.send(c.server, "PA" if i == len(pieces) - 1 else "A", piece, after=0.00005)
        if i % ack_every == ack_every - 1:
            c.send(c.client, "A", after=0.0001)
    c.send(c.server, "FA", after=0.0001)
    c.send(c.client, "A", after=rtt / 2)
    c.send(c.client, "FA", after=0.003)
    c.send(c.server, "A", after=rtt / 2)


def browser_request(path, port):
    return ("GET %s HTTP/1.1\r\nHost: 192.168.68.107:%d\r\nConnection: keep-alive\r\n"
            "User-Agent: Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0\r\n"
            "Accept: */*\r\nAccept-Encoding: gzip, deflate\r\n\r\n" % (path, port)).encode()


def part2(out, port=12345, name="lab-http-12345-sll.pcap", link="sll"):
    """Part 2 with a student's file server on port 12345: no Content-Length, each response ended by
    the server's FIN; a head without header lines; a 404; an HTML body with blank lines in it; the
    15 KB back1.jpg in 11 segments."""
    cap = Capture(link)
    for n, (path, response) in enumerate([
        ("/", b"HTTP/1.1 200 OK\r\n\r\n" + INDEX),
        ("/back1.jpg", b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n\r\n" + JPEG),
        ("/favicon.ico", b"HTTP/1.1 404 Not Found\r\n\r\n"),
    ]):
        client, server = nat_pair(38200 + n, port)
        client.isn += 0x01000000 * n
        c = Connection(cap, client, server)
        c.handshake(rtt=0.0008)
        http_exchange(c, browser_request(path, port), response, mss=1460)
    write_pcap(out + "/" + name, cap)


def part2_lengths(out):
    """Part 2 served with Content-Length on 12345, keep-alive, two requests on one connection,
    the second response's head and body in separate segments; the server closes when idle."""
    cap = Capture("sll2")
    client, server = vm_pair(44980, 12345)
    c = Connection(cap, client, server)
    c.handshake(rtt=0.0006)
    body = INDEX
    c.send(client, "PA", browser_request("/", 12345), after=0.002)
    c.send(server, "A", after=0.0003)
    c.send(server, "PA", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body) + body, after=0.0002)
    c.send(client, "A", after=0.0003)
    c.send(client, "PA", browser_request("/favicon.ico", 12345), after=0.01)
    c.send(server, "A", after=0.0003)
    c.send(server, "PA", b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nContent-Type: text/plain\r\n\r\n", after=0.0001)
    c.send(server, "PA", b"not found", after=0.0001)
    c.send(client, "A", after=0.0003)
    c.send(server, "FA", after=1.0)
    c.send(client, "FA", after=0.0005)
    c.send(server, "A", after=0.0003)
    write_pcapng(out + "/lab-http-lengths-any.pcapng", cap)


def port_reuse(out):
    """A client that reconnects from the same port: once with the same ISN right after both FINs,
    the old connection's last ACK arriving after the new SYN; once with a new ISN."""
    cap = Capture("ethernet")
    client, server = vm_pair(50000, 12345)
    c = Connection(cap, client, server)
    c.handshake()
    c.send(client, "PA", b"Hello, World!", after=0.0002)
    c.send(server, "PA", b"HELLO, WORLD!", after=0.0003)
    c.send(client, "A", after=0.0002)
    c.send(server, "FA", after=0.0002)
    c.send(client, "A", after=0.0002)
    c.send(client, "FA", after=0.0001)
    last_ack = dict(seq=server.next, ack=client.next)
    # The same ISN again, from the same port.
    again = Host("client", client.ip, client.port, client.isn, 64256, tsval=client.tsval + 5, syn_window=64240)
    server2 = Host("server", server.ip, server.port, server.isn + 0x10000, 65280, tsval=server.tsval + 5, syn_window=65160)
    d = Connection(cap, again, server2)
    d.send(again, "S", after=0.0001)
    c.send(server, "A", after=0.00005, seq=last_ack["seq"], ack=last_ack["ack"])
    d.send(server2, "SA", after=0.0002)
    d.send(again, "A", after=0.0002)
    d.send(again, "PA", b"Hello again", after=0.0002)
    d.send(server2, "PA", b"HELLO AGAIN", after=0.0003)
    d.send(again, "A", after=0.0002)
    fin_exchange(d, again)
    # A new ISN from the same port, after both FINs.
    third = Host("client", client.ip, client.port, client.isn + 0x2000000, 64256, tsval=again.tsval + 9, syn_window=64240)
    server3 = Host("server", server.ip, server.port, server.isn + 0x5000000, 65280, tsval=server2.tsval + 9, syn_window=65160)
    e = Connection(cap, third, server3)
    e.handshake()
    e.send(third, "PA", b"Third", after=0.0002)
    e.send(server3, "PA", b"THIRD", after=0.0003)
    fin_exchange(e, third)
    write_pcap(out + "/lab-port-reuse-eth.pcap", cap)


def scripted(out, name, port, conversations, link="ethernet"):
    """Connections that each do a handshake, then the listed (side, flags, payload) segments."""
    cap = Capture(link)
    for n, steps in enumerate(conversations):
        client, server = vm_pair(45000 + n, port)
        c = Connection(cap, client, server)
        c.handshake()
        for who, flags, data in steps:
            c.send(client if who == "c" else server, flags, data, after=0.001)
    write_pcap(out + "/" + name, cap)


GET = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"

# What students' HTTP code gets wrong or does differently, each on a connection of its own: data
# before the first request, HTTP/1.0, a request body, HEAD, 204 and 304, heads and first lines
# split across segments, pipelining, chunked bodies, bodies ended by FIN or RST, bare LF line
# ends, repeated or negative Content-Length, and media types Wireshark names.
HTTP_EDGES = [
    [("c", "PA", b"hello\r\n"), ("s", "PA", b"HI\r\n"), ("c", "PA", GET),
     ("s", "PA", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), ("c", "PA", b"garbage here\r\n"),
     ("s", "PA", b"more garbage"), ("c", "FA", b""), ("s", "FA", b"")],
    [("c", "PA", b"GET / HTTP/1.0\r\n\r\n"), ("s", "PA", b"HTTP/1.0 200 OK\r\n\r\nbody"), ("s", "FA", b""), ("c", "FA", b"")],
    [("c", "PA", b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\n"), ("c", "PA", b"abcd"),
     ("s", "PA", b"HTTP/1.1 204 No Content\r\n\r\n"), ("c", "PA", b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n"),
     ("s", "PA", b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"), ("c", "PA", b"GET /a HTTP/1.1\r\nHost: a\r\n\r\n"),
     ("s", "PA", b"HTTP/1.1 304 Not Modified\r\n\r\n"), ("c", "FA", b""), ("s", "FA", b"")],
    [("c", "PA", b"\r\nabc HTTP/1.1"), ("s", "PA", b"x"), ("c", "FA", b""), ("s", "FA", b"")],
    [("c", "PA", b"get / http/1.1\r\n\r\n"), ("s", "PA", b"http/1.1 200 ok\r\ncontent-length: 0\r\n\r\n"), ("c", "FA", b""), ("s", "FA", b"")],
    [("s", "PA", b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html>\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"),
     ("s", "PA", b"more"), ("s", "FA", b""), ("c", "FA", b"")],
    [("c", "PA", b"GET / HTTP/1.1\r\nHost:"), ("c", "PA", b" x\r\n\r\n"), ("s", "PA", b"HTTP/1.1 200 OK\r\nCont"),
     ("s", "PA", b"ent-Length: 3\r\n\r\nab"), ("s", "PA", b"c"), ("c", "FA", b""), ("s", "FA", b"")],
    [("c", "PA", GET + b"GET /2 HTTP/1.1\r\nHost: x\r\n\r\n"),
     ("s", "PA", b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
     ("c", "FA", b""), ("s", "FA", b"")],
    [("c", "PA", GET), ("s", "PA", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"), ("s", "PA", b"lo\r\n3\r\nabc\r\n"),
     ("s", "PA", b"0\r\n\r\n"), ("c", "FA", b""), ("s", "FA", b"")],
    [("c", "PA", GET), ("s", "PA", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\nabc"), ("s", "FPA", b"def"), ("c", "FA", b"")],
    [("c", "PA", GET), ("s", "PA", b"HTTP/1.1 200 OK\r\n\r\nabc"), ("s", "RA", b"")],
    [("c", "PA", GET), ("s", "PA", b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"), ("s", "FA", b""), ("c", "FA", b"")],
    [("c", "PA", b"GET / HTTP/1.1\nHost: x\n\n"), ("s", "PA", b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok"), ("c", "FA", b""), ("s", "FA", b"")],
    [("c", "PA", GET), ("s", "PA", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nokk"), ("c", "FA", b""), ("s", "FA", b"")],
    [("c", "PA", GET), ("s", "PA", b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nok"), ("c", "FA", b""), ("s", "FA", b"")],
    [("c", "PA", b"GET / HTTP/1.1\r\nHo"), ("c", "PA", b"st: x\r\nAcc"), ("c", "PA", b"ept: */*\r\n\r\n"), ("c", "FA", b""), ("s", "FA", b"")],
    [("c", "PA", b"GET / HT"), ("c", "PA", b"TP/1.1\r\nHost: x\r\n\r\n"), ("c", "FA", b""), ("s", "FA", b"")],
    [("c", "PA", GET), ("s", "PA", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab"),
     ("s", "PA", b"cde"), ("c", "FA", b""), ("s", "FA", b"")],
    [("c", "PA", b"POST /f HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\na=b"),
     ("s", "PA", b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), ("c", "FA", b""), ("s", "FA", b"")],
    [("c", "PA", GET), ("s", "PA", b"HTTP/1.1 200 OK\r\n\r\n"), ("s", "PA", b"body"), ("s", "PA", b"more"), ("c", "PA", GET),
     ("s", "FA", b""), ("c", "FA", b"")],
    [step for t in [b"application/json", b"text/css", b"image/gif", b"image/x-icon", b"text/plain; charset=utf-8",
                    b"application/javascript", b"image/svg+xml", b"application/octet-stream", b"Text/HTML", b"image/png"]
     for step in [("c", "PA", GET), ("s", "PA", b"HTTP/1.1 200 OK\r\nContent-Type: " + t + b"\r\nContent-Length: 2\r\n\r\nGI")]]
    + [("c", "FA", b""), ("s", "FA", b"")],
]

# First lines a student's client or server might send, each alone on a connection: which of them
# Wireshark calls HTTP depends on the port (registered to HTTP or not).
START_LINES = [b"GET / HTTP/1.0", b"FOO / HTTP/1.0", b"GET / XYZ", b"GET /", b"hello HTTP/1.0", b"hello HTTP/1.1",
               b"HTTP/1.0 200 OK", b"HTTP/1.1 200 OK", b"HTTP/2 200", b"get / http/1.0", b"POST / HTTP/1.1",
               b"NOTIFY * HTTP/1.1", b"M-SEARCH * HTTP/1.1", b"HTTP/1.1", b"GETX / HTTP/1.1", b"PROPFIND / HTTP/1.1",
               b"OPTIONS * HTTP/1.1", b"ICY 200 OK", b"RTSP/1.0 200 OK", b"GET  HTTP/1.1", b"CONNECT a:443 HTTP/1.1",
               b"HTTP/1.1 200", b"HTTP/1.1 abc OK", b"HTTP/1.0 99 x"]


def start_lines():
    conversations = []
    for line in START_LINES:
        sender = "s" if line.upper().startswith(b"HTTP/") or line[:4] in (b"ICY ", b"RTSP") else "c"
        conversations.append([(sender, "PA", line + b"\r\nContent-Length: 0\r\n\r\n"), ("s", "FA", b""), ("c", "FA", b"")])
    return conversations


def other_protocols(out):
    """A capture of something else entirely: a TLS connection to 443 and an SSH one to 22."""
    cap = Capture("ethernet")
    def record(body):  # one whole TLS handshake record
        return bytes([0x16, 0x03, 0x01]) + len(body).to_bytes(2, "big") + body
    client_hello = bytes([1]) + (38).to_bytes(3, "big") + b"\x03\x03" + bytes(32) + b"\x00\x00\x00\x00"
    for port, hello, answer in [(443, record(client_hello), record(bytes([2, 0, 0, 0]))),
                                (22, b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", b"SSH-2.0-OpenSSH_9.2p1\r\n")]:
        client, server = vm_pair(47000 + port, port)
        c = Connection(cap, client, server)
        c.handshake()
        c.send(client, "PA", hello, after=0.001)
        c.send(server, "PA", answer, after=0.001)
        fin_exchange(c, client)
    write_pcap(out + "/lab-other-protocols-eth.pcap", cap)


def main():
    global VARIANT
    out = sys.argv[1]
    if len(sys.argv) > 3 and sys.argv[2] == "--variant":
        VARIANT = int(sys.argv[3])
    trace0(out)
    trace1(out)
    trace2(out)
    trace3(out)
    trace4(out)
    part2(out)
    part2(out, port=11111, name="lab-http-11111-eth.pcap", link="ethernet")
    part2_lengths(out)
    port_reuse(out)
    other_protocols(out)
    for port in (12345, 8080):
        scripted(out, "lab-http-edges-%d-eth.pcap" % port, port, HTTP_EDGES)
        scripted(out, "lab-start-lines-%d-eth.pcap" % port, port, start_lines())


if __name__ == "__main__":
    main()
