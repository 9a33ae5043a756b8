import LabPackets

/// Explains chosen connections as each one closes, in any order, and hands their sentences out
/// in packet order as soon as no connection still open could explain an earlier packet: what a
/// check of a big file holds is the sentences waiting on an older connection, not all of them.
/// The same order `Explainer.explain` gives.
public struct ClosingExplainer: Sendable {
    let source: ExplanationSource
    /// Each connection's first packet number, by its index less one (ascending).
    let firstNumbers: [Int]
    private var queue = ExplanationQueue()
    private var finished: [Bool]
    /// The oldest connection not yet explained, 0-based.
    private var oldestOpen = 0

    public init(firstNumbers: [Int], source: ExplanationSource) {
        self.firstNumbers = firstNumbers
        self.source = source
        finished = Array(repeating: false, count: firstNumbers.count)
    }

    /// Explains `c` (numbered among the chosen, with all its segments); `body` gets every
    /// sentence that can go out. Also what `StreamingExplainer` uses for `show --explain`.
    public mutating func close(_ c: Connection, _ body: (Explanation) throws -> Void) rethrows {
        var walk = ConnectionWalk(connection: c, source: source, numbered: firstNumbers.count > 1)
        queue.add(walk.explain(), connection: c.index)
        // One the first pass did not see (the file grew) may have started before an older one
        // ended: its sentences wait for `finish`, which merges them.
        guard c.index - 1 < finished.count else { return }
        finished[c.index - 1] = true
        while oldestOpen < finished.count, finished[oldestOpen] { oldestOpen += 1 }
        try queue.take(before: oldestOpen < firstNumbers.count ? firstNumbers[oldestOpen] : .max, body)
    }

    /// Everything still queued.
    public mutating func finish(_ body: (Explanation) throws -> Void) rethrows {
        try queue.take(body)
    }
}
