/// Which way a segment travels, as seen from the connection's opener.
public enum Direction: String, Sendable, Codable, CaseIterable {
    case client
    case server

    public var other: Direction { self == .client ? .server : .client }
}

/// A TCP segment placed in its connection, with Wireshark's relative numbers and analysis.
public struct AnalyzedSegment: Sendable {
    /// Index into the packet list the analysis was given.
    public var packetIndex: Int
    public var number: Int
    public var timestamp: Int64
    /// 1-based, in order of first appearance.
    public var connection: Int
    public var from: Direction
    public var segment: TCPSegment
    public var relativeSequence: UInt32
    /// Nil when the ACK flag is clear, as Wireshark omits `Ack=` then.
    public var relativeAcknowledgment: UInt32?
    /// The window after scaling, once the handshake said how; the raw field otherwise.
    public var window: Int
    public var analysis: TCPAnalysis

    public init(packetIndex: Int, number: Int, timestamp: Int64, segment: TCPSegment, placement: SegmentPlacement) {
        self.packetIndex = packetIndex
        self.number = number
        self.timestamp = timestamp
        self.segment = segment
        connection = placement.connection
        from = placement.from
        relativeSequence = placement.relativeSequence
        relativeAcknowledgment = placement.relativeAcknowledgment
        window = placement.window
        analysis = placement.analysis
    }

    public var flags: TCPFlags { segment.flags }
    public var length: Int { segment.payloadLength }
    public var isPureAck: Bool {
        length == 0 && flags.isDisjoint(with: [.syn, .fin, .rst]) && flags.contains(.ack)
    }
    /// Flagged as any kind of retransmission: its bytes were sent before.
    public var isRetransmission: Bool { !analysis.flags.isDisjoint(with: .anyRetransmission) }
    /// Carries bytes not sent before, so counting these counts each byte once.
    public var carriesNewData: Bool { length > 0 && !isRetransmission }
}

/// What the analysis says of a segment, as plain values: its connection and direction,
/// Wireshark's relative numbers, the scaled window and the analysis flags.
public struct SegmentPlacement: Sendable, Equatable {
    /// 1-based, in order of first appearance.
    public var connection: Int
    public var from: Direction
    public var relativeSequence: UInt32
    /// Nil when the ACK flag is clear, as Wireshark omits `Ack=` then.
    public var relativeAcknowledgment: UInt32?
    /// The window after scaling, once the handshake said how; the raw field otherwise.
    public var window: Int
    public var analysis: TCPAnalysis

    public init(connection: Int, from: Direction, relativeSequence: UInt32, relativeAcknowledgment: UInt32?, window: Int,
                analysis: TCPAnalysis) {
        self.connection = connection
        self.from = from
        self.relativeSequence = relativeSequence
        self.relativeAcknowledgment = relativeAcknowledgment
        self.window = window
        self.analysis = analysis
    }

    /// What the analysis said of `segment`.
    public init(_ segment: AnalyzedSegment) {
        self.init(connection: segment.connection, from: segment.from, relativeSequence: segment.relativeSequence,
                  relativeAcknowledgment: segment.relativeAcknowledgment, window: segment.window, analysis: segment.analysis)
    }
}

/// Per-direction counters, as tcptrace reports them.
public struct DirectionStats: Sendable, Equatable, Codable {
    public var packets = 0
    public var dataPackets = 0
    public var bytes = 0
    public var pureAcks = 0
    public var retransmissions = 0
    public var syn = 0
    public var fin = 0
    public var rst = 0
}

public struct Connection: Sendable {
    public var index: Int
    public var client: Endpoint
    public var server: Endpoint
    /// True when the first segment seen was the client's SYN, so client and server are known.
    public var sawOpening: Bool
    /// Every segment, when the analyzer was asked to keep them; empty when streaming.
    public var segments: [AnalyzedSegment]
    public var clientStats = DirectionStats()
    public var serverStats = DirectionStats()
    /// Zeek's conn.log history: upper case for the client, lower for the server, each letter
    /// the first time it happens (S/s SYN, H/h SYN-ACK, A/a pure ACK, D/d data, F/f FIN,
    /// R/r RST, T/t retransmission, W/w zero window).
    public var history = ""
    var clientLetters: UInt32 = 0
    var serverLetters: UInt32 = 0
    /// The side whose machine the capture was taken on, when the link layer says so (Linux
    /// cooked capture marks frames sent and received); nil when it cannot tell.
    public var capturedAt: Direction?
    public var firstTimestamp: Int64 = 0
    public var lastTimestamp: Int64 = 0
    /// The packet numbers of its first and last segments: a second pass over a file knows from
    /// `lastNumber` when a connection is complete, and can explain it and let it go.
    public var firstNumber = 0
    public var lastNumber = 0

    /// Its segments, or when they were not kept, how many there were.
    public var segmentCount: Int { segments.isEmpty ? clientStats.packets + serverStats.packets : segments.count }

    public func segments(from side: Direction) -> [AnalyzedSegment] { segments.filter { $0.from == side } }

    /// A SYN answered only by RST: no socket listened at the server's address and port, so no
    /// program at that end ever had the connection.
    public var wasRefused: Bool {
        let answers = segments(from: .server)
        return sawOpening && !answers.contains { $0.flags.contains(.syn) } && answers.contains { $0.flags.contains(.rst) }
    }

    public func endpoint(_ side: Direction) -> Endpoint { side == .client ? client : server }

    public func stats(_ side: Direction) -> DirectionStats { side == .client ? clientStats : serverStats }
}

/// Groups TCP packets into connections and numbers them the way Wireshark's packet-tcp.c
/// does with relative sequence numbers on. Streaming: its memory grows with the number of
/// connections, not packets, unless `retainSegments` keeps every segment for checking.
public struct ConversationAnalyzer: Sendable {
    struct Side: Sendable {
        /// Raw sequence number that shows as relative 0.
        var base: UInt32?
        var windowShift: Int?
    }

    struct State: Sendable {
        var connection: Connection
        /// Whether the client is the key's low endpoint, which tells a packet's direction from
        /// the lookup alone.
        let clientIsLow: Bool
        var client = Side()
        var server = Side()
        /// The client SYN's window-scale option: nil before the SYN, `.some(nil)` when it had none.
        var clientWindowScale: UInt8?? = nil
        var sequence = TCPSequenceAnalyzer()
    }

    /// What the analysis keeps of each 4-tuple, by its `FlowID.index`.
    struct Flow: Sendable {
        var endpoints: FlowEndpoints
        /// The `states` index of the tuple's latest connection.
        var latest: Int
    }

    public let retainSegments: Bool
    private var states: [State] = []
    private var flows: [Flow] = []
    /// Numbers the tuples of the frames given one by one; batches come numbered.
    private var tuples = FlowIndex()

    public init(retainSegments: Bool = true) { self.retainSegments = retainSegments }

    public var connections: [Connection] { states.map(\.connection) }

    public var connectionCount: Int { states.count }

    /// Connection `index` (1-based) with the segments kept so far, which the analyzer then
    /// forgets: a pass that knows where each connection ends holds only the open ones.
    public mutating func release(_ index: Int) -> Connection {
        let connection = states[index - 1].connection
        states[index - 1].connection.segments = []
        return connection
    }

    /// Adds one packet; returns its analysis, or nil for a packet that carries no TCP. Keeps the
    /// segment in its connection when `retainSegments` is set.
    @discardableResult
    public mutating func add(_ packet: Packet, index: Int) -> AnalyzedSegment? {
        guard let placement = add(packet.headers, number: packet.number, timestamp: packet.timestamp),
              let tcp = packet.tcp else { return nil }
        let analyzed = AnalyzedSegment(packetIndex: index, number: packet.number, timestamp: packet.timestamp,
                                       segment: tcp, placement: placement)
        if retainSegments { states[placement.connection - 1].connection.segments.append(analyzed) }
        return analyzed
    }

    /// Adds one frame's headers, keeping nothing of its bytes. Returns nil for a frame that
    /// carries no TCP.
    public mutating func add(_ headers: FrameHeaders, number: Int, timestamp: Int64) -> SegmentPlacement? {
        let known = tuples.count
        guard let flow = tuples.flow(of: headers), let tcp = headers.tcp else { return nil }
        if tuples.count > known, let endpoints = FlowEndpoints(headers, fromLow: flow.fromLow) {
            flows.append(Flow(endpoints: endpoints, latest: -1))
        }
        let placement = add(DecodedSegment(number: number, timestamp: timestamp, tcp: tcp, flow: flow))
        if let type = headers.linuxPacketType, type == 0 || type == 4, states[placement.connection - 1].connection.capturedAt == nil {
            states[placement.connection - 1].connection.capturedAt = type == 4 ? placement.from : placement.from.other
        }
        return placement
    }

    /// Adds a batch from a decoding thread (`CaptureParser.decodeSegments`), whose `FlowIndex`
    /// numbered the tuples of every batch before it: the streaming path of `tcplab show`. Use
    /// batches or single frames, not both, with one analyzer.
    public mutating func add(_ batch: SegmentBatch) {
        for endpoints in batch.newFlows { flows.append(Flow(endpoints: endpoints, latest: -1)) }
        for segment in batch.segments { _ = add(segment) }
    }

    private mutating func add(_ segment: DecodedSegment) -> SegmentPlacement {
        let tcp = segment.tcp, flow = segment.flow
        let opening = tcp.flags.contains(.syn) && !tcp.flags.contains(.ack)
        var reused = false
        var i = flows[flow.index].latest
        if i < 0 {
            i = startConnection(flow, opening: opening, at: segment.timestamp, number: segment.number)
        } else if opening, let base = (states[i].clientIsLow == flow.fromLow ? states[i].client : states[i].server).base,
                  base != tcp.sequence {
            // Wireshark 4.0's rule (dissect_tcp): a SYN whose number differs from its sender's base
            // opens a new conversation, "Port numbers reused". A SYN with the same number stays in
            // the old one, even after both FINs, and is analysed there as a retransmission.
            reused = true
            i = startConnection(flow, opening: true, at: segment.timestamp, number: segment.number)
        }
        let from: Direction = states[i].clientIsLow == flow.fromLow ? .client : .server
        // One in-place access for the whole update: reading `states[i]` piecemeal would copy
        // the connection's state for every packet.
        return Self.update(&states[i], with: tcp, number: segment.number, timestamp: segment.timestamp, from: from,
                           reused: reused)
    }

    /// Opens a connection on `flow` whose client sent the segment in hand (from the low endpoint
    /// when `flow.fromLow`), and makes it the flow's latest.
    private mutating func startConnection(_ flow: FlowID, opening: Bool, at time: Int64, number: Int) -> Int {
        let endpoints = flows[flow.index].endpoints
        let (client, server) = flow.fromLow ? (endpoints.low, endpoints.high) : (endpoints.high, endpoints.low)
        var connection = Connection(index: states.count + 1, client: client, server: server, sawOpening: opening, segments: [])
        connection.firstTimestamp = time
        connection.firstNumber = number
        states.append(State(connection: connection, clientIsLow: flow.fromLow))
        flows[flow.index].latest = states.count - 1
        return states.count - 1
    }

    @inline(__always)  // one caller, on the hot path
    private static func update(_ state: inout State, with tcp: TCPHeader, number: Int, timestamp: Int64, from: Direction,
                               reused: Bool) -> SegmentPlacement {
        let flags = tcp.flags
        if from == .client { noteBases(tcp, sender: &state.client, receiver: &state.server) }
        else { noteBases(tcp, sender: &state.server, receiver: &state.client) }
        if flags.contains(.syn) && !flags.contains(.ack) { state.clientWindowScale = .some(tcp.synWindowScale) }
        if flags.contains([.syn, .ack]), let clientScale = state.clientWindowScale {
            // Scaling applies only if both SYNs carried the option (RFC 7323 §2.2).
            let both = clientScale.flatMap { c in tcp.synWindowScale.map { (Int(min(c, 14)), Int(min($0, 14))) } }
            state.client.windowShift = both?.0 ?? 0
            state.server.windowShift = both?.1 ?? 0
        }
        let side = from == .client ? state.client : state.server
        let window = flags.contains(.syn) ? Int(tcp.window) : Int(tcp.window) << (side.windowShift ?? 0)
        var analysis = state.sequence.analyze(tcp, from: from, frameNumber: number, timestamp: timestamp,
                                              windowShift: side.windowShift)
        if reused { analysis.flags.insert(.portsReused) }
        let otherBase = (from == .client ? state.server : state.client).base
        let placement = SegmentPlacement(
            connection: state.connection.index, from: from,
            relativeSequence: tcp.sequence &- (side.base ?? tcp.sequence),
            relativeAcknowledgment: flags.contains(.ack) ? tcp.acknowledgment &- (otherBase ?? tcp.acknowledgment) : nil,
            window: window, analysis: analysis)
        count(tcp, placement, at: timestamp, in: &state.connection)
        state.connection.lastNumber = number
        return placement
    }

    /// Bases as Wireshark sets them: a SYN's own number, else one before the first number
    /// seen, so a capture that starts mid-stream still shows Seq=1 and Ack=1.
    @inline(__always)  // one caller, on the hot path
    private static func noteBases(_ tcp: TCPHeader, sender: inout Side, receiver: inout Side) {
        if tcp.flags.contains(.syn) { sender.base = tcp.sequence }
        else if sender.base == nil { sender.base = tcp.sequence &- 1 }
        if tcp.flags.contains(.ack), !tcp.flags.contains(.syn), receiver.base == nil {
            receiver.base = tcp.acknowledgment &- 1
        }
    }

    @inline(__always)  // one caller, on the hot path
    private static func count(_ tcp: TCPHeader, _ s: SegmentPlacement, at time: Int64, in connection: inout Connection) {
        let flags = tcp.flags, length = tcp.payloadLength
        let isPureAck = length == 0 && flags.isDisjoint(with: [.syn, .fin, .rst]) && flags.contains(.ack)
        var stats = connection.stats(s.from)
        stats.packets += 1
        if length > 0 { stats.dataPackets += 1; stats.bytes += length }
        if isPureAck { stats.pureAcks += 1 }
        if !s.analysis.flags.isDisjoint(with: .anyRetransmission) { stats.retransmissions += 1 }
        if flags.contains(.syn) { stats.syn += 1 }
        if flags.contains(.fin) { stats.fin += 1 }
        if flags.contains(.rst) { stats.rst += 1 }
        if s.from == .client { connection.clientStats = stats } else { connection.serverStats = stats }
        connection.lastTimestamp = time

        // The history's letters this segment earns, one bit each (a = bit 0), checked against
        // those its side already has: cheaper than searching the string.
        var letters: UInt32 = 0
        if flags.contains(.syn) { letters |= flags.contains(.ack) ? 1 << 7 : 1 << 18 }  // h, s
        if isPureAck { letters |= 1 << 0 }  // a
        if length > 0 { letters |= 1 << 3 }  // d
        if flags.contains(.fin) { letters |= 1 << 5 }  // f
        if flags.contains(.rst) { letters |= 1 << 17 }  // r
        if !s.analysis.flags.isDisjoint(with: [.retransmission, .fastRetransmission]) { letters |= 1 << 19 }  // t
        if s.analysis.flags.contains(.zeroWindow) { letters |= 1 << 22 }  // w
        let new = letters & ~(s.from == .client ? connection.clientLetters : connection.serverLetters)
        guard new != 0 else { return }
        if s.from == .client { connection.clientLetters |= new } else { connection.serverLetters |= new }
        // In the order the checks above make, which is the order a segment earns them in.
        for bit in [7, 18, 0, 3, 5, 17, 19, 22] where new & 1 << bit != 0 {
            let lower = UInt8(0x61 + bit)
            connection.history.append(Character(Unicode.Scalar(s.from == .client ? lower - 0x20 : lower)))
        }
    }

    public static func analyze(_ packets: [Packet]) -> [Connection] {
        var analyzer = ConversationAnalyzer()
        for (index, packet) in packets.enumerated() { analyzer.add(packet, index: index) }
        return analyzer.connections
    }
}
