import LabPackets

/// Builds rows in file order, keeping what HTTP needs across segments.
public struct PacketRowBuilder {
    private var origin: Int64?
    private var http = HTTPTracker()

    public init() {}

    /// A hidden packet, as `PacketLineWriter.hide` takes it.
    public mutating func hide(_ packet: Packet, _ segment: AnalyzedSegment?) {
        if origin == nil { origin = packet.timestamp }
        if let segment { _ = http.summary(segment) }
    }

    public mutating func row(_ packet: Packet, _ segment: AnalyzedSegment?) -> PacketRow {
        let first = origin ?? packet.timestamp
        origin = first
        return PacketRow(packet: packet, segment: segment, origin: first, http: &http)
    }
}

/// One line of the packet list, built from a packet and its TCP analysis.
public struct PacketRow: Sendable, Equatable, Codable {
    public var number: Int
    public var time: String
    public var source: String
    public var destination: String
    public var protocolName: String
    public var length: Int
    public var info: String
    /// The TCP fields behind `info`, for a TCP row.
    public var tcp: PacketRowTCP?

    /// A row on its own; HTTP responses spread over several segments need `PacketRowBuilder`.
    public init(packet: Packet, segment: AnalyzedSegment?, origin: Int64) {
        var http = HTTPTracker()
        self.init(packet: packet, segment: segment, origin: origin, http: &http)
    }

    init(packet: Packet, segment: AnalyzedSegment?, origin: Int64, http: inout HTTPTracker) {
        number = packet.number
        time = Self.time(elapsed(from: origin, to: packet.timestamp))
        source = packet.source.map(String.init(describing:)) ?? ""
        destination = packet.destination.map(String.init(describing:)) ?? ""
        length = packet.frameLength
        tcp = segment.map(PacketRowTCP.init)
        if let segment {
            if let (name, text) = http.summary(segment) {
                (protocolName, info) = (name, text)
            } else {
                (protocolName, info) = ("TCP", segment.analysis.infoPrefix + Self.tcpInfo(segment))
            }
        } else if let error = packet.malformed {
            (protocolName, info) = (packet.ipProtocol == nil ? "Frame" : "TCP", "[Malformed Packet: \(error)]")
        } else if let ports = packet.udpPorts {
            (protocolName, info) = ("UDP", "\(ports.source) → \(ports.destination) Len=\(packet.udpPayload.count)")
        } else {
            protocolName = switch packet.ipProtocol {
            case 1: "ICMP"
            case 58: "ICMPv6"
            case nil: "Frame"
            default: "IP"
            }
            info = ""
        }
    }

    /// Seconds with nine decimals, as tshark prints the relative time.
    static func time(_ nanoseconds: Int64) -> String {
        let sign = nanoseconds < 0 ? "-" : ""
        let magnitude = nanoseconds.magnitude
        let fraction = String(magnitude % 1_000_000_000)
        return "\(sign)\(magnitude / 1_000_000_000).\(String(repeating: "0", count: 9 - fraction.count))\(fraction)"
    }

    /// The Info column of tshark 4.0 for a TCP segment, after any analysis prefix.
    public static func tcpInfo(_ s: AnalyzedSegment) -> String {
        let tcp = s.segment
        var text = "\(tcp.sourcePort) → \(tcp.destinationPort) [\(tcp.flags.names.joined(separator: ", "))] Seq=\(s.relativeSequence)"
        if let ack = s.relativeAcknowledgment { text += " Ack=\(ack)" }
        text += " Win=\(s.window)"
        if tcp.flags.contains(.urg) { text += " Urg=\(tcp.urgentPointer)" }
        text += " Len=\(s.length)"
        for option in tcp.options {
            switch option {
            case let .maximumSegmentSize(mss): text += " MSS=\(mss)"
            case .sackPermitted: text += " SACK_PERM"
            case let .timestamp(value, echo): text += " TSval=\(value) TSecr=\(echo)"
            case let .windowScale(shift): text += " WS=\(1 << min(Int(shift), 14))"
            case let .sack(blocks):
                // SACK edges are in the receiver's sequence space: relative to the ACK's base.
                let base = s.relativeAcknowledgment.map { tcp.acknowledgment &- $0 } ?? 0
                for b in blocks { text += " SLE=\(b.left &- base) SRE=\(b.right &- base)" }
            default: break
            }
        }
        return text
    }

    /// Fixed columns, so rows can be printed as they are read.
    public var line: String {
        func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, n - s.count))
            return right ? fill + s : s + fill
        }
        return "\(pad(String(number), 6, right: true)) \(pad(time, 12, right: true)) \(pad(source, 15)) \(pad(destination, 15)) \(pad(protocolName, 8)) \(pad(String(length), 6, right: true)) \(info)"
    }

    public static let header = "   No.         Time Source          Destination     Protocol Length Info"
}

