import LabPackets
import LabReport
import LabTestSupport
import Testing

/// The details tree is decoded again from the frame's bytes: each field names the bytes it came
/// from, and a frame cut anywhere gives a tree as far as it goes, never a trap.
@Suite struct PacketDetailsTests {
    static func exchange() -> (packets: [Packet], connections: [Connection]) {
        var builder = FrameBuilder()
        let packets = FrameBuilder.decode(builder.exchange(client: [Array("Hello".utf8)], server: [Array("HELLO".utf8)]))
        return (packets, ConversationAnalyzer.analyze(packets))
    }

    static func find(_ prefix: String, in nodes: [DetailNode]) -> DetailNode? {
        for node in nodes {
            if node.text.hasPrefix(prefix) { return node }
            if let found = find(prefix, in: node.children) { return found }
        }
        return nil
    }

    @Test func fieldsNameTheirBytes() throws {
        let (packets, connections) = Self.exchange()
        let p = packets[3], segment = connections[0].segments[3]
        let tree = PacketDetails(p, segment, linkType: .ethernet, origin: packets[0].timestamp).nodes
        let frame = Array(p.bytes)
        let port = try #require(Self.find("Source Port: ", in: tree))
        let range = try #require(port.bytes)
        #expect(range.count == 2 && Int(frame[range.lowerBound]) << 8 | Int(frame[range.lowerBound + 1]) == Int(segment.segment.sourcePort))
        let payload = try #require(Self.find("TCP payload (5 bytes)", in: tree)?.bytes)
        #expect(Array(frame[payload]) == Array("Hello".utf8))
        let flags = try #require(Self.find("Flags: 0x018 (PSH, ACK)", in: tree))
        #expect(flags.children.map(\.text).contains(".... .... 1... = Push: Set"))
        #expect(Self.find("Sequence Number: 1    (relative sequence number)", in: tree) != nil)
        #expect(Self.find("Acknowledgment Number: 1    (relative ack number)", in: tree) != nil)
        #expect(tree.map(\.text).first?.hasPrefix("Frame 4: ") ?? false)
    }

    @Test func theSYNsOptionsAreListedOneByOne() throws {
        let (packets, connections) = Self.exchange()
        let tree = PacketDetails(packets[0], connections[0].segments[0], linkType: .ethernet, origin: packets[0].timestamp).nodes
        let options = try #require(Self.find("Options: (", in: tree))
        #expect(options.children.map(\.text) == ["TCP Option - Maximum segment size: 65495 bytes", "TCP Option - Window scale: 7 (multiply by 128)", "TCP Option - No-Operation (NOP)"])
        #expect(Self.find("MSS Value: 65495", in: tree)?.bytes?.count == 2)
    }

    /// Every prefix of every frame of a real exchange, and garbage: a tree, a malformed line
    /// when the bytes stop inside a header, and every range inside the bytes captured.
    @Test func survivesFramesCutAnywhere() {
        let (packets, connections) = Self.exchange()
        for (i, p) in packets.enumerated() {
            let full = Array(p.bytes)
            for cut in 0...full.count {
                let frame = CapturedFrame(timestamp: p.timestamp, originalLength: full.count, bytes: Array(full.prefix(cut)))
                for linkType in [LinkType.ethernet, .linuxSLL, .linuxSLL2, .null, .raw] {
                    let packet = Packet.decode(frame, number: i + 1, linkType: linkType)
                    let tree = PacketDetails(packet, connections[0].segments[i], linkType: linkType, origin: 0)
                    #expect(!tree.nodes.isEmpty)
                    func inside(_ n: DetailNode) -> Bool { (n.bytes.map { $0.lowerBound >= 0 && $0.upperBound <= cut } ?? true) && n.children.allSatisfy(inside) }
                    #expect(tree.nodes.allSatisfy(inside), "a range past byte \(cut) of frame \(i + 1) (\(linkType))")
                    if linkType == .ethernet, cut < 14 + 20 + 20 { #expect(tree.text.contains("[Malformed Packet")) }
                }
            }
        }
    }

    @Test func hexDumpIsTsharks() {
        let dump = PacketDetails.hexDump(Array(0..<20).map { UInt8($0 * 13 % 256) })
        #expect(dump == """
        0000  00 0d 1a 27 34 41 4e 5b 68 75 82 8f 9c a9 b6 c3   ...'4AN[hu......
        0010  d0 dd ea f7                                       ....

        """ + "\n")
    }
}
