import LabTestSupport
import Testing
@testable import LabPackets

/// The streaming path of `tcplab show` (records decoded in place into batches, analysed by
/// flow number) must say exactly what the packet-by-packet path says.
@Suite struct BatchDecodingTests {
    /// Interleaved connections, then a UDP datagram and a frame cut inside its IP header.
    static let frames: [CapturedFrame] = {
        var frames = FrameBuilder.interleaved(connections: 40)
        let udp = FrameBuilder.ethernet(FrameBuilder.ipv4(source: 1, destination: 2, protocolNumber: 17, payload: [0, 53, 0, 53, 0, 8, 0, 0]))
        let cut = Array(FrameBuilder.ethernet(FrameBuilder.ipv4(source: 1, destination: 2, protocolNumber: 6, payload: [])).prefix(20))
        frames.append(CapturedFrame(timestamp: frames.last!.timestamp + 1000, originalLength: udp.count, bytes: udp))
        frames.append(CapturedFrame(timestamp: frames.last!.timestamp + 1000, originalLength: cut.count, bytes: cut))
        return frames
    }()

    /// Feeds the file in `chunk`-byte pieces and decodes it in batches of `limit`.
    static func batches(chunk: Int, limit: Int) throws -> [[DecodedFrame]] {
        let file = FrameBuilder.pcapFile(frames)
        var parser = CaptureParser()
        var flows = FlowIndex()
        var batches: [[DecodedFrame]] = []
        var batch: [DecodedFrame] = []
        for start in stride(from: 0, to: file.count, by: chunk) {
            parser.append(Array(file[start..<min(file.count, start + chunk)]))
            while true {
                try parser.decodeRecords(into: &batch, limit: limit, flows: &flows)
                guard batch.count == limit else { break }
                batches.append(batch)
                batch = []
            }
        }
        try parser.finish()
        return batches + [batch]
    }

    @Test(arguments: [(1 << 20, 1000), (97, 7), (1000, 1)])
    func decodesEveryFrameAsPacketDecodeDoes(chunk: Int, limit: Int) throws {
        let batches = try Self.batches(chunk: chunk, limit: limit)
        #expect(batches.dropLast().allSatisfy { $0.count == limit })
        let decoded = batches.flatMap { $0 }
        let packets = FrameBuilder.decode(Self.frames)
        #expect(decoded.count == packets.count)
        for (frame, packet) in zip(decoded, packets) {
            #expect(frame.timestamp == packet.timestamp)
            #expect(frame.headers.tcp == packet.headers.tcp && frame.headers.source == packet.source)
            #expect(frame.headers.udp == packet.headers.udp && frame.headers.transport == packet.headers.transport)
            #expect((frame.flow != nil) == (packet.tcp != nil))
        }
    }

    @Test func analysingBatchesByFlowGivesTheSameConnections() throws {
        var byBatch = ConversationAnalyzer(retainSegments: false)
        var number = 1, segments = 0
        for batch in try Self.batches(chunk: 333, limit: 50) {
            segments += batch.withUnsafeBufferPointer { byBatch.add($0, firstNumber: number) }
            number += batch.count
        }
        let byPacket = ConversationAnalyzer.analyze(FrameBuilder.decode(Self.frames))
        #expect(segments == Self.frames.count - 2)
        #expect(byBatch.connections.count == 40 && byPacket.count == 40)
        for (a, b) in zip(byBatch.connections, byPacket) {
            #expect(a.index == b.index && a.client == b.client && a.server == b.server && a.sawOpening == b.sawOpening)
            #expect(a.history == b.history && a.clientStats == b.clientStats && a.serverStats == b.serverStats)
            #expect(a.firstTimestamp == b.firstTimestamp && a.lastTimestamp == b.lastTimestamp)
        }
    }

    @Test func eachSegmentIsPlacedAsThePacketPathPlacesIt() throws {
        var byBatch = ConversationAnalyzer(retainSegments: false)
        var byPacket = ConversationAnalyzer(retainSegments: false)
        var flows = FlowIndex()
        for (i, packet) in FrameBuilder.decode(Self.frames).enumerated() {
            let expected = byPacket.add(packet, index: i)
            let placed = flows.flow(of: packet.headers).flatMap {
                byBatch.add(packet.headers, flow: $0, number: packet.number, timestamp: packet.timestamp)
            }
            #expect(placed == expected.map { s in
                SegmentPlacement(connection: s.connection, from: s.from, relativeSequence: s.relativeSequence,
                                 relativeAcknowledgment: s.relativeAcknowledgment, window: s.window, analysis: s.analysis)
            }, "packet \(packet.number)")
        }
    }
}
