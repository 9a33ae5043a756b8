import HeapModule
import LabPackets

/// Hands out the explanations of connections that finish in any order, in the order of their
/// first packets, as soon as no connection still open could explain an earlier packet. What a
/// pass over a big file holds is the explanations waiting on an older connection, not all.
public struct ExplanationQueue: Sendable {
    /// One finished connection's explanations, in its own order, and how far they have gone out.
    private struct Pending: Comparable, Sendable {
        var explanations: [Explanation]
        var next = 0
        var connection: Int

        var head: Int { explanations[next].packets.first ?? 0 }

        static func < (a: Pending, b: Pending) -> Bool { (a.head, a.connection) < (b.head, b.connection) }
        static func == (a: Pending, b: Pending) -> Bool { (a.head, a.connection) == (b.head, b.connection) }
    }

    private var pending = Heap<Pending>()

    public init() {}

    /// Queues connection `connection`'s explanations, which go out in the order given.
    public mutating func add(_ explanations: [Explanation], connection: Int) {
        guard !explanations.isEmpty else { return }
        pending.insert(Pending(explanations: explanations, connection: connection))
    }

    /// Every queued explanation whose first packet comes before `packet`, in packet order.
    public mutating func take(before packet: Int = .max, _ body: (Explanation) throws -> Void) rethrows {
        while var first = pending.popMin() {
            guard first.head < packet else {
                pending.insert(first)
                return
            }
            try body(first.explanations[first.next])
            first.next += 1
            if first.next < first.explanations.count { pending.insert(first) }
        }
    }
}

/// Explains the connections of a capture read twice: the first pass said where each one ends,
/// so the second keeps only the open ones' segments, explains each as its last packet goes by,
/// and says which explanations can go out.
public struct StreamingExplainer: Sendable {
    /// The first pass's connections, whose segments were not kept.
    let ends: [Connection]
    private var analyzer = ConversationAnalyzer(retainSegments: true)
    private var closing: ClosingExplainer
    private var finished: [Bool]
    private var held = 0
    /// The most segments held at once: what the pass's memory grows with.
    public private(set) var mostHeld = 0

    public init(ends: [Connection], source: ExplanationSource = .init()) {
        self.ends = ends
        closing = ClosingExplainer(firstNumbers: ends.map(\.firstNumber), source: source)
        finished = Array(repeating: false, count: ends.count)
    }

    /// Adds the next packet of the second pass, and returns its analysis (nil without TCP);
    /// `body` gets every explanation that can go out.
    @discardableResult
    public mutating func add(_ packet: Packet, index: Int, _ body: (Explanation) throws -> Void) rethrows -> AnalyzedSegment? {
        guard let s = analyzer.add(packet, index: index) else { return nil }
        held += 1
        mostHeld = max(mostHeld, held)
        let i = s.connection - 1
        // Past what the first pass saw (the file grew): explained at the end, with the rest.
        guard i < ends.count, !finished[i], s.number >= ends[i].lastNumber else { return s }
        try explain(i, body)
        return s
    }

    /// Explains what is still open (a file that changed between the passes) and empties the queue.
    public mutating func finish(_ body: (Explanation) throws -> Void) rethrows {
        for i in 0..<analyzer.connectionCount where i >= finished.count || !finished[i] { try explain(i, body) }
        try closing.finish(body)
    }

    private mutating func explain(_ i: Int, _ body: (Explanation) throws -> Void) rethrows {
        if i < finished.count { finished[i] = true }
        let connection = analyzer.release(i + 1)
        held -= connection.segments.count
        try closing.close(connection, body)
    }
}
