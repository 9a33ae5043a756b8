import LabPackets

/// A ladder (sequence) diagram of TCP connections as an SVG document: the client's lifeline on
/// the left, the server's on the right, and one sloping arrow per segment in capture order.
///
/// Several connections share the two lifelines, and each arrow then names its connection ("#2").
/// Past `maxArrows` segments, runs of look-alike segments fold into grey markers that say how many
/// they stand for, so `arrowCount + elidedCount` is always the number of segments.
public struct LadderDiagram: Sendable {
    public let title: String
    public let maxArrows: Int
    /// Their segments are not needed: a diagram of a big file is drawn from two passes.
    let connections: [Connection]
    let rows: [LadderRow]
    public let segmentCount: Int
    /// The first segment's time, which the time column counts from.
    let firstTimestamp: Int64?
    /// The highest-numbered segment, for the width of the margins.
    let lastSegment: AnalyzedSegment?
    /// Packets a program's kernel sent because tcplab stopped it (`TcplabCaused`): labelled as tcplab's.
    public var tcplabCaused: Set<Int> = []

    public init(connections: [Connection], title: String, maxArrows: Int = 300) {
        // Capture order: packet numbers are what the student sees in the packet list.
        let segments = connections.flatMap(\.segments).sorted { ($0.number, $0.connection) < ($1.number, $1.connection) }
        var plan = LadderPlan(maxArrows: maxArrows)
        for s in segments { plan.add(s) }
        var drawing = LadderDrawing(plan, numbered: connections.count > 1)
        for s in segments { drawing.add(s) }
        self.init(connections: connections, title: title, drawing: drawing)
    }

    /// The diagram `drawing` was given every segment for; `connections` need not hold their segments.
    public init(connections: [Connection], title: String, drawing: consuming LadderDrawing) {
        self.title = title
        self.connections = connections
        maxArrows = drawing.plan.maxArrows
        segmentCount = drawing.plan.segments
        firstTimestamp = drawing.firstTimestamp
        lastSegment = drawing.lastSegment
        rows = drawing.finish()
    }

    /// Segments drawn as arrows.
    public var arrowCount: Int { rows.count(where: \.isArrow) }

    /// Breaks drawn where the capture was quiet for `LadderPlan.pauseAtLeast` or longer.
    public var pauses: [Int64] { rows.compactMap { if case let .pause(n) = $0 { n } else { nil } } }

    /// Segments folded into elision markers instead of drawn.
    public var elidedCount: Int { segmentCount - arrowCount }

    /// What an arrow's colour says, in the spirit of Wireshark's colouring rules.
    public enum ArrowKind: String, CaseIterable, Sendable {
        case ordinary
        case synOrFin
        case reset
        /// Any analysis flag Wireshark's "Bad TCP" rule paints black and red.
        case trouble

        public init(_ segment: AnalyzedSegment) {
            // Wireshark's Bad TCP rule comes before its RST and SYN/FIN rules, so it wins.
            if segment.analysis.flags.paintsBadTCP { self = .trouble }
            else if segment.flags.contains(.rst) { self = .reset }
            else if !segment.flags.isDisjoint(with: [.syn, .fin]) { self = .synOrFin }
            else { self = .ordinary }
        }

        public var colour: String {
            switch self {
            case .ordinary: "#1f5fbf"
            case .synOrFin: "#2e7d32"
            case .reset: "#d32f2f"
            case .trouble: "#e65100"
            }
        }

        var legend: String {
            switch self {
            case .ordinary: "data and ACKs"
            case .synOrFin: "SYN and FIN: opening and closing"
            case .reset: "RST: connection reset"
            case .trouble: "retransmission, out-of-order, dup ACK, lost segment, zero window…"
            }
        }
    }

    /// The text above an arrow: Wireshark's Info column without ports, window and options.
    /// Part 2's arrows also carry the request or status line their segment completes.
    func label(_ a: Arrow) -> String {
        let s = a.segment
        var text = connections.count > 1 ? "#\(s.connection) " : ""
        text += s.analysis.infoPrefix + Self.bracketedFlags(s.flags) + " Seq=\(s.relativeSequence)"
        if let ack = s.relativeAcknowledgment { text += " Ack=\(ack)" }
        text += " Len=\(s.length)"
        if let http = a.http { text += "  " + http }
        if tcplabCaused.contains(s.number) { text += "  (tcplab's: sent when tcplab stopped the program)" }
        return text
    }

    /// `[PSH, ACK]`, or Wireshark's `[<None>]` for a segment without flags.
    static func bracketedFlags(_ flags: TCPFlags) -> String {
        flags.names.isEmpty ? "[<None>]" : "[\(flags.names.joined(separator: ", "))]"
    }

    /// Seconds since the first segment, to the microsecond: loopback steps are microseconds apart.
    func time(_ s: AnalyzedSegment) -> String {
        let nanoseconds = elapsed(from: firstTimestamp ?? s.timestamp, to: s.timestamp)
        let micro = nanoseconds.magnitude / 1_000
        let fraction = String(micro % 1_000_000)
        let sign = nanoseconds < 0 ? "-" : ""
        return "\(sign)\(micro / 1_000_000).\(String(repeating: "0", count: 6 - fraction.count))\(fraction)"
    }

    /// The lines under the title: who talked to whom, and what was left out.
    var summary: [String] {
        let span = lastSegment.map { time($0) } ?? "0.000000"
        var lines: [String] = []
        if connections.count == 1, let c = connections.first {
            lines.append("\(c.client) → \(c.server): \(segmentCount) segments in \(span) s")
        } else if segmentCount == 0 {
            lines.append("No TCP segments to draw.")
        } else {
            lines.append("\(connections.count) connections, \(segmentCount) segments in \(span) s")
            let listed = 10
            for c in connections.prefix(listed) {
                lines.append("#\(c.index)  \(c.client) → \(c.server): \(c.segmentCount) segments")
            }
            if connections.count > listed { lines.append("… and \(connections.count - listed) more connections") }
        }
        if elidedCount > 0 {
            let markers = rows.count(where: { if case .elided = $0 { true } else { false } })
            lines.append("Elided \(elidedCount) of \(segmentCount) segments into \(markers) grey "
                + (markers == 1 ? "marker" : "markers") + " to draw at most \(maxArrows) arrows; \(arrowCount) drawn.")
        }
        return lines
    }

    /// What heads a lifeline: its one endpoint if it has only one (a browser's server), else its
    /// distinct addresses; the summary lists every connection's ports.
    func heading(_ side: Direction) -> String {
        var endpoints: [Endpoint] = []
        for c in connections where !endpoints.contains(c.endpoint(side)) { endpoints.append(c.endpoint(side)) }
        if endpoints.count == 1 { return endpoints[0].description }
        var names: [String] = []
        for endpoint in endpoints where !names.contains(endpoint.address.description) {
            names.append(endpoint.address.description)
        }
        guard names.count > 3 else { return names.joined(separator: ", ") }
        return names.prefix(3).joined(separator: ", ") + " (+\(names.count - 3))"
    }
}

extension TCPAnalysisFlags {
    /// Wireshark's "Bad TCP" colouring rule: any analysis flag but a window update or keep-alive.
    var paintsBadTCP: Bool { !subtracting([.windowUpdate, .keepAlive, .keepAliveAck]).isEmpty }
}
