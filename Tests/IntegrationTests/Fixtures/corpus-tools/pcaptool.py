#!/usr/bin/env python3
"""Small pcap/pcapng rewriting helpers for the tcplab capture corpus.

  byteswap IN OUT         rewrite a pcap's file header and record headers in the
                          other byte order (frames untouched)
  relink IN OUT null|raw  Ethernet pcap -> DLT_NULL (4-byte AF_ header in the
                          file's byte order, AF_INET=2 / AF_INET6=10) or
                          LINKTYPE_RAW (101, bare IP); non-IP frames are dropped
  truncate IN OUT         copy a pcap or pcapng, cut in the middle of the last
                          packet's data
  info FILE               JSON summary: format, byte order, timestamp
                          resolution, link types, record/block counts
"""
import json
import struct
import sys

PCAP_MAGICS = {
    0xA1B2C3D4: "usec",
    0xA1B23C4D: "nsec",
}
PCAPNG_SHB = 0x0A0D0D0A
BLOCK_NAMES = {
    0x0A0D0D0A: "SHB", 0x00000001: "IDB", 0x00000006: "EPB", 0x00000003: "SPB",
    0x00000002: "PB(obsolete)", 0x00000004: "NRB", 0x00000005: "ISB",
    0x0000000A: "DSB", 0x00000BAD: "CB", 0x40000BAD: "CB(no-copy)",
}


def pcap_endian(data):
    for e in "<>":
        (m,) = struct.unpack(e + "I", data[:4])
        if m in PCAP_MAGICS:
            return e, PCAP_MAGICS[m]
    return None, None


def pcap_records(data, e):
    """Yield (offset, ts_sec, ts_frac, incl, orig, frame) for complete records."""
    off = 24
    while off + 16 <= len(data):
        ts, frac, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        if off + 16 + incl > len(data):
            return
        yield off, ts, frac, incl, orig, data[off + 16:off + 16 + incl]
        off += 16 + incl


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def byteswap(src, dst):
    data = read(src)
    e, _ = pcap_endian(data)
    if e is None:
        raise SystemExit("%s: not a pcap file" % src)
    o = ">" if e == "<" else "<"
    hdr = struct.unpack(e + "IHHiIII", data[:24])
    out = [struct.pack(o + "IHHiIII", *hdr)]
    end = 24
    for off, ts, frac, incl, orig, frame in pcap_records(data, e):
        out.append(struct.pack(o + "IIII", ts, frac, incl, orig))
        out.append(frame)
        end = off + 16 + incl
    if end != len(data):
        raise SystemExit("%s: trailing partial record" % src)
    write(dst, b"".join(out))


def relink(src, dst, kind):
    data = read(src)
    e, _ = pcap_endian(data)
    magic, vmaj, vmin, zone, sigfigs, snaplen, linktype = struct.unpack(e + "IHHiIII", data[:24])
    if linktype != 1:
        raise SystemExit("%s: link type %d, expected 1 (EN10MB)" % (src, linktype))
    new_lt = {"null": 0, "raw": 101}[kind]
    out = [struct.pack(e + "IHHiIII", magic, vmaj, vmin, zone, sigfigs, snaplen, new_lt)]
    for off, ts, frac, incl, orig, frame in pcap_records(data, e):
        (ethertype,) = struct.unpack("!H", frame[12:14])
        if ethertype == 0x0800:
            af = 2
        elif ethertype == 0x86DD:
            af = 10  # Linux AF_INET6
        else:
            continue
        payload = frame[14:]
        if kind == "null":
            # DLT_NULL's family word is in the capturing host's byte order;
            # we write it in the file's byte order (little-endian host).
            payload = struct.pack(e + "I", af) + payload
        delta = len(payload) - len(frame)
        out.append(struct.pack(e + "IIII", ts, frac, incl + delta, orig + delta))
        out.append(payload)
    write(dst, b"".join(out))


def pcapng_blocks(data):
    """Yield (offset, type, total_len, endian) for complete blocks."""
    off = 0
    e = "<"
    while off + 12 <= len(data):
        (btype,) = struct.unpack(e + "I", data[off:off + 4])
        if btype == PCAPNG_SHB:
            (bom,) = struct.unpack("<I", data[off + 8:off + 12])
            e = "<" if bom == 0x1A2B3C4D else ">"
        (blen,) = struct.unpack(e + "I", data[off + 4:off + 8])
        if blen < 12 or off + blen > len(data):
            return
        yield off, btype, blen, e
        off += blen


def truncate(src, dst):
    data = read(src)
    e, _ = pcap_endian(data)
    cut = None
    if e is not None:
        for off, ts, frac, incl, orig, frame in pcap_records(data, e):
            cut = off + 16 + max(1, incl // 2)
    elif struct.unpack("<I", data[:4])[0] == PCAPNG_SHB:
        for off, btype, blen, be in pcapng_blocks(data):
            if btype == 6:
                (caplen,) = struct.unpack(be + "I", data[off + 20:off + 24])
                cut = off + 28 + max(1, caplen // 2)
    if cut is None:
        raise SystemExit("%s: no packet to cut" % src)
    write(dst, data[:cut])
    print(cut)


def info(path):
    data = read(path)
    e, res = pcap_endian(data)
    r = {"file": path.rsplit("/", 1)[-1], "bytes": len(data)}
    if e is not None:
        hdr = struct.unpack(e + "IHHiIII", data[:24])
        recs = list(pcap_records(data, e))
        end = recs[-1][0] + 16 + recs[-1][3] if recs else 24
        r.update(format="pcap", byte_order="little" if e == "<" else "big",
                 version="%d.%d" % (hdr[1], hdr[2]), ts_resolution=res,
                 snaplen=hdr[5], linktypes=[hdr[6]], records=len(recs),
                 trailing_bytes=len(data) - end)
    elif struct.unpack("<I", data[:4])[0] == PCAPNG_SHB:
        counts, linktypes, end, tsresol = {}, [], 0, []
        epb_ifs, switches = [], 0
        for off, btype, blen, be in pcapng_blocks(data):
            name = BLOCK_NAMES.get(btype, "0x%08x" % btype)
            counts[name] = counts.get(name, 0) + 1
            if btype == 1:
                (lt,) = struct.unpack(be + "H", data[off + 8:off + 10])
                linktypes.append(lt)
                # scan options for if_tsresol (code 9)
                p, stop = off + 16, off + blen - 4
                res = 6
                while p + 4 <= stop:
                    code, olen = struct.unpack(be + "HH", data[p:p + 4])
                    if code == 0:
                        break
                    if code == 9:
                        res = data[p + 4]
                    p += 4 + ((olen + 3) & ~3)
                tsresol.append(res)
            if btype == 6:
                (ifid,) = struct.unpack(be + "I", data[off + 8:off + 12])
                if epb_ifs and epb_ifs[-1] != ifid:
                    switches += 1
                epb_ifs.append(ifid)
            end = off + blen
        r.update(format="pcapng", blocks=counts, linktypes=linktypes,
                 if_tsresol=tsresol, interface_switches=switches, records=counts.get("EPB", 0) + counts.get("SPB", 0),
                 trailing_bytes=len(data) - end)
    else:
        r["format"] = "unknown"
    return r


def main():
    a = sys.argv[1:]
    if a[:1] == ["byteswap"] and len(a) == 3:
        byteswap(a[1], a[2])
    elif a[:1] == ["relink"] and len(a) == 4:
        relink(a[1], a[2], a[3])
    elif a[:1] == ["truncate"] and len(a) == 3:
        truncate(a[1], a[2])
    elif a[:1] == ["info"] and len(a) == 2:
        print(json.dumps(info(a[1])))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
