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

    /// Feeds the file in `chunk`-byte pieces and decodes it in batches of `limit` segments.
    static func batches(chunk: Int, limit: Int) throws -> [SegmentBatch] {
        let file = FrameBuilder.pcapFile(frames)
        var parser = CaptureParser()
        var flows = FlowIndex()
        var number = 0
        var batches: [SegmentBatch] = []
        var batch = SegmentBatch()
        for start in stride(from: 0, to: file.count, by: chunk) {
            parser.append(Array(file[start..<min(file.count, start + chunk)]))
            while true {
                try parser.decodeSegments(into: &batch, limit: limit, flows: &flows, frameNumber: &number)
                guard batch.segments.count == limit else { break }
                batches.append(batch)
                batch = SegmentBatch()
            }
        }
        try parser.finish()
        return batches + [batch]
    }

    @Test(arguments: [(1 << 20, 1000), (97, 7), (1000, 1)])
    func decodesEverySegmentAsPacketDecodeDoes(chunk: Int, limit: Int) throws {
        let batches = try Self.batches(chunk: chunk, limit: limit)
        #expect(batches.dropLast().allSatisfy { $0.segments.count == limit })
        #expect(batches.map(\.frames).reduce(0, +) == Self.frames.count)
        let segments = batches.flatMap(\.segments)
        let packets = FrameBuilder.decode(Self.frames).filter { $0.tcp != nil }
        #expect(segments.count == packets.count && segments.count == Self.frames.count - 2)
        for (segment, packet) in zip(segments, packets) {
            #expect(segment.number == packet.number && segment.timestamp == packet.timestamp)
            #expect(segment.tcp == packet.headers.tcp)
        }
        // Each 4-tuple's endpoints come once, in the batch of its first segment, low one first.
        let endpoints = batches.flatMap(\.newFlows)
        #expect(endpoints.count == 40)
        for (segment, packet) in zip(segments, packets) {
            let pair = endpoints[segment.flow.index]
            #expect((segment.flow.fromLow ? pair.low : pair.high) == packet.sourceEndpoint)
        }
    }

    @Test(arguments: [50, 1, 100_000])
    func analysingBatchesGivesTheConnectionsThePacketPathGives(limit: Int) throws {
        var byBatch = ConversationAnalyzer(retainSegments: false)
        for batch in try Self.batches(chunk: 333, limit: limit) { byBatch.add(batch) }
        let byPacket = ConversationAnalyzer.analyze(FrameBuilder.decode(Self.frames))
        #expect(byBatch.connections.count == 40 && byPacket.count == 40)
        for (a, b) in zip(byBatch.connections, byPacket) {
            #expect(a.index == b.index && a.client == b.client && a.server == b.server && a.sawOpening == b.sawOpening)
            #expect(a.history == b.history && a.clientStats == b.clientStats && a.serverStats == b.serverStats)
            #expect(a.firstTimestamp == b.firstTimestamp && a.lastTimestamp == b.lastTimestamp)
        }
    }
}
