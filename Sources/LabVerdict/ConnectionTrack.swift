import LabPackets

/// What the judge reads from every segment of a connection, kept as the segments go by: the
/// bytes missing from the capture (for "every segment was captured") and how far the closing got.
/// A pass that lets a connection's segments go can still judge the whole capture from these.
public struct ConnectionTrack: Sendable {
    /// Bytes a side sent that are not in the capture: the segment after them starts past the
    /// end of everything before.
    struct Hole: Sendable {
        var from: Direction
        /// The relative sequence number the side had reached.
        var expected: UInt32
        /// Where the segment after the hole starts.
        var sequence: UInt32
        var packet: Int
    }

    private(set) var holes: [Hole] = []
    private(set) var teardown = Teardown()
    private(set) var carriesData = false
    /// Per side, the end of everything it sent so far (relative, SYN and FIN counting one).
    private var clientNext: UInt32?
    private var serverNext: UInt32?

    public init() {}

    init(_ c: Connection) {
        for s in c.segments { add(s) }
    }

    /// Takes the connection's next segment, in capture order.
    public mutating func add(_ s: AnalyzedSegment) {
        teardown.add(s)
        if s.length > 0 { carriesData = true }
        let end = s.relativeSequence &+ UInt32(s.length) &+ (s.flags.contains(.syn) ? 1 : 0) &+ (s.flags.contains(.fin) ? 1 : 0)
        let next = s.from == .client ? clientNext : serverNext
        if let expected = next, Int32(bitPattern: s.relativeSequence &- expected) > 0, !s.flags.contains(.rst) {
            holes.append(Hole(from: s.from, expected: expected, sequence: s.relativeSequence, packet: s.number))
        }
        if let seen = next, Int32(bitPattern: end &- seen) <= 0 { return }
        if s.from == .client { clientNext = end } else { serverNext = end }
    }
}
