import LabPackets

/// One row of the ladder: a segment's arrow, or a run of segments folded into one grey line.
enum LadderRow: Sendable {
    case arrow(AnalyzedSegment)
    case elided(Elision)

    var isArrow: Bool { if case .arrow = self { true } else { false } }
}

/// Segments left out of the drawing, and the sentence that stands in for them.
struct Elision: Sendable {
    var segments: SegmentTally
    var text: String
}

/// What a run of segments left out of the drawing comes to: how many, which way, from which
/// packet to which. A tally, not the segments: a million folded segments cost nothing.
struct SegmentTally: Sendable {
    var count = 0
    var fromClient = 0
    var first = 0
    var last = 0

    mutating func add(_ s: AnalyzedSegment) {
        if count == 0 { first = s.number }
        last = s.number
        count += 1
        if s.from == .client { fromClient += 1 }
    }

    mutating func add(_ other: SegmentTally) {
        guard other.count > 0 else { return }
        if count == 0 { first = other.first }
        last = other.last
        count += other.count
        fromClient += other.fromClient
    }

    mutating func add(_ row: LadderRow) {
        switch row {
        case let .arrow(s): add(s)
        case let .elided(elision): add(elision.segments)
        }
    }

    /// "12 client→server, 11 server→client".
    var directions: String {
        [(fromClient, Direction.client), (count - fromClient, .server)]
            .filter { $0.0 > 0 }
            .map { "\($0.0) \(LadderPlan.arrow($0.1))" }
            .joined(separator: ", ")
    }
}

/// Decides which segments get an arrow when a trace has more than a reader can follow, from one
/// pass over the segments in capture order that keeps none of them.
///
/// Each way of folding starts again from the whole trace with a coarser idea of "more of the
/// same", so a trace is folded no more than it must be: first runs of identical segments, then
/// runs of plain data and ACKs in both directions, and as a last resort the middle of the trace,
/// whatever it holds. The plan counts the arrows each way leaves; `LadderDrawing` then folds.
public struct LadderPlan: Sendable {
    enum Folding: Sendable, Equatable {
        case none
        case identical
        case plain
        /// Plain folding leaves `arrows` arrows, too many: the middle goes too.
        case middle(arrows: Int)
    }

    public let maxArrows: Int
    public private(set) var segments = 0
    private var identical = RunCount<IdenticalKey>()
    private var plain = RunCount<Bool>()

    public init(maxArrows: Int = 300) { self.maxArrows = max(0, maxArrows) }

    /// Adds the next segment in capture order.
    public mutating func add(_ s: AnalyzedSegment) {
        segments += 1
        identical.add(Self.identicalKey(s))
        plain.add(Self.isPlain(s) ? true : nil)
    }

    var folding: Folding {
        if segments <= maxArrows { return .none }
        if identical.arrows <= maxArrows { return .identical }
        if plain.arrows <= maxArrows { return .plain }
        return .middle(arrows: plain.arrows)
    }

    /// What makes two neighbouring segments "identical"; nil for a segment worth its own arrow.
    struct IdenticalKey: Equatable, Sendable {
        var connection: Int
        var from: Direction
        var flags: TCPFlags
        var length: Int
    }

    static func identicalKey(_ s: AnalyzedSegment) -> IdenticalKey? {
        guard s.analysis.flags.isEmpty else { return nil }
        return IdenticalKey(connection: s.connection, from: s.from, flags: s.flags, length: s.length)
    }

    /// Plain: nothing a student should look at twice, neither opening, closing, reset nor anomaly.
    static func isPlain(_ s: AnalyzedSegment) -> Bool {
        s.analysis.flags.isEmpty && s.flags.isDisjoint(with: [.syn, .fin, .rst])
    }

    static func arrow(_ from: Direction) -> String { from == .client ? "client→server" : "server→client" }
}

/// Counts the arrows a folding leaves: a run of equal keys keeps its first and last segment.
struct RunCount<Key: Equatable & Sendable>: Sendable {
    private var key: Key?
    private var length = 0
    private var closed = 0

    mutating func add(_ next: Key?) {
        if let next, let key, next == key {
            length += 1
            return
        }
        closed += min(length, 2)
        key = next
        length = 1
    }

    var arrows: Int { closed + min(length, 2) }
}

/// The ladder's rows, built from a second pass over the segments in capture order by the fold
/// `LadderPlan` chose. It holds the rows (at most the plan's arrows, and a marker between each
/// two) and the run in hand, never the segments folded away.
public struct LadderDrawing: Sendable {
    private struct Run: Sendable {
        var first: AnalyzedSegment
        var middle = SegmentTally()
        var last: AnalyzedSegment?
    }

    /// Cuts the middle of the rows: keeps rows up to the `head`th arrow and from the
    /// `resume`th on, and folds what is between into one marker.
    private struct MiddleCut: Sendable {
        var head: Int
        var resume: Int
        var arrowsSeen = 0
        var folded = SegmentTally()
        var cutting: Bool
        var done = false
    }

    let plan: LadderPlan
    let numbered: Bool
    private(set) var rows: [LadderRow] = []
    private var run: Run?
    private var cut: MiddleCut?
    /// The first segment's time (the diagram's zero) and the last segment, for the margins.
    private(set) var firstTimestamp: Int64?
    private(set) var lastSegment: AnalyzedSegment?

    public init(_ plan: LadderPlan, numbered: Bool) {
        self.plan = plan
        self.numbered = numbered
        if case let .middle(arrows) = plan.folding {
            let head = plan.maxArrows / 2, tail = plan.maxArrows - head
            cut = MiddleCut(head: head, resume: arrows - tail + 1, cutting: head == 0)
        }
    }

    /// Adds the next segment in capture order: the same segments, in the same order, as the plan saw.
    public mutating func add(_ s: AnalyzedSegment) {
        if firstTimestamp == nil { firstTimestamp = s.timestamp }
        lastSegment = s
        switch plan.folding {
        case .none: emit(.arrow(s))
        case .identical: fold(s, continues: { LadderPlan.identicalKey($0).map { k in k == LadderPlan.identicalKey(s) } ?? false })
        case .plain, .middle: fold(s, continues: { LadderPlan.isPlain($0) && LadderPlan.isPlain(s) })
        }
    }

    /// The rows, once every segment has been added.
    mutating func finish() -> [LadderRow] {
        closeRun()
        if var cut, cut.cutting, !cut.done {
            cut.done = true
            rows.append(middleMarker(cut.folded))
            self.cut = cut
        }
        return rows
    }

    private mutating func fold(_ s: AnalyzedSegment, continues: (AnalyzedSegment) -> Bool) {
        if var current = run, continues(current.first) {
            if let last = current.last { current.middle.add(last) }
            current.last = s
            run = current
            return
        }
        closeRun()
        run = Run(first: s)
    }

    private mutating func closeRun() {
        guard let current = run else { return }
        run = nil
        emit(.arrow(current.first))
        if current.middle.count > 0 {
            emit(.elided(Elision(segments: current.middle, text: describe(current.middle, like: current.first))))
        }
        if let last = current.last { emit(.arrow(last)) }
    }

    private func describe(_ middle: SegmentTally, like s: AnalyzedSegment) -> String {
        if plan.folding == .identical {
            let connection = numbered ? "#\(s.connection) " : ""
            return "… \(middle.count) more identical \(connection)\(LadderPlan.arrow(s.from)) segments "
                + "(\(LadderDiagram.bracketedFlags(s.flags)) Len=\(s.length)) …"
        }
        return "… \(middle.count) more data and ACK segments (\(middle.directions)) …"
    }

    private mutating func emit(_ row: LadderRow) {
        guard var c = cut else {
            rows.append(row)
            return
        }
        defer { cut = c }
        if c.done || !c.cutting {
            rows.append(row)
            if row.isArrow { c.arrowsSeen += 1 }
            if !c.done, c.arrowsSeen == c.head { c.cutting = true }
        } else if row.isArrow, c.arrowsSeen + 1 == c.resume {
            rows.append(middleMarker(c.folded))
            rows.append(row)
            c.arrowsSeen += 1
            (c.cutting, c.done) = (false, true)
        } else {
            c.folded.add(row)
            if row.isArrow { c.arrowsSeen += 1 }
        }
    }

    private func middleMarker(_ folded: SegmentTally) -> LadderRow {
        .elided(Elision(segments: folded, text: "… \(folded.count) more segments of every kind (\(folded.directions)) …"))
    }
}
