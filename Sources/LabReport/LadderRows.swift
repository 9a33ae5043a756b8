import LabPackets

/// One row of the ladder: a segment's arrow, a run of segments folded into one grey line, or a
/// pause in the capture, with its length in nanoseconds.
enum LadderRow: Sendable {
    case arrow(Arrow)
    case elided(Elision)
    case pause(Int64)

    var isArrow: Bool { if case .arrow = self { true } else { false } }
}

/// A segment drawn as an arrow, with the HTTP request or status line it completes, if any.
struct Arrow: Sendable {
    var segment: AnalyzedSegment
    var http: String?
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
        case let .arrow(arrow): add(arrow.segment)
        case let .elided(elision): add(elision.segments)
        case .pause: break
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
///
/// Two things are never folded before the last resort: a connection's first `keptAtStart`
/// segments, where the handshake and slow start's first windows are, and a pause of
/// `pauseAtLeast` or more, which breaks every run and is drawn as a break with its length.
public struct LadderPlan: Sendable {
    enum Folding: Sendable, Equatable {
        case none
        case identical
        case plain
        /// Plain folding leaves `arrows` arrows, too many: the middle goes too.
        case middle(arrows: Int)
    }

    /// Handshake, the first windows of slow start from an initial window of ten, and their ACKs.
    static let keptAtStart = 32
    /// Longer than any delayed ACK and the shortest retransmission timeout: the 5 s sleeps of
    /// experiment-4 and the idle second before a close stand out, loopback's microseconds do not.
    static let pauseAtLeast: Int64 = 200_000_000

    public let maxArrows: Int
    public private(set) var segments = 0
    private var identical = RunCount<IdenticalKey>()
    private var plain = RunCount<Bool>()
    private var clock = PauseClock()
    private var start = ConnectionStart()

    public init(maxArrows: Int = 300) { self.maxArrows = max(0, maxArrows) }

    /// Adds the next segment in capture order.
    public mutating func add(_ s: AnalyzedSegment) {
        segments += 1
        let pause = clock.pause(before: s) != nil
        let early = start.isEarly(s)
        identical.add(early ? nil : Self.identicalKey(s), breaking: pause)
        plain.add(!early && Self.isPlain(s) ? true : nil, breaking: pause)
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

/// Says when the capture paused before a segment: the gap since the segment before, if long.
struct PauseClock: Sendable {
    private var last: Int64?

    mutating func pause(before s: AnalyzedSegment) -> Int64? {
        defer { last = s.timestamp }
        guard let last else { return nil }
        let gap = elapsed(from: last, to: s.timestamp)
        return gap >= LadderPlan.pauseAtLeast ? gap : nil
    }
}

/// Counts each connection's segments, to keep the first of them out of every fold.
struct ConnectionStart: Sendable {
    private var seen: [Int] = []

    mutating func isEarly(_ s: AnalyzedSegment) -> Bool {
        let i = s.connection - 1
        guard i >= 0 else { return false }
        if i >= seen.count { seen += Array(repeating: 0, count: i + 1 - seen.count) }
        seen[i] += 1
        return seen[i] <= LadderPlan.keptAtStart
    }
}

/// Counts the arrows a folding leaves: a run of equal keys keeps its first and last segment.
struct RunCount<Key: Equatable & Sendable>: Sendable {
    private var key: Key?
    private var length = 0
    private var closed = 0

    mutating func add(_ next: Key?, breaking: Bool = false) {
        if !breaking, let next, let key, next == key {
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
        var first: Arrow
        /// Whether later segments may join it: nil-keyed segments stand alone.
        var open: Bool
        var middle = SegmentTally()
        var last: Arrow?
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
    private var clock = PauseClock()
    private var start = ConnectionStart()
    private var http = HTTPTracker()
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
        let arrow = Arrow(segment: s, http: http.summary(s).flatMap(Self.note))
        if let pause = clock.pause(before: s) {
            closeRun()
            emit(.pause(pause))
        }
        let early = start.isEarly(s)
        switch plan.folding {
        case .none: emit(.arrow(arrow))
        case .identical:
            let key = early ? nil : LadderPlan.identicalKey(s)
            fold(arrow, key != nil, continues: { key != nil && LadderPlan.identicalKey($0) == key })
        case .plain, .middle:
            let plain = !early && LadderPlan.isPlain(s)
            fold(arrow, plain, continues: { _ in plain })
        }
    }

    /// What an arrow says of HTTP: the request or status lines its segment completes.
    static func note(_ summary: (String, String)) -> String? {
        let (name, info) = summary
        guard name.hasPrefix("HTTP"), info != "Continuation" else { return nil }
        let note = info.trimmingSuffix(" ")
        return note.isEmpty ? nil : note
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

    /// Adds `arrow` to the run in hand if `continues` says its first segment is of a kind with
    /// it, else starts a run; `open` says whether a segment of its kind can join it later.
    private mutating func fold(_ arrow: Arrow, _ open: Bool, continues: (AnalyzedSegment) -> Bool) {
        if var current = run, current.open, open, continues(current.first.segment) {
            if let last = current.last { current.middle.add(last.segment) }
            current.last = arrow
            run = current
            return
        }
        closeRun()
        run = Run(first: arrow, open: open)
    }

    private mutating func closeRun() {
        guard let current = run else { return }
        run = nil
        emit(.arrow(current.first))
        if current.middle.count > 0 {
            emit(.elided(Elision(segments: current.middle, text: describe(current.middle, like: current.first.segment))))
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
