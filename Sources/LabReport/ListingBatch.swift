import LabPackets

/// One row of the packet list as plain values: everything `ListingPrinter` needs to print it,
/// and nothing that refers to the frame. Rows are made where the packets are analysed
/// (`ListingRowMaker`) and printed later, possibly on another thread, which also follows HTTP
/// through them: that is the part of a row's making that can wait.
public struct ListingRow: Sendable {
    enum Kind: UInt8, Sendable {
        /// A TCP segment; `text` holds its bytes as captured, from the TCP header on.
        case tcp
        /// A TCP segment a display filter hides: it feeds HTTP's reassembly and prints nothing.
        case hidden
        /// Any other row (UDP, ICMP, malformed, …), whole in `text`, without its newline.
        case line
        /// Text printed as it is, without a newline, and not a row: the opening of `show --json`'s array.
        case raw
    }

    var kind: Kind
    var number: Int
    var timestamp: Int64
    /// Nanoseconds since the first packet: the Time column.
    var elapsed: Int64
    var frameLength: Int
    var source: IPAddress
    var destination: IPAddress
    var tcp: TCPHeader
    var placement: SegmentPlacement
    /// Where this row's bytes lie in the batch's `text`.
    var textStart: Int
    var textLength: Int

    var textRange: Range<Int> { textStart..<(textStart + textLength) }

    static let noTCP = TCPHeader(sourcePort: 0, destinationPort: 0, sequence: 0, acknowledgment: 0, headerLength: 20, flags: [],
                                 window: 0, urgentPointer: 0, payloadLength: 0, synWindowScale: nil)
    static let noPlacement = SegmentPlacement(connection: 0, from: .client, relativeSequence: 0, relativeAcknowledgment: nil,
                                              window: 0, analysis: TCPAnalysis())
}

/// Rows of the packet list in order, with the bytes they refer to: what one thread hands
/// another to print, or what one thread prints a block of at a time.
public struct ListingBatch: Sendable {
    public private(set) var rows: [ListingRow] = []
    /// The segments' bytes and the other rows' text, appended as rows are added.
    var text: [UInt8] = []

    public init(capacity: Int = 0) {
        rows.reserveCapacity(capacity)
        text.reserveCapacity(capacity * 16)
    }

    public var count: Int { rows.count }

    public mutating func removeAll() {
        rows.removeAll(keepingCapacity: true)
        text.removeAll(keepingCapacity: true)
    }

    mutating func append(_ row: ListingRow) { rows.append(row) }

    /// Appends `bytes` to `text`; returns where they start.
    @discardableResult
    mutating func appendText(_ bytes: UnsafeRawBufferPointer) -> Int {
        let start = text.count
        text.append(contentsOf: bytes)
        return start
    }

    @discardableResult
    mutating func appendText(_ string: String) -> Int {
        let start = text.count
        text.append(contentsOf: string.utf8)
        return start
    }
}
