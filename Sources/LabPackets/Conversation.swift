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

    public var flags: TCPFlags { segment.flags }
    public var length: Int { segment.payloadLength }
    public var isPureAck: Bool {
        length == 0 && flags.isDisjoint(with: [.syn, .fin, .rst]) && flags.contains(.ack)
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
    public var firstTimestamp: Int64 = 0
    public var lastTimestamp: Int64 = 0

    public func segments(from side: Direction) -> [AnalyzedSegment] { segments.filter { $0.from == side } }

    public func endpoint(_ side: Direction) -> Endpoint { side == .client ? client : server }

    public func stats(_ side: Direction) -> DirectionStats { side == .client ? clientStats : serverStats }
}

/// Groups TCP packets into connections and numbers them the way Wireshark's packet-tcp.c
/// does with relative sequence numbers on. Streaming: its memory grows with the number of
/// connections, not packets, unless `retainSegments` keeps every segment for checking.
public struct ConversationAnalyzer: Sendable {
    struct FlowKey: Hashable, Sendable {
        var low: Endpoint
        var high: Endpoint
        init(_ x: Endpoint, _ y: Endpoint) { (low, high) = x < y ? (x, y) : (y, x) }

        /// Hashes the raw numbers: the synthesized hash walks the enums case by case.
        func hash(into hasher: inout Hasher) {
            Self.combine(low, into: &hasher)
            Self.combine(high, into: &hasher)
        }

        private static func combine(_ endpoint: Endpoint, into hasher: inout Hasher) {
            switch endpoint.address {
            case let .v4(a): hasher.combine(UInt64(a))
            case let .v6(h, l): hasher.combine(h); hasher.combine(l)
            }
            hasher.combine(endpoint.port)
        }
    }

    struct Side: Sendable {
        /// Raw sequence number that shows as relative 0.
        var base: UInt32?
        var windowShift: Int?
    }

    struct State: Sendable {
        var connection: Connection
        var client = Side()
        var server = Side()
        /// The client SYN's window-scale option: nil before the SYN, `.some(nil)` when it had none.
        var clientWindowScale: UInt8?? = nil
        var finished = false
        /// True once a segment without SYN was seen.
        var pastHandshake = false
        var sequence = TCPSequenceAnalyzer()

        subscript(side: Direction) -> Side {
            _read { if side == .client { yield client } else { yield server } }
            _modify { if side == .client { yield &client } else { yield &server } }
        }
    }

    public let retainSegments: Bool
    private var states: [State] = []
    private var current: [FlowKey: Int] = [:]

    public init(retainSegments: Bool = true) { self.retainSegments = retainSegments }

    public var connections: [Connection] { states.map(\.connection) }

    /// Adds one packet; returns its analysis, or nil for a packet that carries no TCP.
    @discardableResult
    public mutating func add(_ packet: Packet, index: Int) -> AnalyzedSegment? {
        guard let tcp = packet.tcp, let source = packet.sourceEndpoint, let destination = packet.destinationEndpoint else {
            return nil
        }
        let key = FlowKey(source, destination)
        let opening = tcp.flags.contains(.syn) && !tcp.flags.contains(.ack)
        var reused = false
        var i: Int
        if let existing = current[key] {
            i = existing
            // A SYN that is neither the first nor a retransmission of it, on a 4-tuple past its
            // handshake, opens a new connection: Wireshark's "Port numbers reused".
            if opening, states[i].pastHandshake, states[i].finished || states[i].client.base != tcp.sequence {
                // A new SYN on a finished 4-tuple: Wireshark's "Port numbers reused".
                reused = true
                i = startConnection(key: key, client: source, server: destination, opening: true, at: packet.timestamp)
            }
        } else {
            i = startConnection(key: key, client: source, server: destination, opening: opening, at: packet.timestamp)
        }
        let from: Direction = states[i].connection.client == source ? .client : .server
        return record(tcp, packet: packet, index: index, state: i, from: from, reused: reused)
    }

    private mutating func startConnection(key: FlowKey, client: Endpoint, server: Endpoint, opening: Bool, at time: Int64) -> Int {
        var connection = Connection(index: states.count + 1, client: client, server: server, sawOpening: opening, segments: [])
        connection.firstTimestamp = time
        states.append(State(connection: connection))
        current[key] = states.count - 1
        return states.count - 1
    }

    private mutating func record(_ tcp: TCPSegment, packet: Packet, index: Int, state i: Int, from: Direction,
                                 reused: Bool) -> AnalyzedSegment {
        // One in-place access for the whole update: reading `states[i]` piecemeal would copy
        // the connection's state for every packet.
        let retain = retainSegments
        return Self.update(&states[i], with: tcp, packet: packet, index: index, from: from, reused: reused, retain: retain)
    }

    private static func update(_ state: inout State, with tcp: TCPSegment, packet: Packet, index: Int, from: Direction,
                               reused: Bool, retain: Bool) -> AnalyzedSegment {
        let flags = tcp.flags
        // Bases as Wireshark sets them: a SYN's own number, else one before the first number
        // seen, so a capture that starts mid-stream still shows Seq=1 and Ack=1.
        if flags.contains(.syn) { state[from].base = tcp.sequence }
        else if state[from].base == nil { state[from].base = tcp.sequence &- 1 }
        if flags.contains(.ack), !flags.contains(.syn), state[from.other].base == nil {
            state[from.other].base = tcp.acknowledgment &- 1
        }
        if flags.contains(.syn) && !flags.contains(.ack) { state.clientWindowScale = .some(tcp.windowScale) }
        if flags.contains([.syn, .ack]), let clientScale = state.clientWindowScale {
            // Scaling applies only if both SYNs carried the option (RFC 7323 §2.2).
            let both = clientScale.flatMap { c in tcp.windowScale.map { (Int(min(c, 14)), Int(min($0, 14))) } }
            state.client.windowShift = both?.0 ?? 0
            state.server.windowShift = both?.1 ?? 0
        }
        let side = state[from]
        let window = flags.contains(.syn) ? Int(tcp.window) : Int(tcp.window) << (side.windowShift ?? 0)
        var analysis = state.sequence.analyze(tcp, from: from, frameNumber: packet.number,
                                              timestamp: packet.timestamp, windowShift: side.windowShift)
        if reused { analysis.flags.insert(.portsReused) }
        let otherBase = state[from.other].base
        let analyzed = AnalyzedSegment(
            packetIndex: index, number: packet.number, timestamp: packet.timestamp,
            connection: state.connection.index, from: from, segment: tcp,
            relativeSequence: tcp.sequence &- (side.base ?? tcp.sequence),
            relativeAcknowledgment: flags.contains(.ack) ? tcp.acknowledgment &- (otherBase ?? tcp.acknowledgment) : nil,
            window: window, analysis: analysis)
        count(analyzed, in: &state.connection)
        if retain { state.connection.segments.append(analyzed) }
        if flags.contains(.rst) || flags.contains(.fin) { state.finished = true }
        if !flags.contains(.syn) { state.pastHandshake = true }
        return analyzed
    }

    private static func count(_ s: AnalyzedSegment, in connection: inout Connection) {
        var stats = connection.stats(s.from)
        stats.packets += 1
        if s.length > 0 { stats.dataPackets += 1; stats.bytes += s.length }
        if s.isPureAck { stats.pureAcks += 1 }
        if !s.analysis.flags.isDisjoint(with: [.retransmission, .fastRetransmission, .spuriousRetransmission]) { stats.retransmissions += 1 }
        if s.flags.contains(.syn) { stats.syn += 1 }
        if s.flags.contains(.fin) { stats.fin += 1 }
        if s.flags.contains(.rst) { stats.rst += 1 }
        if s.from == .client { connection.clientStats = stats } else { connection.serverStats = stats }
        connection.lastTimestamp = s.timestamp

        // Letters already written, one bit per letter and side: cheaper than searching the string.
        func mark(_ letter: UInt8) {
            let bit: UInt32 = 1 << UInt32(letter - 0x61)
            if s.from == .client {
                guard connection.clientLetters & bit == 0 else { return }
                connection.clientLetters |= bit
                connection.history.append(Character(Unicode.Scalar(letter - 0x20)))
            } else {
                guard connection.serverLetters & bit == 0 else { return }
                connection.serverLetters |= bit
                connection.history.append(Character(Unicode.Scalar(letter)))
            }
        }
        if s.flags.contains(.syn) { mark(s.flags.contains(.ack) ? 0x68 : 0x73) }  // h, s
        if s.isPureAck { mark(0x61) }  // a
        if s.length > 0 { mark(0x64) }  // d
        if s.flags.contains(.fin) { mark(0x66) }  // f
        if s.flags.contains(.rst) { mark(0x72) }  // r
        if !s.analysis.flags.isDisjoint(with: [.retransmission, .fastRetransmission]) { mark(0x74) }  // t
        if s.analysis.flags.contains(.zeroWindow) { mark(0x77) }  // w
    }

    public static func analyze(_ packets: [Packet]) -> [Connection] {
        var analyzer = ConversationAnalyzer()
        for (index, packet) in packets.enumerated() { analyzer.add(packet, index: index) }
        return analyzer.connections
    }
}

