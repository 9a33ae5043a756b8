/// One frame read from a capture file, with what its interface says about it.
public struct CaptureRecord: Sendable {
    public var frame: CapturedFrame
    public var linkType: LinkType
    /// The pcapng interface it came from; 0 in a classic pcap file.
    public var interface: Int
    /// The pcapng `opt_comment` of the packet, if any.
    public var comment: String?
}

/// A record read in place, for streaming readers that keep nothing of it: its bytes lie in the
/// parser's buffer and are valid only during the call that received the view.
public struct CaptureRecordView {
    /// Nanoseconds since the Unix epoch.
    public var timestamp: Int64
    public var originalLength: Int
    public var linkType: LinkType
    /// The pcapng interface it came from; 0 in a classic pcap file.
    public var interface: Int
    /// The captured bytes of the frame.
    public var bytes: UnsafeRawBufferPointer
    var commentBytes: UnsafeRawBufferPointer?

    /// True when the capture kept only the start of the frame.
    public var isSnapped: Bool { bytes.count < originalLength }

    /// The pcapng `opt_comment` of the packet, if any.
    public var comment: String? { commentBytes.map { String(decoding: $0, as: UTF8.self) } }

    /// An owned copy, to keep beyond the call.
    public var record: CaptureRecord {
        CaptureRecord(frame: CapturedFrame(timestamp: timestamp, originalLength: originalLength, bytes: [UInt8](bytes)),
                      linkType: linkType, interface: interface, comment: comment)
    }
}

/// Reads classic pcap (µs or ns, either byte order) and pcapng (SHB, IDB, EPB, SPB, the
/// obsolete PB; several interfaces and sections) from bytes pushed in chunks.
///
/// Streaming by design: it holds one buffer, reused from chunk to chunk, that grows only to fit
/// the largest record, so memory does not grow with the file. Pure and bounds-checked: every
/// length is validated before use, so no input can trap it or make it loop.
public struct CaptureParser: Sendable {
    public enum Format: Sendable, Equatable {
        case pcap(nanosecond: Bool)
        case pcapng
    }

    struct Interface: Sendable {
        var linkType: LinkType
        var snapLength: Int
        /// Timestamp units per second, from `if_tsresol`.
        var unitsPerSecond: UInt64 = 1_000_000
        var offsetSeconds: Int64 = 0
    }

    /// Larger than any real record (libpcap caps packets at 256 KiB); a bigger length is corrupt.
    static let maxRecord = 16 << 20

    public private(set) var format: Format?
    var littleEndian = false
    var interfaces: [Interface] = []
    /// Unread bytes are `buffer[offset..<end]`; the rest is room for the next chunk.
    private var buffer: [UInt8] = []
    private var offset = 0
    private var end = 0
    /// Bytes consumed before `buffer`, so errors can give a file offset.
    private var consumed = 0
    /// Packet records read so far, for naming the one a cut file ends in.
    public private(set) var recordsRead = 0

    public init() {}

    /// The link type of the first interface, once known.
    public var linkType: LinkType? { interfaces.first?.linkType }

    public mutating func append(_ chunk: [UInt8]) {
        _ = chunk.withUnsafeBytes { bytes in
            refill(capacity: bytes.count) { space in
                space.copyMemory(from: bytes)
                return bytes.count
            }
        }
    }

    /// Moves the unread tail to the front of the buffer, growing it if needed, then lets `read`
    /// fill up to `capacity` bytes straight after it; returns how many it read.
    @discardableResult
    public mutating func refill<E: Error>(capacity: Int, _ read: (UnsafeMutableRawBufferPointer) throws(E) -> Int) throws(E) -> Int {
        let tail = end - offset
        if buffer.count < tail + capacity {
            // Zero-filled once per growth, so every byte of the buffer is always initialised;
            // with room for a tail of up to 64 KiB, so an unfinished record rarely grows it again.
            var bigger = [UInt8](repeating: 0, count: tail + capacity + 65_536)
            bigger[..<tail] = buffer[offset..<end]
            buffer = bigger
        } else if tail > 0, offset > 0 {
            buffer.withUnsafeMutableBytes { space in
                // Never nil here (`tail > 0`), yet the decoder module does not trap on a maybe.
                guard let base = space.baseAddress else { return }
                base.copyMemory(from: base + offset, byteCount: tail)  // a memmove
            }
        }
        consumed += offset
        (offset, end) = (0, tail)
        var added = 0
        var failure: E?
        buffer.withUnsafeMutableBytes { space in
            do throws(E) {
                added = try read(UnsafeMutableRawBufferPointer(rebasing: space[tail..<(tail + capacity)]))
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        end = tail + max(0, min(added, capacity))
        return added
    }

    /// The next record, or nil when the bytes so far end on a record boundary or mid-record
    /// (append more, or call `finish`).
    public mutating func next() throws(DecodeError) -> CaptureRecord? {
        let bytes = buffer  // the parser's offsets move while the record is read from these
        let unread = end
        // withUnsafeBytes rethrows untyped errors: carry the typed one out by hand.
        var failure: DecodeError?
        let record = bytes.withUnsafeBytes { raw -> CaptureRecord? in
            do throws(DecodeError) {
                return try nextView(in: UnsafeRawBufferPointer(rebasing: raw[..<unread]))?.record
            } catch {
                failure = error
                return nil
            }
        }
        if let failure { throw failure }
        return record
    }

    /// Calls `body` with every whole record now in the buffer, read in place: nothing is copied
    /// or allocated per record. Errors from the file are `DecodeError`s; `body`'s pass through.
    public mutating func forEachRecord(_ body: (CaptureRecordView) throws -> Void) throws {
        let bytes = buffer
        let unread = end
        try bytes.withUnsafeBytes { raw in
            let valid = UnsafeRawBufferPointer(rebasing: raw[..<unread])
            while let record = try nextView(in: valid) { try body(record) }
        }
    }

    /// Decodes the whole records now in the buffer into `batch`, until it holds `limit`
    /// segments or no whole record is left; `flows` numbers the 4-tuples, and `frameNumber` is
    /// the last frame's number, counted on. One loop over the records, the decoder and the
    /// lookup, nothing allocated: the streaming path of `tcplab show`. A frame that does not
    /// decode to TCP is counted, and only counted, as `Packet.decode` would leave it without TCP.
    public mutating func decodeSegments(into batch: inout SegmentBatch, limit: Int, flows: inout FlowIndex,
                                        frameNumber: inout Int) throws(DecodeError) {
        let bytes = buffer
        let unread = end
        var failure: DecodeError?
        bytes.withUnsafeBytes { raw in
            let valid = UnsafeRawBufferPointer(rebasing: raw[..<unread])
            do throws(DecodeError) {
                while batch.segments.count < limit, let record = try nextView(in: valid) {
                    frameNumber += 1
                    batch.frames += 1
                    var headers = FrameHeaders()
                    try? headers.decode(record.bytes, linkType: record.linkType, snapped: record.isSnapped)
                    let known = flows.count
                    guard let flow = flows.flow(of: headers), let tcp = headers.tcp else { continue }
                    if flows.count > known, let endpoints = FlowEndpoints(headers, fromLow: flow.fromLow) {
                        batch.newFlows.append(endpoints)
                    }
                    batch.segments.append(DecodedSegment(number: frameNumber, timestamp: record.timestamp, tcp: tcp, flow: flow))
                }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    /// Call at end of file: leftover bytes are a truncated record.
    public func finish() throws(DecodeError) {
        let left = end - offset
        guard left > 0 || format == nil else { return }
        if format == nil, left == 0, consumed == 0 { throw .empty }
        if format == nil {
            throw .truncated(layer: "file", field: "header", offset: consumed + offset, needed: max(1, 24 - left))
        }
        throw .cutShort(packet: recordsRead + 1, offset: consumed + offset, present: left, announced: announcedLength())
    }

    /// The whole length of the record the leftover bytes begin, when its header is all there.
    private func announcedLength() -> Int? {
        let left = end - offset
        return buffer.withUnsafeBytes { raw -> Int? in
            let bytes = UnsafeRawBufferPointer(rebasing: raw[offset..<end])
            switch format {
            case .pcap:
                return left >= 16 ? 16 + Int(Self.u32(bytes, 8, littleEndian: littleEndian)) : nil
            case .pcapng:
                return left >= 8 ? Int(Self.u32(bytes, 4, littleEndian: littleEndian)) : nil
            case nil:
                return nil
            }
        }
    }

    /// The next record within `bytes` (the valid part of the buffer), advancing past it.
    private mutating func nextView(in bytes: UnsafeRawBufferPointer) throws(DecodeError) -> CaptureRecordView? {
        while true {
            let unread = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            switch format {
            case nil:
                guard let used = try readFileHeader(unread) else { return nil }
                offset += used
            case .pcap:
                guard let record = try nextPcapRecord(unread) else { return nil }
                recordsRead += 1
                return record
            case .pcapng:
                guard let (used, record) = try nextBlock(unread) else { return nil }
                offset += used
                if let record {
                    recordsRead += 1
                    return record
                }
            }
        }
    }

    func invalid(_ layer: String, _ field: String, _ detail: String) -> DecodeError {
        .invalid(layer: layer, field: field, offset: consumed + offset, detail: detail)
    }

    /// Whether a file's first four bytes are a capture's magic (pcap µs or ns, either byte order,
    /// or pcapng's section header), the same ones `readFileHeader` accepts.
    public static func isCaptureMagic(_ first: [UInt8]) -> Bool {
        guard first.count >= 4 else { return false }
        let magic = first.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return [0x0a0d_0d0a, 0xa1b2_c3d4, 0xd4c3_b2a1, 0xa1b2_3c4d, 0x4d3c_b2a1].contains(magic)
    }

    // MARK: - Classic pcap

    /// The 24-byte file header, or the start of a pcapng file; returns the bytes it used.
    private mutating func readFileHeader(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> Int? {
        guard bytes.count >= 4 else { return nil }
        let magic = Self.u32(bytes, 0, littleEndian: false)
        switch magic {
        case 0x0a0d_0d0a:
            format = .pcapng  // the SHB is read as the first block
            return 0
        case 0xa1b2_c3d4, 0xd4c3_b2a1, 0xa1b2_3c4d, 0x4d3c_b2a1:
            guard bytes.count >= 24 else { return nil }
            littleEndian = magic == 0xd4c3_b2a1 || magic == 0x4d3c_b2a1
            let nanosecond = magic == 0xa1b2_3c4d || magic == 0x4d3c_b2a1
            let snap = Int(Self.u32(bytes, 16, littleEndian: littleEndian))  // snaplen
            let link = LinkType(rawValue: Self.u32(bytes, 20, littleEndian: littleEndian) & 0x0fff_ffff)  // upper bits: FCS flags
            interfaces = [Interface(linkType: link, snapLength: snap, unitsPerSecond: nanosecond ? 1_000_000_000 : 1_000_000)]
            format = .pcap(nanosecond: nanosecond)
            return 24
        default:
            throw invalid("file", "magic", "0x\(String(magic, radix: 16)) is neither pcap nor pcapng")
        }
    }

    /// One record: a 16-byte header (ts_sec, ts_usec or ts_nsec, incl_len, orig_len) and the frame.
    private mutating func nextPcapRecord(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> CaptureRecordView? {
        guard bytes.count >= 16 else { return nil }
        let included = Int(Self.u32(bytes, 8, littleEndian: littleEndian))
        let original = Int(Self.u32(bytes, 12, littleEndian: littleEndian))
        guard included <= Self.maxRecord else {
            throw invalid("pcap", "incl_len", "record of \(included) bytes is larger than any capture makes")
        }
        guard bytes.count >= 16 + included else { return nil }
        let interface = interfaces[0]
        let fraction = Int64(Self.u32(bytes, 4, littleEndian: littleEndian))
        let timestamp = Int64(Self.u32(bytes, 0, littleEndian: littleEndian)) * 1_000_000_000
            + fraction * (interface.unitsPerSecond == 1_000_000_000 ? 1 : 1000)
        offset += 16 + included
        return CaptureRecordView(timestamp: timestamp, originalLength: max(original, included), linkType: interface.linkType,
                                 interface: 0, bytes: UnsafeRawBufferPointer(rebasing: bytes[16..<(16 + included)]))
    }

    @inline(__always)
    static func u32(_ bytes: UnsafeRawBufferPointer, _ at: Int, littleEndian: Bool) -> UInt32 {
        let raw = bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)
        return littleEndian ? UInt32(littleEndian: raw) : UInt32(bigEndian: raw)
    }
}
