import LabTestSupport
import Testing
@testable import LabPackets

@Suite struct ConversationTests {
    @Test func numbersSegmentsRelativeToEachSidesISN() throws {
        var builder = FrameBuilder()
        builder.clientISN = 0xffff_fff0  // wraps: relative numbers must still start at 0
        let frames = builder.exchange(client: [Array("Hello".utf8)], server: [Array("HELLO".utf8)])
        let connections = ConversationAnalyzer.analyze(FrameBuilder.decode(frames))
        let c = try #require(connections.first)
        #expect(connections.count == 1)
        #expect(c.client.port == 40000 && c.server.port == 12345)
        let summary = c.segments.map { "\($0.from) \($0.relativeSequence)/\($0.relativeAcknowledgment.map(String.init) ?? "-")/\($0.length)" }
        #expect(summary == ["client 0/-/0", "server 0/1/0", "client 1/1/0", "client 1/1/5", "server 1/6/5",
                            "client 6/6/0", "server 6/7/0", "client 7/7/0"])
    }

    @Test func scalesTheWindowOnlyAfterBothSYNsOfferedScaling() throws {
        var builder = FrameBuilder()
        let frames = builder.exchange(client: [[1]], server: [])
        let c = try #require(ConversationAnalyzer.analyze(FrameBuilder.decode(frames)).first)
        #expect(c.segments[0].window == 512)  // a SYN's window is never scaled
        #expect(c.segments[2].window == 512 << 7)
    }

    @Test func aNewSYNOnAClosedFourTupleStartsANewConnection() {
        var builder = FrameBuilder()
        var frames = builder.exchange(client: [[1]], server: [[2]])
        builder.clientISN = 77_777
        frames += builder.exchange(client: [[3]], server: [[4]])
        let connections = ConversationAnalyzer.analyze(FrameBuilder.decode(frames))
        #expect(connections.count == 2)
        #expect(connections[1].segments.first?.relativeSequence == 0)
    }

    @Test func teardownIsQuiescentOnlyWhenBothFINsAreAcknowledged() {
        var builder = FrameBuilder()
        let packets = FrameBuilder.decode(builder.exchange(client: [[1]], server: [[2]]))
        var tracker = TeardownTracker()
        for (i, packet) in packets.enumerated() {
            tracker.add(packet)
            #expect(tracker.isQuiescent == (i == packets.count - 1), "after packet \(i + 1)")
        }
    }

    @Test func aResetEndsTheConnection() {
        var builder = FrameBuilder()
        var frames = Array(builder.exchange(client: [[1]], server: [[2]]).prefix(5))
        frames.append(builder.segment(from: .client, seq: 2, ack: 2, flags: .rst))
        var tracker = TeardownTracker()
        for packet in FrameBuilder.decode(frames) { tracker.add(packet) }
        #expect(tracker.isQuiescent)
    }
}
