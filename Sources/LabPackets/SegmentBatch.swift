/// A TCP segment as the conversation analysis takes it: plain values, 56 bytes, so that
/// batches of them cross from a decoding thread to an analysing one cheaply.
public struct DecodedSegment: Sendable {
    /// The frame's number in the capture, 1-based.
    public var number: Int
    /// Nanoseconds since the Unix epoch.
    public var timestamp: Int64
    public var tcp: TCPHeader
    /// From the `FlowIndex` that numbered every segment before this one.
    public var flow: FlowID

    public init(number: Int, timestamp: Int64, tcp: TCPHeader, flow: FlowID) {
        self.number = number
        self.timestamp = timestamp
        self.tcp = tcp
        self.flow = flow
    }
}

/// The two endpoints of a 4-tuple, the one its `FlowIndex` sorts first (`FlowID.fromLow`) first.
public struct FlowEndpoints: Sendable, Equatable {
    public var low: Endpoint
    public var high: Endpoint

    /// The endpoints of the TCP segment in `headers`, whose source is the low one when `fromLow`.
    init?(_ headers: FrameHeaders, fromLow: Bool) {
        guard let from = headers.sourceEndpoint, let to = headers.destinationEndpoint else { return nil }
        (low, high) = fromLow ? (from, to) : (to, from)
    }
}

/// The TCP segments of a run of frames, with the endpoints of the 4-tuples first seen there:
/// what a decoding thread hands to the analysis.
public struct SegmentBatch: Sendable {
    /// Frames read, with TCP or without.
    public var frames = 0
    public var segments: [DecodedSegment] = []
    /// By flow number, from the first number not yet handed over.
    public var newFlows: [FlowEndpoints] = []

    public init(capacity: Int = 0) { segments.reserveCapacity(capacity) }

    public mutating func removeAll() {
        frames = 0
        segments.removeAll(keepingCapacity: true)
        newFlows.removeAll(keepingCapacity: true)
    }
}
