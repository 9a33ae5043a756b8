import LabPackets

/// The packet list's lines written straight into bytes: the same text as `PacketRow.line`, but a
/// TCP row costs no `String`, so a million rows go out about as fast as they are decoded. Rows
/// the fast path does not cover (HTTP, UDP, malformed, IPv6) are built as `PacketRow`s.
public struct PacketLineWriter {
    private var origin: Int64?
    private var http = HTTPTracker()

    public init() {}

    /// A packet a display filter hides still sets the Time column's origin and feeds HTTP's
    /// reassembly, as in Wireshark, where a filter changes which rows show and not what they say.
    public mutating func hide(_ packet: Packet, _ segment: AnalyzedSegment?) {
        if origin == nil { origin = packet.timestamp }
        if let segment { _ = http.summary(segment) }
    }

    /// Appends the packet's line and a newline.
    public mutating func write(_ packet: Packet, _ segment: AnalyzedSegment?, into out: inout ByteBuffer) {
        if origin == nil { origin = packet.timestamp }
        guard let segment else {
            out.append(PacketRow(packet: packet, segment: nil, origin: origin!).line)
            out.byte(0x0a)
            return
        }
        let summary = http.summary(segment)
        out.padLeft(packet.number, to: 6)
        out.byte(0x20)
        out.time(elapsed(from: origin!, to: packet.timestamp))
        out.byte(0x20)
        out.address(packet.source, width: 15)
        out.byte(0x20)
        out.address(packet.destination, width: 15)
        out.byte(0x20)
        if let (name, text) = summary {
            out.padded(name, to: 8)
            out.byte(0x20)
            out.padLeft(packet.frameLength, to: 6)
            out.byte(0x20)
            out.append(text)
        } else {
            out.append("TCP      " as StaticString)
            out.padLeft(packet.frameLength, to: 6)
            out.byte(0x20)
            if !segment.analysis.flags.isEmpty { out.append(segment.analysis.infoPrefix) }
            Self.appendTCPInfo(segment, into: &out)
        }
        out.byte(0x0a)
    }

    /// `PacketRow.tcpInfo`, byte for byte.
    static func appendTCPInfo(_ s: AnalyzedSegment, into out: inout ByteBuffer) {
        let tcp = s.segment
        out.decimal(UInt64(tcp.sourcePort))
        out.append(" → " as StaticString)
        out.decimal(UInt64(tcp.destinationPort))
        out.append(" [" as StaticString)
        var first = true
        for (flag, name) in TCPFlags.named where tcp.flags.contains(flag) {
            if !first { out.append(", " as StaticString) }
            out.append(name)
            first = false
        }
        out.append("] Seq=" as StaticString)
        out.decimal(UInt64(s.relativeSequence))
        if let ack = s.relativeAcknowledgment {
            out.append(" Ack=" as StaticString)
            out.decimal(UInt64(ack))
        }
        out.append(" Win=" as StaticString)
        out.signed(s.window)
        if tcp.flags.contains(.urg) {
            out.append(" Urg=" as StaticString)
            out.decimal(UInt64(tcp.urgentPointer))
        }
        out.append(" Len=" as StaticString)
        out.signed(s.length)
        tcp.forEachOption { option in
            switch option {
            case let .maximumSegmentSize(mss):
                out.append(" MSS=" as StaticString)
                out.decimal(UInt64(mss))
            case .sackPermitted:
                out.append(" SACK_PERM" as StaticString)
            case let .timestamp(value, echo):
                out.append(" TSval=" as StaticString)
                out.decimal(UInt64(value))
                out.append(" TSecr=" as StaticString)
                out.decimal(UInt64(echo))
            case let .windowScale(shift):
                out.append(" WS=" as StaticString)
                out.decimal(UInt64(1) << min(UInt64(shift), 14))
            case let .sack(blocks):
                // SACK edges are in the receiver's sequence space: relative to the ACK's base.
                let base = s.relativeAcknowledgment.map { tcp.acknowledgment &- $0 } ?? 0
                for b in blocks {
                    out.append(" SLE=" as StaticString)
                    out.decimal(UInt64(b.left &- base))
                    out.append(" SRE=" as StaticString)
                    out.decimal(UInt64(b.right &- base))
                }
            default: break
            }
        }
    }
}

extension ByteBuffer {
    mutating func address(_ address: IPAddress?, width: Int) {
        guard case let .v4(a)? = address else {
            padded(address.map(String.init(describing:)) ?? "", to: width)
            return
        }
        let start = count
        decimal(UInt64(a >> 24))
        byte(0x2e)
        decimal(UInt64(a >> 16 & 0xff))
        byte(0x2e)
        decimal(UInt64(a >> 8 & 0xff))
        byte(0x2e)
        decimal(UInt64(a & 0xff))
        spaces(width - (count - start))
    }

    /// `PacketRow.time` right-aligned in 12 columns: seconds with nine decimals.
    mutating func time(_ nanoseconds: Int64) {
        let magnitude = nanoseconds.magnitude
        let seconds = magnitude / 1_000_000_000
        let digits = Self.digitCount(seconds)
        spaces(12 - (nanoseconds < 0 ? 1 : 0) - digits - 10)
        if nanoseconds < 0 { byte(0x2d) }
        decimal(seconds, digits: digits)
        byte(0x2e)
        decimal(magnitude % 1_000_000_000, digits: 9)
    }
}
