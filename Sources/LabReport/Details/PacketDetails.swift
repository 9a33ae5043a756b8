import LabPackets

/// One line of a packet's details tree, as `tshark -n -V` prints it, with the frame bytes it
/// covers, so a bytes pane can light them up when the line is selected.
public struct DetailNode: Sendable, Equatable {
    public var text: String
    /// Offsets into the captured frame; nil for a line computed from other packets or fields.
    public var bytes: Range<Int>?
    public var children: [DetailNode]

    public init(_ text: String, _ bytes: Range<Int>? = nil, _ children: [DetailNode] = []) {
        self.text = text
        self.bytes = bytes
        self.children = children
    }
}

/// A packet's details tree, the middle pane of Wireshark: the frame, its link layer, IP, TCP
/// (fields, flags, options, analysis) and an HTTP head, each line named as `tshark -n -V` names
/// it. Decoded again from the frame's bytes, bounds-checked at every field: a frame cut short
/// gets the tree as far as its bytes go and a `[Malformed Packet]` line.
public struct PacketDetails: Sendable {
    public var nodes: [DetailNode] = []

    /// `origin` is the first packet's timestamp, for the time since it; `segment` the packet's
    /// analysis, for relative numbers and analysis flags; `http` what the packet list's HTTP
    /// dissector made of it, for its protocol.
    public init(_ packet: Packet, _ segment: AnalyzedSegment?, linkType: LinkType, origin: Int64, http: Bool = false) {
        let reader = DetailReader(bytes: Array(packet.bytes))
        nodes.append(Self.frame(packet, origin: origin, captured: reader.count))
        guard let network = reader.link(linkType, into: &nodes) else {
            if let error = packet.malformed { nodes.append(DetailNode("[Malformed Packet: \(error)]")) }
            return
        }
        let transport = reader.network(network, into: &nodes)
        if let transport, transport.protocolNumber == 6 {
            reader.tcp(at: transport.start, end: transport.end, wireLength: transport.wireLength, segment: segment, http: http, into: &nodes)
        } else if let transport, transport.protocolNumber == 17 {
            reader.udp(at: transport.start, end: transport.end, into: &nodes)
        }
        if let error = packet.malformed, !nodes.contains(where: { $0.text.hasPrefix("[Malformed Packet") }) {
            nodes.append(DetailNode("[Malformed Packet: \(error)]"))
        }
    }

    static func frame(_ p: Packet, origin: Int64, captured: Int) -> DetailNode {
        let since = PacketRow.time(elapsed(from: origin, to: p.timestamp))
        return DetailNode("Frame \(p.number): \(p.frameLength) bytes on wire (\(p.frameLength * 8) bits), \(captured) bytes captured (\(captured * 8) bits)",
                          0..<captured, [
                              DetailNode("Epoch Time: \(PacketRow.time(p.timestamp)) seconds"),
                              DetailNode("[Time since reference or first frame: \(since) seconds]"),
                              DetailNode("Frame Number: \(p.number)"),
                              DetailNode("Frame Length: \(p.frameLength) bytes (\(p.frameLength * 8) bits)"),
                              DetailNode("Capture Length: \(captured) bytes (\(captured * 8) bits)"),
                          ])
    }

    /// The tree as `tshark -V` prints it: four spaces per level.
    public var text: String {
        var lines: [String] = []
        func walk(_ node: DetailNode, _ depth: Int) {
            lines.append(String(repeating: " ", count: depth * 4) + node.text)
            for child in node.children { walk(child, depth + 1) }
        }
        for node in nodes { walk(node, 0) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The frame's bytes as `tshark -x` prints them: offset, 16 bytes, their ASCII, and the blank
    /// line after.
    public static func hexDump(_ bytes: some Collection<UInt8>) -> String {
        let all = Array(bytes)
        var lines: [String] = []
        for start in stride(from: 0, to: all.count, by: 16) {
            let row = all[start..<min(start + 16, all.count)]
            var hex = row.map(DetailReader.hex2).joined(separator: " ")
            hex += String(repeating: " ", count: max(0, 47 - hex.count))
            let ascii = String(row.map { $0 >= 0x20 && $0 < 0x7f ? Character(Unicode.Scalar($0)) : "." })
            lines.append(DetailReader.hex4(start) + "  " + hex + "   " + ascii)
        }
        return lines.joined(separator: "\n") + "\n\n"
    }
}
