import LabPackets

/// A TCP row's fields as values, for programs reading `show --json` or a run record: what the
/// Info column says in words, without parsing it.
public struct PacketRowTCP: Sendable, Equatable, Codable {
    /// Wireshark's `tcp.stream`: the connection, numbered from 0.
    public var stream: Int
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// "client" or "server": who sent it, as seen from the connection's opener.
    public var from: String
    /// Flag names as Wireshark writes them: SYN, ACK, PSH, FIN, RST, URG, ECE, CWR.
    public var flags: [String]
    /// Relative sequence and acknowledgment numbers; `ack` is absent when the ACK flag is clear.
    public var seq: UInt32
    public var ack: UInt32?
    public var len: Int
    /// The window after scaling, as Wireshark's "Calculated window size".
    public var window: Int
    /// Wireshark's `tcp.analysis` flags, in its words: "retransmission", "duplicate ack", …
    public var analysis: [String]

    init(_ s: AnalyzedSegment) {
        stream = s.connection - 1
        sourcePort = s.segment.sourcePort
        destinationPort = s.segment.destinationPort
        from = s.from.rawValue
        flags = s.flags.names
        seq = s.relativeSequence
        ack = s.relativeAcknowledgment
        len = s.length
        window = s.window
        analysis = Self.names.filter { s.analysis.flags.contains($0.0) }.map(\.1)
    }

    static let names: [(TCPAnalysisFlags, String)] = [
        (.retransmission, "retransmission"), (.spuriousRetransmission, "spurious retransmission"),
        (.fastRetransmission, "fast retransmission"), (.outOfOrder, "out of order"), (.duplicateAck, "duplicate ack"),
        (.zeroWindow, "zero window"), (.windowUpdate, "window update"), (.windowFull, "window full"),
        (.keepAlive, "keep alive"), (.keepAliveAck, "keep alive ack"), (.zeroWindowProbe, "zero window probe"),
        (.zeroWindowProbeAck, "zero window probe ack"), (.lostSegment, "previous segment not captured"),
        (.ackedUnseen, "acked unseen segment"), (.portsReused, "ports reused"),
    ]
}
