import LabPackets
import LabReport
import LabTestSupport
import Testing

/// `show --explain` on a big file reads it twice and holds only the open connections: its
/// sentences must be the ones explaining the whole trace in memory gives, in the same order.
@Suite struct StreamingExplainerTests {
    /// Both ways: the in-memory explanation, and the two-pass one with the most segments it held.
    static func both(_ packets: [Packet]) -> (whole: [Explanation], streamed: [Explanation], mostHeld: Int) {
        let whole = Explainer(connections: ConversationAnalyzer.analyze(packets)).explain()
        var first = ConversationAnalyzer(retainSegments: false)
        for (i, p) in packets.enumerated() { first.add(p, index: i) }
        var explainer = StreamingExplainer(ends: first.connections)
        var streamed: [Explanation] = []
        for (i, p) in packets.enumerated() { explainer.add(p, index: i) { streamed.append($0) } }
        explainer.finish { streamed.append($0) }
        return (whole, streamed, explainer.mostHeld)
    }

    /// Groups of `together` exchanges interleaved round robin, one group after another; with
    /// `longLived`, one more connection opens first and closes last, around all of them.
    static func staggered(groups: Int, together: Int, longLived: Bool) -> [Packet] {
        var frames: [CapturedFrame] = []
        var outer = FrameBuilder()
        outer.client.port = 10_000
        let opening = outer.exchange(client: [Array("hold".utf8)], server: [Array("HOLD".utf8)])
        if longLived { frames += opening.prefix(4) }
        for g in 0..<groups {
            var exchanges: [[CapturedFrame]] = []
            for i in 0..<together {
                var builder = FrameBuilder()
                builder.client.port = UInt16(20_000 + g * together + i)
                builder.time = Int64(g * together + i + 1) * 1_000_000
                exchanges.append(builder.exchange(client: [[UInt8](repeating: 0x61, count: i + 1)], server: [[0x41, 0x42]]))
            }
            let longest = exchanges.map(\.count).max() ?? 0
            frames += (0..<longest).flatMap { step in exchanges.compactMap { step < $0.count ? $0[step] : nil } }
        }
        if longLived { frames += opening.dropFirst(4) }
        return FrameBuilder.decode(frames)
    }

    @Test(arguments: [(1, 1, false), (10, 3, false), (10, 3, true), (4, 7, true)])
    func givesTheSentencesOfTheWholeTraceInItsOrder(groups: Int, together: Int, longLived: Bool) {
        let packets = Self.staggered(groups: groups, together: together, longLived: longLived)
        let (whole, streamed, _) = Self.both(packets)
        #expect(!whole.isEmpty)
        #expect(streamed == whole)
        let firsts = streamed.compactMap(\.packets.first)
        #expect(firsts == firsts.sorted())
    }

    @Test func holdsOnlyTheConnectionsStillOpen() {
        // 30 connections of 8 segments, 3 open at a time, and one around them all.
        let packets = Self.staggered(groups: 10, together: 3, longLived: true)
        let (_, _, mostHeld) = Self.both(packets)
        #expect(packets.count == 31 * 8)
        #expect(mostHeld <= 3 * 8 + 4 + 1, "held \(mostHeld) of \(packets.count) segments")
    }

    @Test func interleavedConnectionsComeOutAsInMemory() {
        let packets = FrameBuilder.decode(FrameBuilder.interleaved(connections: 12))
        let (whole, streamed, _) = Self.both(packets)
        #expect(streamed == whole && whole.count >= 12 * 8)
    }

    /// A connection the first pass did not see (a file that grew in between) is explained at the end.
    @Test func explainsConnectionsTheFirstPassDidNotSee() {
        let packets = Self.staggered(groups: 2, together: 2, longLived: false)
        var first = ConversationAnalyzer(retainSegments: false)
        for (i, p) in packets.prefix(16).enumerated() { first.add(p, index: i) }
        #expect(first.connectionCount == 2)
        var explainer = StreamingExplainer(ends: first.connections)
        var streamed: [Explanation] = []
        for (i, p) in packets.enumerated() { explainer.add(p, index: i) { streamed.append($0) } }
        explainer.finish { streamed.append($0) }
        #expect(Set(streamed.flatMap(\.packets)) == Set(1...packets.count))
    }
}
