/// The `tcp.analysis` flags Wireshark's packet-tcp.c sets, which the Info column shows in brackets.
public struct TCPAnalysisFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let retransmission = TCPAnalysisFlags(rawValue: 1 << 0)
    public static let spuriousRetransmission = TCPAnalysisFlags(rawValue: 1 << 1)
    public static let fastRetransmission = TCPAnalysisFlags(rawValue: 1 << 2)
    public static let anyRetransmission: TCPAnalysisFlags = [.retransmission, .spuriousRetransmission, .fastRetransmission]
    public static let outOfOrder = TCPAnalysisFlags(rawValue: 1 << 3)
    public static let duplicateAck = TCPAnalysisFlags(rawValue: 1 << 4)
    public static let zeroWindow = TCPAnalysisFlags(rawValue: 1 << 5)
    public static let windowUpdate = TCPAnalysisFlags(rawValue: 1 << 6)
    public static let windowFull = TCPAnalysisFlags(rawValue: 1 << 7)
    public static let keepAlive = TCPAnalysisFlags(rawValue: 1 << 8)
    public static let keepAliveAck = TCPAnalysisFlags(rawValue: 1 << 9)
    public static let zeroWindowProbe = TCPAnalysisFlags(rawValue: 1 << 10)
    public static let zeroWindowProbeAck = TCPAnalysisFlags(rawValue: 1 << 11)
    /// "Previous segment not captured".
    public static let lostSegment = TCPAnalysisFlags(rawValue: 1 << 12)
    /// "ACKed unseen segment".
    public static let ackedUnseen = TCPAnalysisFlags(rawValue: 1 << 13)
    public static let portsReused = TCPAnalysisFlags(rawValue: 1 << 14)
}

/// The analysis of one segment.
public struct TCPAnalysis: Hashable, Sendable {
    public var flags: TCPAnalysisFlags = []
    /// For a duplicate ACK: which duplicate this is (the `5` of "Dup ACK 5#1" is the frame, this is the `1`).
    public var duplicateAckNumber = 0
    /// For a duplicate ACK: the frame number of the ACK it duplicates.
    public var duplicateAckOf = 0

    public init(flags: TCPAnalysisFlags = [], duplicateAckNumber: Int = 0, duplicateAckOf: Int = 0) {
        self.flags = flags
        self.duplicateAckNumber = duplicateAckNumber
        self.duplicateAckOf = duplicateAckOf
    }
}
