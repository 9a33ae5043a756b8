import LabPackets

/// Says, packet by packet, what a trace shows and why: the handshake, the seq/ack arithmetic,
/// who closes first, and why each segment has its size. Every sentence is computed from the
/// conversation; the experiment and the run only supply causes the packets cannot show.
public struct Explainer {
    let connections: [Connection]
    let source: ExplanationSource

    public init(connections: [Connection], source: ExplanationSource = .init()) {
        self.connections = connections
        self.source = source
    }

    /// In packet order, each connection's sentences merged with the others' as `StreamingExplainer` does.
    public func explain() -> [Explanation] {
        var queue = ExplanationQueue()
        for c in connections {
            var walk = ConnectionWalk(connection: c, source: source, numbered: connections.count > 1)
            queue.add(walk.explain(), connection: c.index)
        }
        var all: [Explanation] = []
        queue.take { all.append($0) }
        return all
    }
}

/// One connection's segments in order, with what each side has sent and acknowledged so far.
struct ConnectionWalk {
    let connection: Connection
    let source: ExplanationSource
    /// Prefixes sentences with the connection when the trace has several.
    let numbered: Bool
    var finsSeen: [Direction] = []
    /// Per side: the next relative sequence number after everything it sent.
    var sentUpTo: [Direction: UInt32] = [:]
    var ackedUpTo: [Direction: UInt32] = [:]
    var lastData: [Direction: AnalyzedSegment] = [:]
    var dataSeen: [Direction: Int] = [:]
    /// Per side: its latest ACK plus the window it advertised with it, the most the other side may send up to.
    var windowEdge: [Direction: UInt32] = [:]
    let http: HTTPRoles
    let announcedMSS: [Direction: Int]

    init(connection: Connection, source: ExplanationSource, numbered: Bool) {
        self.connection = connection
        self.source = source
        self.numbered = numbered
        http = HTTPRoles(connection)
        announcedMSS = Self.announcedMSS(connection)
    }

    mutating func explain() -> [Explanation] {
        var result: [Explanation] = []
        let segments = connection.segments
        var i = 0
        while i < segments.count {
            if let burst = fullSizedBurst(at: i), burst.count > 2 {
                result.append(Explanation(packets: burst.map(\.number), text: prefix + describeBurst(burst)))
                for s in burst { record(s) }
                i += burst.count
                continue
            }
            let s = segments[i]
            result.append(Explanation(packets: [s.number], text: prefix + describe(s, index: i)))
            record(s)
            i += 1
        }
        return result
    }

    private var prefix: String { numbered ? "[conn \(connection.index)] " : "" }

    private mutating func record(_ s: AnalyzedSegment) {
        let end = s.relativeSequence &+ UInt32(s.length) &+ (s.flags.contains(.syn) || s.flags.contains(.fin) ? 1 : 0)
        if seqAfter(end, sentUpTo[s.from] ?? 0) { sentUpTo[s.from] = end }
        if let ack = s.relativeAcknowledgment, seqAfter(ack, ackedUpTo[s.from] ?? 0) { ackedUpTo[s.from] = ack }
        if let ack = s.relativeAcknowledgment, !s.flags.contains(.syn) { windowEdge[s.from] = ack &+ UInt32(clamping: s.window) }
        if s.length > 0 {
            lastData[s.from] = s
            dataSeen[s.from, default: 0] += s.length
        }
        if s.flags.contains(.fin), !finsSeen.contains(s.from) { finsSeen.append(s.from) }
    }

    func seqAfter(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) > 0 }

    private func describe(_ s: AnalyzedSegment, index: Int) -> String {
        var text: String
        if s.flags.contains(.rst) {
            text = describeReset(s)
        } else if s.flags.contains(.syn) {
            text = describeSyn(s)
        } else if s.length > 0 {
            text = describeData(s, index: index)
        } else if s.flags.contains(.fin) {
            text = describeFin(s, index: index)
        } else {
            text = describeAck(s, index: index)
        }
        if !s.analysis.flags.isEmpty { text += analysisText(s, index: index) }
        return text
    }
}

extension String {
    func trimmingSuffix(_ character: Character) -> String {
        var s = Substring(self)
        while s.last == character { s = s.dropLast() }
        return String(s)
    }
}
