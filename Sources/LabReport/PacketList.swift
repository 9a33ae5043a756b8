import LabPackets

/// The packet list as Wireshark's columns show it: No., Time, Source, Destination,
/// Protocol, Length, Info, with relative sequence numbers.
public struct PacketList {
    public struct Row: Sendable, Equatable {
        public var number: Int
        public var time: String
        public var source: String
        public var destination: String
        public var protocolName: String
        public var length: Int
        public var info: String
    }

    public let rows: [Row]

    public init(packets: [Packet], connections: [Connection]) {
        var analyzed: [Int: AnalyzedSegment] = [:]
        for c in connections { for s in c.segments { analyzed[s.packetIndex] = s } }
        let origin = packets.first?.timestamp ?? 0
        rows = packets.enumerated().map { index, packet in
            let info: String
            let proto: String
            if let s = analyzed[index] {
                (proto, info) = ("TCP", Self.info(s))
            } else if let error = packet.malformed {
                (proto, info) = ("?", "[Malformed Packet: \(error)]")
            } else {
                (proto, info) = (packet.udpPorts == nil ? "?" : "UDP", "")
            }
            return Row(number: packet.number, time: Self.time(packet.timestamp - origin),
                       source: packet.source.map(String.init(describing:)) ?? "",
                       destination: packet.destination.map(String.init(describing:)) ?? "",
                       protocolName: proto, length: packet.frameLength, info: info)
        }
    }

    /// Seconds with nine decimals, as tshark prints the relative time.
    static func time(_ nanoseconds: Int64) -> String {
        let sign = nanoseconds < 0 ? "-" : ""
        let magnitude = nanoseconds.magnitude
        let fraction = String(magnitude % 1_000_000_000)
        return "\(sign)\(magnitude / 1_000_000_000).\(String(repeating: "0", count: 9 - fraction.count))\(fraction)"
    }

    /// The Info column of tshark 4.0 for a TCP segment without analysis flags.
    public static func info(_ s: AnalyzedSegment) -> String {
        let tcp = s.segment
        var parts = ["\(tcp.sourcePort) → \(tcp.destinationPort) [\(tcp.flags.names.joined(separator: ", "))]",
                     "Seq=\(s.relativeSequence)"]
        if let ack = s.relativeAcknowledgment { parts.append("Ack=\(ack)") }
        parts.append("Win=\(s.window)")
        if tcp.flags.contains(.urg) { parts.append("Urg=\(tcp.urgentPointer)") }
        parts.append("Len=\(s.length)")
        for option in tcp.options {
            switch option {
            case let .maximumSegmentSize(mss): parts.append("MSS=\(mss)")
            case .sackPermitted: parts.append("SACK_PERM")
            case let .timestamp(value, echo): parts.append("TSval=\(value) TSecr=\(echo)")
            case let .windowScale(shift): parts.append("WS=\(1 << min(Int(shift), 14))")
            case let .sack(blocks):
                for b in blocks { parts.append("SLE=\(b.left) SRE=\(b.right)") }
            default: break
            }
        }
        return parts.joined(separator: " ")
    }

    /// Fixed-width text, one row per packet, under a header line.
    public func render() -> String {
        let header = Row(number: 0, time: "Time", source: "Source", destination: "Destination",
                         protocolName: "Protocol", length: 0, info: "Info")
        let widths = (
            number: max(3, rows.map { String($0.number).count }.max() ?? 0),
            time: max(4, rows.map(\.time.count).max() ?? 0),
            source: max(6, rows.map(\.source.count).max() ?? 0),
            destination: max(11, rows.map(\.destination.count).max() ?? 0),
            length: max(6, rows.map { String($0.length).count }.max() ?? 0)
        )
        func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, n - s.count))
            return right ? fill + s : s + fill
        }
        func line(_ r: Row, number: String, length: String) -> String {
            [pad(number, widths.number, right: true), pad(r.time, widths.time, right: true), pad(r.source, widths.source),
             pad(r.destination, widths.destination), pad(r.protocolName, 8), pad(length, widths.length, right: true), r.info]
                .joined(separator: " ")
        }
        var lines = [line(header, number: "No.", length: "Length")]
        for r in rows { lines.append(line(r, number: String(r.number), length: String(r.length))) }
        return lines.joined(separator: "\n")
    }
}
