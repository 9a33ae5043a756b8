#!/usr/bin/env python3
"""Writes the tshark oracles and README.md for the capture corpus, and checks it.

  corpus_readme.py DIR

For every capture in DIR (the FILES table below) it writes
DIR/<capture>.tshark.txt, the output of

  tshark -r <capture> -T fields -E separator=/t \
         -e frame.number -e _ws.col.Protocol -e _ws.col.Info

and DIR/README.md with format, link type(s), packet count, tshark's exit
status and the TCP analysis flags found.  It fails when a capture does not
look the way its table entry says (link type, minimum packets, flags, ...).
"""
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

LINKTYPES = {0: "NULL", 1: "EN10MB", 101: "RAW", 113: "LINUX_SLL", 276: "LINUX_SLL2"}

LO_CONV = ("three loopback conversations made by `traffic.py exchange` (client closes "
           "with FIN, server closes with FIN, client aborts with RST via SO_LINGER 0), "
           "each with a few small request/response messages, plus one connection "
           "attempt to a closed port (SYN, RST/ACK)")

# name -> (how it was made, expected link types, requirements)
FILES = [
    ("lo-ipv4.pcap",
     "`tcpdump -i lo` (IPv4, 127.0.0.1): " + LO_CONV + ".",
     [1], {"min_packets": 20}),
    ("any-sll.pcap",
     "`tcpdump -i any -y LINUX_SLL`, same kind of traffic as lo-ipv4.pcap.",
     [113], {"min_packets": 20}),
    ("any-sll2.pcap",
     "`tcpdump -i any -y LINUX_SLL2`, same kind of traffic as lo-ipv4.pcap.",
     [276], {"min_packets": 20}),
    ("nanosecond.pcap",
     "`tcpdump --time-stamp-precision=nano -i lo` (nanosecond magic 0xa1b23c4d), "
     "same kind of traffic as lo-ipv4.pcap.",
     [1], {"min_packets": 20, "ts_resolution": "nsec"}),
    ("big-endian.pcap",
     "lo-ipv4.pcap with the file header and every record header rewritten in "
     "big-endian byte order by `pcaptool.py byteswap` (frames unchanged).",
     [1], {"min_packets": 20, "byte_order": "big", "same_oracle_as": "lo-ipv4.pcap"}),
    ("null-loop.pcap",
     "lo-ipv4.pcap relinked to DLT_NULL by `pcaptool.py relink null`: the 14-byte "
     "Ethernet header replaced by a 4-byte address family (AF_INET = 2) in the "
     "file's (little-endian) byte order; incl_len/orig_len reduced by 10.",
     [0], {"min_packets": 20, "all_protocols": {"TCP"}}),
    ("raw.pcap",
     "lo-ipv4.pcap relinked to LINKTYPE_RAW (101) by `pcaptool.py relink raw`: "
     "Ethernet header stripped, frames start with the IPv4 header.",
     [101], {"min_packets": 20, "all_protocols": {"TCP"}}),
    ("ipv6.pcap",
     "`tcpdump -i lo` of the same kind of traffic over ::1 (IPv6).",
     [1], {"min_packets": 20}),
    ("tshark.pcapng",
     "pcapng written by `tshark -i lo -f <filter> -w` (dumpcap): SHB, one IDB, EPBs, "
     "ISB at the end; same kind of traffic as lo-ipv4.pcap.",
     [1], {"min_packets": 20, "blocks": ["SHB", "IDB", "EPB"]}),
    ("commented.pcapng",
     "tshark.pcapng through `editcap --capture-comment ... -a 1:... -a 4:...`: an "
     "SHB comment and opt_comment on the EPBs of frames 1 and 4.",
     [1], {"min_packets": 20, "blocks": ["SHB", "IDB", "EPB"], "comments": 3}),
    ("multi-if.pcapng",
     "`tshark -i lo -i tlc-s0 -w` run inside network namespace tcplab-corpus-snd: "
     "two IDBs (both EN10MB), EPBs of both interfaces interleaved.  lo carries a "
     "127.0.0.1 exchange, tlc-s0 a 6000-byte transfer to 10.99.1.2 (another "
     "namespace, via a router namespace) including its ARP exchange, started "
     "in the middle of the lo exchange.",
     [1, 1], {"min_packets": 20, "blocks": ["SHB", "IDB", "EPB"],
              "interleaved": True}),
    ("merged-linktypes.pcapng",
     "`mergecap -F pcapng` of ipv6.pcap (EN10MB) and any-sll2.pcap (LINUX_SLL2): "
     "two IDBs with different link types, EPBs in timestamp order.",
     [1, 276], {"min_packets": 40, "blocks": ["SHB", "IDB", "EPB"]}),
    ("zero-window.pcap",
     "`tcpdump -i lo -s 128`: `traffic.py zerowin` - the receiver sets SO_RCVBUF "
     "2048 and does not read for 1.5 s, then drains 1 KB every 10 ms, while the "
     "sender pushes 40000 bytes.  Linux's zero-window probes (seq = snd_una - 1, "
     "no data) are what tshark calls Keep-Alive.",
     [1], {"min_packets": 20,
           "flags": ["TCP ZeroWindow", "TCP Window Update", "TCP Window Full"]}),
    ("http.pcap",
     "`tcpdump -i lo` of `python3 -m http.server 8080 --protocol HTTP/1.1` on "
     "127.0.0.1 and curl: GET /hello.txt (200) and GET /missing.txt (404) on one "
     "keep-alive connection, then HEAD /hello.txt on a second connection.",
     [1], {"min_packets": 15, "protocols": {"HTTP"}}),
    ("retransmissions.pcap",
     "Three namespaces snd (10.99.0.1) - rtr - rcv (10.99.1.2), tbf "
     "(rate 20mbit burst 3200 limit 6000) on both router egresses, offloads off. "
     "`tcpdump -i tlc-c0 -s 128` in rcv (headers only).  Flow 1 (port 5001): "
     "250000 bytes snd -> rcv with cubic, seen at the receiver; the sender holds "
     "back its handshake ACK for 60 ms (TCP_QUICKACK 0), which makes tshark's "
     "Out-Of-Order threshold (first RTT) 60 ms.  Flow 2 (port 5002): 100000 bytes "
     "rcv -> snd, seen at its sender.",
     [1], {"min_packets": 200,
           "flags": ["TCP Retransmission", "TCP Fast Retransmission", "TCP Dup ACK",
                     "TCP Out-Of-Order", "TCP Previous segment not captured"]}),
    ("truncated.pcap",
     "lo-ipv4.pcap cut (`pcaptool.py truncate`) in the middle of the last "
     "record's packet data.",
     [1], {"truncated": True}),
    ("truncated.pcapng",
     "tshark.pcapng cut (`pcaptool.py truncate`) in the middle of the last EPB's "
     "packet data.",
     [1], {"truncated": True}),
]

ORACLE_CMD = ["tshark", "-r", None, "-T", "fields", "-E", "separator=/t",
              "-e", "frame.number", "-e", "_ws.col.Protocol", "-e", "_ws.col.Info"]


def run(cmd, cwd=None):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd)
    err = "\n".join(l for l in p.stderr.decode("utf-8", "replace").splitlines()
                    if not l.startswith("Running as user"))
    return p.returncode, p.stdout.decode("utf-8", "replace"), err.strip()


def pcap_info(path):
    rc, out, err = run([sys.executable, os.path.join(HERE, "pcaptool.py"), "info", path])
    if rc:
        raise SystemExit("pcaptool info %s: %s" % (path, err))
    return json.loads(out)


def flags_of(path):
    """Counts of the bracketed tshark analysis labels in the Info column of
    packets that carry tcp.analysis.flags ("Dup ACK 12#3" counted as Dup ACK)."""
    rc, out, err = run(["tshark", "-r", path, "-Y", "tcp.analysis.flags",
                        "-T", "fields", "-e", "_ws.col.Info"])
    counts = {}
    for line in out.splitlines():
        for label in re.findall(r"\[(TCP [^\]]*)\]", line):
            label = re.sub(r"\s+\d+#\d+$", "", label)
            if label.startswith("TCP segment of"):
                continue
            counts[label] = counts.get(label, 0) + 1
    return counts, len(out.splitlines())


def fail(msg):
    raise SystemExit("corpus_readme: " + msg)


def main():
    d = sys.argv[1]
    rc, ver, _ = run(["tshark", "--version"])
    tshark_version = ver.splitlines()[0].rstrip(".") if ver else "?"
    rc, tcpdump_ver, tcpdump_err = run(["tcpdump", "--version"])
    tcpdump_version = (tcpdump_ver or tcpdump_err).splitlines()[0]
    kernel = os.uname().release
    rows, details = [], []
    oracles = {}
    for name, how, want_lt, req in FILES:
        path = os.path.join(d, name)
        if not os.path.exists(path):
            fail("missing " + name)
        info = pcap_info(path)
        cmd = list(ORACLE_CMD)
        cmd[2] = name  # relative, so messages name the file, not a temp path
        orc, out, err = run(cmd, cwd=d)
        with open(path + ".tshark.txt", "w") as f:
            f.write(out)
        oracles[name] = out
        lines = out.splitlines()
        flags, flagged = flags_of(path)
        protos = {l.split("\t")[1] for l in lines if l.count("\t") >= 2}
        # --- checks
        if info["linktypes"] != want_lt:
            fail("%s: link types %r, want %r" % (name, info["linktypes"], want_lt))
        if req.get("truncated"):
            if orc == 0 and not err:
                fail("%s: tshark did not complain about the cut" % name)
            if info.get("trailing_bytes", 0) <= 0:
                fail("%s: no partial record at the end" % name)
        else:
            if orc != 0 or err:
                fail("%s: tshark exit %d: %s" % (name, orc, err))
            if info.get("trailing_bytes"):
                fail("%s: %d trailing bytes" % (name, info["trailing_bytes"]))
        if len(lines) < req.get("min_packets", 1):
            fail("%s: only %d packets" % (name, len(lines)))
        if len(lines) != info["records"]:
            fail("%s: tshark printed %d packets, file holds %d records"
                 % (name, len(lines), info["records"]))
        for fl in req.get("flags", []):
            if fl not in flags:
                fail("%s: no [%s] in the packet list" % (name, fl))
        if "all_protocols" in req and protos != req["all_protocols"]:
            fail("%s: protocols %r" % (name, protos))
        if "protocols" in req and not req["protocols"] <= protos:
            fail("%s: protocols %r lack %r" % (name, protos, req["protocols"]))
        for key in ("ts_resolution", "byte_order"):
            if key in req and info.get(key) != req[key]:
                fail("%s: %s is %r" % (name, key, info.get(key)))
        for b in req.get("blocks", []):
            if b not in info.get("blocks", {}):
                fail("%s: no %s block" % (name, b))
        if "same_oracle_as" in req and out != oracles[req["same_oracle_as"]]:
            fail("%s: oracle differs from %s" % (name, req["same_oracle_as"]))
        if req.get("interleaved") and info.get("interface_switches", 0) < 2:
            fail("%s: EPBs of the two interfaces do not interleave" % name)
        if "comments" in req:
            rc2, c_out, _ = run(["tshark", "-r", path, "-Y", "frame.comment",
                                 "-T", "fields", "-e", "frame.number"])
            n = len(c_out.split())
            rc3, cap_out, _ = run(["capinfos", "-k", path])
            if n != 2 or "tcplab corpus" not in cap_out:
                fail("%s: comments not found (frames: %d)" % (name, n))
        # --- report
        fmt = info["format"]
        if fmt == "pcap":
            fmt_s = "pcap %s, %s-endian, %s" % (info["version"], info["byte_order"],
                                                info["ts_resolution"])
        else:
            fmt_s = "pcapng (%s; if_tsresol %s)" % (
                ", ".join("%s×%d" % kv for kv in info["blocks"].items()),
                "/".join(str(x) for x in info["if_tsresol"]))
        lt_s = ", ".join("%s (%d)" % (LINKTYPES.get(x, "?"), x) for x in info["linktypes"])
        flag_s = ", ".join("%s ×%d" % kv for kv in sorted(flags.items())) or "none"
        status = "%d" % orc
        if err:
            status += " — stderr: `%s`" % err.replace("\n", " ")
        rows.append("| `%s` | %d | %s | %s | %d | %s |" % (
            name, info["bytes"], fmt_s, lt_s, len(lines), flag_s))
        details.append("### `%s`\n\n%s\n\n- tshark oracle: `%s.tshark.txt`, "
                       "%d lines, tshark exit status %s\n- packets with "
                       "`tcp.analysis.flags`: %d\n- analysis flags: %s\n" % (
                           name, how, name, len(lines), status, flagged, flag_s))
    readme = README_TEMPLATE.format(
        table="\n".join(rows), details="\n".join(details),
        tshark=tshark_version, tcpdump=tcpdump_version, kernel=kernel)
    with open(os.path.join(d, "README.md"), "w") as f:
        f.write(readme)


README_TEMPLATE = """# Capture corpus

Small real captures for testing tcplab's pcap/pcapng readers and its
tshark-compatible packet list.  **Generated — do not edit by hand.**  Regenerate
everything (captures, oracles, this file) as root with

    bash Tests/IntegrationTests/Fixtures/make_corpus.sh

The helpers live in `Tests/IntegrationTests/Fixtures/corpus-tools/` (`traffic.py` makes the TCP
traffic, `pcaptool.py` rewrites/inspects files, `corpus_readme.py` writes the
oracles and this README and checks every file).  All traffic is on loopback or
between network namespaces the script creates and deletes.  Captures differ
from run to run (timestamps, ports, sequence numbers, which segments were lost);
the oracles are always regenerated together with them.

Generated with: {tshark}; {tcpdump}; Linux {kernel}.

## Oracles

For each capture `X`, `X.tshark.txt` is the standard output of

    tshark -r X -T fields -E separator=/t -e frame.number -e _ws.col.Protocol -e _ws.col.Info

run with an empty personal configuration (`WIRESHARK_CONFIG_DIR` pointing at an
empty directory), i.e. Wireshark's default preferences: TCP sequence analysis
and relative sequence numbers on, no transport-name resolution (ports print as
numbers).  For the truncated files the oracle holds whatever tshark printed
before it gave up; its exit status and message are listed below.

The analysis-flag column counts the bracketed labels in the Info column of
packets that match `tcp.analysis.flags` (`Dup ACK n#m` counted as `Dup ACK`).

## Files

| file | bytes | format | link type(s) | packets | TCP analysis flags (Info labels) |
| --- | --- | --- | --- | --- | --- |
{table}

## How each file was made

{details}
"""

if __name__ == "__main__":
    main()
