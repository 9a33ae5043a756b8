import LabPackets

/// One row of the ladder: a segment's arrow, or a run of segments folded into one grey line.
enum LadderRow: Sendable {
    case arrow(AnalyzedSegment)
    case elided(Elision)

    var segments: [AnalyzedSegment] {
        switch self {
        case let .arrow(segment): [segment]
        case let .elided(elision): elision.segments
        }
    }

    var isArrow: Bool { if case .arrow = self { true } else { false } }
}

/// Segments left out of the drawing, and the sentence that stands in for them.
struct Elision: Sendable {
    var segments: [AnalyzedSegment]
    var text: String
}

/// Decides which segments get an arrow when a trace has more than a reader can follow.
///
/// Each stage starts again from the whole trace with a coarser idea of "more of the same", so a
/// trace is folded no more than it must be: first runs of identical segments, then runs of plain
/// data and ACKs in both directions, and as a last resort the middle of the trace, whatever it holds.
enum LadderRows {
    static func plan(_ segments: [AnalyzedSegment], maxArrows: Int, numbered: Bool) -> [LadderRow] {
        guard segments.count > maxArrows else { return segments.map(LadderRow.arrow) }

        let identical = fold(segments, runKey: identicalKey) { run in
            let s = run[0]
            let connection = numbered ? "#\(s.connection) " : ""
            return "… \(run.count) more identical \(connection)\(arrow(s.from)) segments "
                + "(\(LadderDiagram.bracketedFlags(s.flags)) Len=\(s.length)) …"
        }
        if arrows(in: identical) <= maxArrows { return identical }

        // Bulk transfers alternate data one way with ACKs the other, so identical runs stay short.
        let plain = fold(segments, runKey: { isPlain($0) ? true : nil }) { run in
            "… \(run.count) more data and ACK segments (\(directionCounts(run))) …"
        }
        if arrows(in: plain) <= maxArrows { return plain }
        return foldMiddle(plain, keepingArrows: maxArrows)
    }

    /// What makes two neighbouring segments "identical"; nil for a segment worth its own arrow.
    private struct IdenticalKey: Equatable {
        var connection: Int
        var from: Direction
        var flags: TCPFlags
        var length: Int
    }

    private static func identicalKey(_ s: AnalyzedSegment) -> IdenticalKey? {
        guard s.analysis.flags.isEmpty else { return nil }
        return IdenticalKey(connection: s.connection, from: s.from, flags: s.flags, length: s.length)
    }

    /// Plain: nothing a student should look at twice, neither opening, closing, reset nor anomaly.
    private static func isPlain(_ s: AnalyzedSegment) -> Bool {
        s.analysis.flags.isEmpty && s.flags.isDisjoint(with: [.syn, .fin, .rst])
    }

    /// Keeps the first and last segment of every run of equal keys and folds the rest into one row.
    private static func fold<Key: Equatable>(_ segments: [AnalyzedSegment], runKey: (AnalyzedSegment) -> Key?,
                                             describe: ([AnalyzedSegment]) -> String) -> [LadderRow] {
        var rows: [LadderRow] = []
        var start = 0
        while start < segments.count {
            var end = start + 1
            if let key = runKey(segments[start]) {
                while end < segments.count, runKey(segments[end]) == key { end += 1 }
            }
            rows.append(.arrow(segments[start]))
            if end - start >= 3 {
                let middle = Array(segments[start + 1 ..< end - 1])
                rows.append(.elided(Elision(segments: middle, text: describe(middle))))
            }
            if end - start >= 2 { rows.append(.arrow(segments[end - 1])) }
            start = end
        }
        return rows
    }

    /// Keeps the first and last arrows, half the budget each, and folds everything between them.
    private static func foldMiddle(_ rows: [LadderRow], keepingArrows budget: Int) -> [LadderRow] {
        let arrowRows = rows.indices.filter { rows[$0].isArrow }
        let head = max(0, budget) / 2
        let tail = max(0, budget) - head
        guard arrowRows.count > head + tail else { return rows }
        let cutStart = head == 0 ? 0 : arrowRows[head - 1] + 1
        let cutEnd = tail == 0 ? rows.count : arrowRows[arrowRows.count - tail]
        let folded = rows[cutStart ..< cutEnd].flatMap(\.segments)
        let marker = LadderRow.elided(Elision(
            segments: folded, text: "… \(folded.count) more segments of every kind (\(directionCounts(folded))) …"))
        return Array(rows[..<cutStart]) + [marker] + Array(rows[cutEnd...])
    }

    private static func arrows(in rows: [LadderRow]) -> Int { rows.count(where: \.isArrow) }

    static func arrow(_ from: Direction) -> String { from == .client ? "client→server" : "server→client" }

    private static func directionCounts(_ run: [AnalyzedSegment]) -> String {
        let fromClient = run.count(where: { $0.from == .client })
        return [(fromClient, Direction.client), (run.count - fromClient, .server)]
            .filter { $0.0 > 0 }
            .map { "\($0.0) \(arrow($0.1))" }
            .joined(separator: ", ")
    }
}
