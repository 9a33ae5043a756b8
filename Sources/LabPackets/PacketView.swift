/// A frame decoded in place: what `Packet.decode` makes of a record, over the parser's bytes
/// instead of a copy of them. The packet list reads a TCP row from it without allocating;
/// `packet` makes the `Packet` for the rows that need one. Valid only during the call that
/// received the record. Plain values only, so passing it along copies no references.
public struct PacketView {
    /// 1-based, as Wireshark numbers frames.
    public var number: Int
    public var timestamp: Int64
    public var frameLength: Int
    public var linkType: LinkType
    public var headers = FrameHeaders()
    /// The captured frame.
    public var bytes: UnsafeRawBufferPointer
    /// Decoding stopped early (`[Malformed Packet]`); `packet.malformed` says why.
    public var isMalformed = false

    /// Decodes `record` as `Packet.decode(_:number:)` does: never throws, never traps.
    public init(_ record: CaptureRecordView, number: Int) {
        self.number = number
        timestamp = record.timestamp
        frameLength = record.originalLength
        linkType = record.linkType
        bytes = record.bytes
        do throws(DecodeError) {
            try headers.decode(record.bytes, linkType: record.linkType, snapped: record.isSnapped)
        } catch {
            isMalformed = true
        }
    }

    /// The same packet as `Packet.decode(_:number:)` makes of the record, its bytes copied.
    public var packet: Packet {
        Packet.decode(CapturedFrame(timestamp: timestamp, originalLength: frameLength, bytes: [UInt8](bytes)), number: number,
                      linkType: linkType)
    }

    /// The transport header and what follows it, as captured: `Packet.tcp`'s bytes.
    public var transportBytes: UnsafeRawBufferPointer {
        let range = headers.transport.clamped(to: 0..<bytes.count)
        return UnsafeRawBufferPointer(rebasing: bytes[range])
    }
}
