/// Tells when every connection seen has finished on the wire: reset, or both FINs sent
/// and each acknowledged. The capture uses it as its end fence, so it stops only after
/// the last packet of the teardown has been read.
public struct TeardownTracker: Sendable {
    struct Flow: Sendable {
        /// Raw sequence number just past each side's FIN.
        var finEnd: [Direction: UInt32] = [:]
        var acked: Set<Direction> = []
        var reset = false

        var finished: Bool { reset || acked.count == 2 }
    }

    private var flows: [Int: Flow] = [:]
    private var analyzer = ConversationAnalyzer(retainSegments: false)

    public init() {}

    public var connectionCount: Int { flows.count }

    /// True once at least one connection exists and all of them have finished.
    public var isQuiescent: Bool { !flows.isEmpty && flows.values.allSatisfy(\.finished) }

    /// True when nothing is left to wait for: no connection was ever opened, or all have finished.
    public var isSettled: Bool { flows.isEmpty || isQuiescent }

    public mutating func add(_ packet: Packet) {
        guard let tcp = packet.headers.tcp, let s = analyzer.add(packet.headers, number: packet.number, timestamp: packet.timestamp) else { return }
        var flow = flows[s.connection] ?? Flow()
        if tcp.flags.contains(.rst) { flow.reset = true }
        if tcp.flags.contains(.fin) {
            flow.finEnd[s.from] = tcp.sequence &+ UInt32(tcp.payloadLength) &+ 1
        }
        if tcp.flags.contains(.ack), let end = flow.finEnd[s.from.other],
           Int32(bitPattern: tcp.acknowledgment &- end) >= 0 {
            flow.acked.insert(s.from.other)
        }
        flows[s.connection] = flow
    }
}
