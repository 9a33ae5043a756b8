import LabTestSupport
import Testing
@testable import LabPackets

@Suite struct PacketDecodingTests {
    let synOptions: [UInt8] = [2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 7, 0, 0, 0, 0, 1, 3, 3, 7]  // MSS 1460, SACK_PERM, TS, NOP, WS 7

    var synFrame: CapturedFrame {
        let tcp = FrameBuilder.tcp(sourcePort: 59386, destinationPort: 12345, seq: 42, ack: 0, flags: .syn,
                                   window: 64240, options: synOptions)
        let bytes = FrameBuilder.ethernet(FrameBuilder.ipv4(source: 0x0a00_0001, destination: 0x0a00_0002, protocolNumber: 6, payload: tcp))
        return CapturedFrame(timestamp: 0, originalLength: bytes.count, bytes: bytes)
    }

    @Test func decodesEthernetIPv4TCPWithEveryCommonOption() throws {
        let packet = Packet.decode(synFrame, number: 1, linkType: .ethernet)
        #expect(packet.malformed == nil)
        #expect(packet.source == .v4(0x0a00_0001))
        #expect(packet.source?.description == "10.0.0.1")
        let tcp = try #require(packet.tcp)
        #expect(tcp.sourcePort == 59386 && tcp.destinationPort == 12345)
        #expect(tcp.sequence == 42 && tcp.flags == .syn && tcp.window == 64240)
        #expect(tcp.options == [.maximumSegmentSize(1460), .sackPermitted, .timestamp(value: 7, echo: 0), .noOperation, .windowScale(7)])
        #expect(tcp.mss == 1460 && tcp.windowScale == 7)
    }

    @Test func everyTruncationOfAFrameIsFlaggedNotTrapped() {
        let bytes = synFrame.bytes
        for length in 0..<bytes.count {
            let frame = CapturedFrame(timestamp: 0, originalLength: bytes.count, bytes: Array(bytes.prefix(length)))
            let packet = Packet.decode(frame, number: 1, linkType: .ethernet)
            #expect(packet.tcp == nil, "a \(length)-byte prefix cannot hold a whole TCP header")
            #expect(packet.malformed != nil, "a \(length)-byte prefix must be flagged")
        }
    }

    @Test(arguments: [
        (0x40 as UInt8, "hdr_len"),  // IHL 0
        (0x65 as UInt8, "version"),  // version 6 in an IPv4 frame
    ])
    func rejectsImpossibleIPv4Headers(firstByte: UInt8, field: String) {
        var bytes = synFrame.bytes
        bytes[14] = firstByte
        let packet = Packet.decode(CapturedFrame(timestamp: 0, originalLength: bytes.count, bytes: bytes), number: 1, linkType: .ethernet)
        guard case let .invalid(_, bad, _, _)? = packet.malformed else {
            Issue.record("expected an invalid-field error, got \(String(describing: packet.malformed))")
            return
        }
        #expect(bad == field)
    }

    @Test func rejectsATCPDataOffsetBelowFive() {
        var bytes = synFrame.bytes
        bytes[14 + 20 + 12] = 0x40  // data offset 4
        let packet = Packet.decode(CapturedFrame(timestamp: 0, originalLength: bytes.count, bytes: bytes), number: 1, linkType: .ethernet)
        #expect(packet.tcp == nil)
        #expect(packet.malformed?.description.contains("hdr_len") == true)
    }

    @Test func flagsABadOptionLengthButKeepsTheHeader() throws {
        let tcp = FrameBuilder.tcp(sourcePort: 1, destinationPort: 2, seq: 0, ack: 0, flags: .syn, options: [2, 9, 0, 0])
        let bytes = FrameBuilder.ethernet(FrameBuilder.ipv4(source: 1, destination: 2, protocolNumber: 6, payload: tcp))
        let packet = Packet.decode(CapturedFrame(timestamp: 0, originalLength: bytes.count, bytes: bytes), number: 1, linkType: .ethernet)
        let segment = try #require(packet.tcp)
        #expect(segment.optionsMalformed)
    }

    @Test func decodesUnknownOptionsByLengthAndSACKBlocks() {
        let (options, malformed) = TCPSegment.parseOptions([30, 4, 9, 9, 5, 10, 0, 0, 0, 1, 0, 0, 0, 9][...])
        #expect(!malformed)
        #expect(options == [.unknown(kind: 30, length: 4), .sack([SACKBlock(left: 1, right: 9)])])
    }

    @Test func stripsEveryLinkLayerWeSupport() throws {
        let ip = FrameBuilder.ipv4(source: 1, destination: 2, protocolNumber: 6,
                                   payload: FrameBuilder.tcp(sourcePort: 5, destinationPort: 6, seq: 1, ack: 0, flags: .syn))
        let cases: [(LinkType, [UInt8])] = [
            (.ethernet, FrameBuilder.ethernet(ip)),
            (.ethernet, [UInt8](repeating: 0, count: 12) + [0x81, 0x00, 0, 5] + [0x08, 0x00] + ip),  // VLAN 5
            (.null, [2, 0, 0, 0] + ip),  // AF_INET, little-endian host
            (.loop, [0, 0, 0, 2] + ip),
            (.raw, ip),
            (.linuxSLL, [0, 0, 0, 1, 0, 6] + [UInt8](repeating: 0, count: 8) + [0x08, 0x00] + ip),
            (.linuxSLL2, [0x08, 0x00, 0, 0] + [0, 0, 0, 1] + [0, 1, 0, 6] + [UInt8](repeating: 0, count: 8) + ip),
        ]
        for (linkType, bytes) in cases {
            let packet = Packet.decode(CapturedFrame(timestamp: 0, originalLength: bytes.count, bytes: bytes), number: 1, linkType: linkType)
            #expect(packet.tcp?.sourcePort == 5, "link type \(linkType)")
        }
    }

    @Test(arguments: [[UInt16(0x8100)], [0x88a8], [0x88a8, 0x8100], [0x8100, 0x8100], [0x88a8, 0x8100, 0x8100]])
    func stepsOverStackedVLANTags(_ protocolIDs: [UInt16]) throws {
        var builder = FrameBuilder()
        let plain = builder.segment(from: .client, seq: 0, flags: .syn)
        let frame = FrameBuilder.tagged(plain, protocolIDs.enumerated().map { ($1, UInt16($0 + 1)) })
        let packet = Packet.decode(frame, number: 1, linkType: .ethernet)
        #expect(packet.malformed == nil)
        #expect(packet.tcp?.sourcePort == builder.client.port)
        var seen: [EthernetHeader.Tag] = []
        let network = try Array(frame.bytes).withUnsafeBytes { try EthernetHeader.walk($0) { seen.append($0) } }
        #expect(network.etherType == 0x0800 && network.start == 14 + 4 * protocolIDs.count)
        #expect(seen.map(\.protocolID) == protocolIDs)
        #expect(seen.map(\.vlanID) == Array(1...protocolIDs.count))
        #expect(seen.map(\.offset) == protocolIDs.indices.map { 14 + 4 * $0 })
    }

    @Test func aVLANTagCutShortIsADecodingErrorNotATrap() {
        var builder = FrameBuilder()
        let tagged = FrameBuilder.tagged(builder.segment(from: .client, seq: 0, flags: .syn), [(0x88a8, 7), (0x8100, 9)])
        for length in 12..<22 {
            let bytes = Array(tagged.bytes.prefix(length))
            let packet = Packet.decode(CapturedFrame(timestamp: 0, originalLength: bytes.count, bytes: bytes), number: 1, linkType: .ethernet)
            #expect(packet.malformed != nil, "cut at \(length)")
        }
    }

    @Test func skipsIPv6ExtensionHeaders() throws {
        let tcp = FrameBuilder.tcp(sourcePort: 7, destinationPort: 8, seq: 1, ack: 0, flags: .syn)
        let hopByHop: [UInt8] = [6, 0, 1, 4, 0, 0, 0, 0]  // next: TCP, length 0 (8 bytes), PadN
        var v6: [UInt8] = [0x60, 0, 0, 0] + FrameBuilder.be16(UInt16(hopByHop.count + tcp.count)) + [0, 64]
        v6 += [UInt8](repeating: 0, count: 15) + [1]  // ::1
        v6 += [UInt8](repeating: 0, count: 15) + [1]
        let bytes = FrameBuilder.ethernet(v6 + hopByHop + tcp, etherType: 0x86dd)
        let packet = Packet.decode(CapturedFrame(timestamp: 0, originalLength: bytes.count, bytes: bytes), number: 1, linkType: .ethernet)
        #expect(packet.source?.description == "::1")
        #expect(packet.tcp?.destinationPort == 8)
    }

    @Test func formatsIPv6AsRFC5952() {
        let bytes: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 10) + [0, 1]
        #expect(IPAddress.v6(bytes[...]).description == "2001:db8::1")
    }
}
