/// Which way a segment travels, as seen from the connection's opener.
public enum Direction: String, Sendable, Codable, CaseIterable {
    case client
    case server

    public var other: Direction { self == .client ? .server : .client }
}

/// A TCP segment placed in its connection, with Wireshark's relative numbers.
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

    public var flags: TCPFlags { segment.flags }
    public var length: Int { segment.payload.count }
    public var isPureAck: Bool {
        length == 0 && flags.isDisjoint(with: [.syn, .fin, .rst]) && flags.contains(.ack)
    }
    /// The relative sequence number just after this segment (SYN and FIN count one).
    public var nextSequence: UInt32 {
        relativeSequence &+ UInt32(length) &+ (flags.contains(.syn) ? 1 : 0) &+ (flags.contains(.fin) ? 1 : 0)
    }
}

public struct Connection: Sendable {
    public var index: Int
    public var client: Endpoint
    public var server: Endpoint
    /// True when the first segment seen was the client's SYN, so client and server are known.
    public var sawOpening: Bool
    public var segments: [AnalyzedSegment]

    public func segments(from side: Direction) -> [AnalyzedSegment] { segments.filter { $0.from == side } }

    public func endpoint(_ side: Direction) -> Endpoint { side == .client ? client : server }
}

/// Groups TCP packets into connections and numbers them the way Wireshark's packet-tcp.c
/// does with relative sequence numbers on. Pure and streaming: state per flow, not per packet.
public struct ConversationAnalyzer: Sendable {
    struct FlowKey: Hashable, Sendable {
        var a: Endpoint
        var b: Endpoint
        init(_ x: Endpoint, _ y: Endpoint) {
            (a, b) = "\(x)" < "\(y)" ? (x, y) : (y, x)
        }
    }

    struct State: Sendable {
        var connection: Connection
        var base: [Direction: UInt32] = [:]
        var windowShift: [Direction: Int] = [:]
        /// The client SYN's window-scale option: nil before the SYN, `.some(nil)` when it had none.
        var clientWindowScale: UInt8?? = nil
        var finished = false
    }

    private var states: [State] = []
    private var current: [FlowKey: Int] = [:]

    public init() {}

    public var connections: [Connection] { states.map(\.connection) }

    /// Adds one packet; returns its analysis, or nil for a packet that carries no TCP.
    @discardableResult
    public mutating func add(_ packet: Packet, index: Int) -> AnalyzedSegment? {
        guard let tcp = packet.tcp, let source = packet.sourceEndpoint, let destination = packet.destinationEndpoint else {
            return nil
        }
        let key = FlowKey(source, destination)
        let opening = tcp.flags.contains(.syn) && !tcp.flags.contains(.ack)
        var stateIndex = current[key]
        if let i = stateIndex, opening, states[i].finished || states[i].base[.client] != tcp.sequence,
           states[i].connection.segments.contains(where: { !$0.flags.contains(.syn) }) {
            stateIndex = nil  // a new SYN on a closed 4-tuple: the port numbers were reused
        }
        if stateIndex == nil {
            let connection = Connection(index: states.count + 1, client: source, server: destination,
                                        sawOpening: opening, segments: [])
            states.append(State(connection: connection))
            stateIndex = states.count - 1
            current[key] = stateIndex
        }
        let i = stateIndex!
        let from: Direction = states[i].connection.client == source ? .client : .server
        var state = states[i]
        if state.base[from] == nil || tcp.flags.contains(.syn) { state.base[from] = tcp.sequence }
        if opening { state.clientWindowScale = .some(tcp.windowScale) }
        if tcp.flags.contains([.syn, .ack]), let clientScale = state.clientWindowScale {
            // Scaling applies only if both SYNs carried the option (RFC 7323 §2.2).
            if let clientScale, let serverScale = tcp.windowScale {
                state.windowShift = [.client: Int(min(clientScale, 14)), .server: Int(min(serverScale, 14))]
            } else {
                state.windowShift = [.client: 0, .server: 0]
            }
        }
        let relativeAck: UInt32? = tcp.flags.contains(.ack)
            ? tcp.acknowledgment &- (state.base[from.other] ?? tcp.acknowledgment) : nil
        let window = tcp.flags.contains(.syn) ? Int(tcp.window) : Int(tcp.window) << (state.windowShift[from] ?? 0)
        let analyzed = AnalyzedSegment(
            packetIndex: index, number: packet.number, timestamp: packet.timestamp,
            connection: state.connection.index, from: from, segment: tcp,
            relativeSequence: tcp.sequence &- state.base[from]!, relativeAcknowledgment: relativeAck, window: window)
        state.connection.segments.append(analyzed)
        if tcp.flags.contains(.rst) || tcp.flags.contains(.fin) { state.finished = true }
        states[i] = state
        return analyzed
    }

    public static func analyze(_ packets: [Packet]) -> [Connection] {
        var analyzer = ConversationAnalyzer()
        for (index, packet) in packets.enumerated() { analyzer.add(packet, index: index) }
        return analyzer.connections
    }
}
