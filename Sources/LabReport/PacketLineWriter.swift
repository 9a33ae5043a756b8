import LabPackets

/// The packet list's lines written straight into bytes: the same text as `PacketRow.line`, but a
/// TCP row costs no `String`. One packet at a time, for callers that hold `Packet`s; `show` makes
/// rows in batches (`ListingRowMaker`) and prints them (`ListingPrinter`), which this combines.
public struct PacketLineWriter: ~Copyable {
    private var rows = ListingRowMaker()
    private var printer = ListingPrinter()
    private var batch = ListingBatch(capacity: 1)

    public init() {}

    /// A packet a display filter hides still sets the Time column's origin and feeds HTTP's
    /// reassembly, as in Wireshark, where a filter changes which rows show and not what they say.
    public mutating func hide(_ packet: Packet, _ segment: AnalyzedSegment?) {
        rows.hide(packet, segment, into: &batch)
    }

    /// Appends the packet's line and a newline.
    public mutating func write(_ packet: Packet, _ segment: AnalyzedSegment?, into out: inout ByteBuffer) {
        rows.add(packet, segment, into: &batch)
        printer.write(batch, into: &out)
        batch.removeAll()
    }
}

extension ByteBuffer {
    /// `PacketRow.time` right-aligned in 12 columns: seconds with nine decimals.
    mutating func time(_ nanoseconds: Int64) {
        let magnitude = nanoseconds.magnitude
        let seconds = magnitude / 1_000_000_000
        let digits = Self.digitCount(seconds)
        spaces(12 - (nanoseconds < 0 ? 1 : 0) - digits - 10)
        if nanoseconds < 0 { byte(0x2d) }
        decimal(seconds, digits: digits)
        byte(0x2e)
        decimal(magnitude % 1_000_000_000, digits: 9)
    }
}
