/// One frame read from a capture file, with what its interface says about it.
public struct CaptureRecord: Sendable {
    public var frame: CapturedFrame
    public var linkType: LinkType
    /// The pcapng interface it came from; 0 in a classic pcap file.
    public var interface: Int
    /// The pcapng `opt_comment` of the packet, if any.
    public var comment: String?
}

/// Reads classic pcap (µs or ns, either byte order) and pcapng (SHB, IDB, EPB, SPB, the
/// obsolete PB; several interfaces and sections) from bytes pushed in chunks.
///
/// Streaming by design: it holds at most one chunk plus one unfinished record, so memory
/// does not grow with the file. Pure and bounds-checked: every length is validated before
/// use, so no input can trap it or make it loop.
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
    private var littleEndian = false
    private var interfaces: [Interface] = []
    private var buffer: [UInt8] = []
    private var offset = 0
    /// Bytes consumed before `buffer`, so errors can give a file offset.
    private var consumed = 0

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

    /// Starts a new buffer holding the unread tail of the old one, then lets `read` fill up to
    /// `capacity` more bytes straight after it; returns how many it read. A fresh buffer each
    /// time, because the frames already handed out still point into the old one.
    @discardableResult
    public mutating func refill<E: Error>(capacity: Int, _ read: (UnsafeMutableRawBufferPointer) throws(E) -> Int) throws(E) -> Int {
        let tail = buffer.count - offset
        var added = 0
        var failure: E?
        let next = [UInt8](unsafeUninitializedCapacity: tail + capacity) { space, count in
            if tail > 0 {
                buffer.withUnsafeBufferPointer { old in
                    _ = space.initialize(from: old[offset...])
                }
            }
            do throws(E) {
                added = try read(UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(space)[tail...]))
            } catch {
                failure = error
            }
            count = tail + max(0, min(added, capacity))
        }
        if let failure { throw failure }
        consumed += offset
        buffer = next
        offset = 0
        return added
    }

    /// The next record, or nil when the bytes so far end on a record boundary or mid-record
    /// (append more, or call `finish`).
    public mutating func next() throws(DecodeError) -> CaptureRecord? {
        while true {
            if format == nil {
                guard try readFileHeader() else { return nil }
                continue
            }
            switch format {
            case .pcap: return try nextPcapRecord()
            default:
                guard let outcome = try nextBlock() else { return nil }
                if let record = outcome { return record }
            }
        }
    }

    /// Call at end of file: leftover bytes are a truncated record.
    public func finish() throws(DecodeError) {
        let left = buffer.count - offset
        guard left > 0 || format == nil else { return }
        if format == nil {
            throw .truncated(layer: "file", field: "header", offset: consumed + offset, needed: max(1, 24 - left))
        }
        throw .truncated(layer: format == .pcapng ? "pcapng" : "pcap", field: "record",
                         offset: consumed + offset, needed: 1)
    }

    // MARK: - Helpers over the unread bytes

    private var available: Int { buffer.count - offset }

    private func u32(at position: Int) -> UInt32 {
        let b = buffer
        let i = offset + position
        return littleEndian
            ? UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
            : UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }

    private func u16(at position: Int) -> UInt16 {
        let i = offset + position
        return littleEndian ? UInt16(buffer[i]) | UInt16(buffer[i + 1]) << 8 : UInt16(buffer[i]) << 8 | UInt16(buffer[i + 1])
    }

    private func invalid(_ layer: String, _ field: String, _ detail: String) -> DecodeError {
        .invalid(layer: layer, field: field, offset: consumed + offset, detail: detail)
    }

    // MARK: - File header

    private mutating func readFileHeader() throws(DecodeError) -> Bool {
        guard available >= 4 else { return false }
        let magic = UInt32(buffer[offset]) << 24 | UInt32(buffer[offset + 1]) << 16 | UInt32(buffer[offset + 2]) << 8 | UInt32(buffer[offset + 3])
        switch magic {
        case 0x0a0d_0d0a:
            format = .pcapng  // the SHB is read as the first block
            return true
        case 0xa1b2_c3d4, 0xd4c3_b2a1, 0xa1b2_3c4d, 0x4d3c_b2a1:
            guard available >= 24 else { return false }
            littleEndian = magic == 0xd4c3_b2a1 || magic == 0x4d3c_b2a1
            let nanosecond = magic == 0xa1b2_3c4d || magic == 0x4d3c_b2a1
            let snap = Int(u32(at: 16))
            let link = LinkType(rawValue: u32(at: 20) & 0x0fff_ffff)  // upper bits: FCS length flags
            interfaces = [Interface(linkType: link, snapLength: snap, unitsPerSecond: nanosecond ? 1_000_000_000 : 1_000_000)]
            format = .pcap(nanosecond: nanosecond)
            offset += 24
            return true
        default:
            throw invalid("file", "magic", "0x\(String(magic, radix: 16)) is neither pcap nor pcapng")
        }
    }

    // MARK: - Classic pcap

    private mutating func nextPcapRecord() throws(DecodeError) -> CaptureRecord? {
        guard available >= 16 else { return nil }
        let included = Int(u32(at: 8)), original = Int(u32(at: 12))
        guard included <= Self.maxRecord else {
            throw invalid("pcap", "incl_len", "record of \(included) bytes is larger than any capture makes")
        }
        guard available >= 16 + included else { return nil }
        let interface = interfaces[0]
        let timestamp = Int64(u32(at: 0)) * 1_000_000_000
            + Int64(u32(at: 4)) * (interface.unitsPerSecond == 1_000_000_000 ? 1 : 1000)
        let data = buffer[(offset + 16)..<(offset + 16 + included)]
        offset += 16 + included
        return CaptureRecord(frame: CapturedFrame(timestamp: timestamp, originalLength: max(original, included), bytes: data),
                             linkType: interface.linkType, interface: 0, comment: nil)
    }

    // MARK: - pcapng

    /// Reads one block. Returns nil when more bytes are needed, `.some(nil)` for a block
    /// that carries no packet, and `.some(record)` for a packet.
    private mutating func nextBlock() throws(DecodeError) -> CaptureRecord?? {
        guard available >= 12 else { return nil }
        let rawType = UInt32(buffer[offset]) << 24 | UInt32(buffer[offset + 1]) << 16 | UInt32(buffer[offset + 2]) << 8 | UInt32(buffer[offset + 3])
        if rawType == 0x0a0d_0d0a {
            // A section header sets the byte order for everything up to the next one.
            let orderMagic = UInt32(buffer[offset + 8]) << 24 | UInt32(buffer[offset + 9]) << 16 | UInt32(buffer[offset + 10]) << 8 | UInt32(buffer[offset + 11])
            switch orderMagic {
            case 0x1a2b_3c4d: littleEndian = false
            case 0x4d3c_2b1a: littleEndian = true
            default: throw invalid("pcapng", "shb.byte_order_magic", "0x\(String(orderMagic, radix: 16)) is not a byte-order magic")
            }
        }
        let type = u32(at: 0)
        let length = Int(u32(at: 4))
        guard length >= 12, length % 4 == 0, length <= Self.maxRecord else {
            throw invalid("pcapng", "block_total_length", "\(length) is not a valid block length")
        }
        guard available >= length else { return nil }
        guard Int(u32(at: length - 4)) == length else {
            throw invalid("pcapng", "block_total_length", "trailing length \(u32(at: length - 4)) differs from leading \(length)")
        }
        defer { offset += length }
        let body = ByteCursor(buffer[(offset + 8)..<(offset + length - 4)], layer: "pcapng")
        switch type {
        case 0x0a0d_0d0a:
            interfaces = []
            return .some(nil)
        case 0x0000_0001:
            try readInterface(body)
            return .some(nil)
        case 0x0000_0006:
            return .some(try readEnhancedPacket(body))
        case 0x0000_0003:
            return .some(try readSimplePacket(body))
        case 0x0000_0002:
            return .some(try readObsoletePacket(body))
        default:
            return .some(nil)  // name resolution, statistics, custom blocks: nothing to show
        }
    }

    private mutating func readInterface(_ body: ByteCursor) throws(DecodeError) {
        var c = body
        let link = LinkType(rawValue: UInt32(try c.u16("idb.linktype", littleEndian: littleEndian)))
        try c.skip(2, "idb.reserved")
        var interface = Interface(linkType: link, snapLength: Int(try c.u32("idb.snaplen", littleEndian: littleEndian)))
        try forEachOption(&c) { (code, value) throws(DecodeError) in
            switch code {
            case 9:  // if_tsresol
                guard let v = value.first else { return }
                let exponent = UInt64(v & 0x7f)
                let base: UInt64 = v & 0x80 == 0 ? 10 : 2
                guard (base == 10 && exponent <= 19) || (base == 2 && exponent <= 63) else {
                    throw .invalid(layer: "pcapng", field: "if_tsresol", offset: 0, detail: "resolution 0x\(String(v, radix: 16)) is out of range")
                }
                interface.unitsPerSecond = (0..<exponent).reduce(1) { r, _ in r * base }
            case 14:  // if_tsoffset
                guard value.count == 8 else { return }
                var o = ByteCursor(value, layer: "pcapng")
                let high = try o.u32("if_tsoffset", littleEndian: littleEndian), low = try o.u32("if_tsoffset", littleEndian: littleEndian)
                let raw = littleEndian ? UInt64(low) << 32 | UInt64(high) : UInt64(high) << 32 | UInt64(low)
                interface.offsetSeconds = Int64(bitPattern: raw)
            default:
                break
            }
        }
        interfaces.append(interface)
    }

    private func interface(_ id: Int) throws(DecodeError) -> Interface {
        guard id >= 0, id < interfaces.count else {
            throw invalid("pcapng", "interface_id", "packet names interface \(id), but only \(interfaces.count) are described")
        }
        return interfaces[id]
    }

    private func timestamp(high: UInt32, low: UInt32, on interface: Interface) -> Int64 {
        let ticks = UInt64(high) << 32 | UInt64(low)
        let units = interface.unitsPerSecond
        let seconds = ticks / units, fraction = ticks % units
        let nanos: UInt64
        if 1_000_000_000 % units == 0 { nanos = fraction * (1_000_000_000 / units) }
        else if units % 1_000_000_000 == 0 { nanos = fraction / (units / 1_000_000_000) }
        else { nanos = UInt64(Double(fraction) * 1e9 / Double(units)) }  // binary resolutions: fraction < units
        let whole = Int64(clamping: seconds) &+ interface.offsetSeconds
        return whole &* 1_000_000_000 &+ Int64(clamping: nanos)
    }

    private func readEnhancedPacket(_ body: ByteCursor) throws(DecodeError) -> CaptureRecord {
        var c = body
        let id = Int(try c.u32("epb.interface_id", littleEndian: littleEndian))
        let interface = try interface(id)
        let high = try c.u32("epb.timestamp_high", littleEndian: littleEndian)
        let low = try c.u32("epb.timestamp_low", littleEndian: littleEndian)
        let captured = Int(try c.u32("epb.captured_len", littleEndian: littleEndian))
        let original = Int(try c.u32("epb.original_len", littleEndian: littleEndian))
        let data = try c.take(captured, "epb.packet_data")
        try c.skip((4 - captured % 4) % 4, "epb.padding")
        var comment: String?
        try forEachOption(&c) { (code, value) throws(DecodeError) in
            if code == 1 { comment = String(decoding: value, as: UTF8.self) }
        }
        return CaptureRecord(frame: CapturedFrame(timestamp: timestamp(high: high, low: low, on: interface),
                                                  originalLength: max(original, captured), bytes: data),
                             linkType: interface.linkType, interface: id, comment: comment)
    }

    private func readSimplePacket(_ body: ByteCursor) throws(DecodeError) -> CaptureRecord {
        var c = body
        let interface = try interface(0)
        let original = Int(try c.u32("spb.original_len", littleEndian: littleEndian))
        // The block holds min(original, snaplen) bytes plus padding; it says no more.
        let limit = interface.snapLength > 0 ? min(original, interface.snapLength) : original
        let data = try c.take(min(limit, c.remaining), "spb.packet_data")
        return CaptureRecord(frame: CapturedFrame(timestamp: 0, originalLength: max(original, data.count), bytes: data),
                             linkType: interface.linkType, interface: 0, comment: nil)
    }

    private func readObsoletePacket(_ body: ByteCursor) throws(DecodeError) -> CaptureRecord {
        var c = body
        let id = Int(try c.u16("pb.interface_id", littleEndian: littleEndian))
        let interface = try interface(id)
        try c.skip(2, "pb.drops_count")
        let high = try c.u32("pb.timestamp_high", littleEndian: littleEndian)
        let low = try c.u32("pb.timestamp_low", littleEndian: littleEndian)
        let captured = Int(try c.u32("pb.captured_len", littleEndian: littleEndian))
        let original = Int(try c.u32("pb.original_len", littleEndian: littleEndian))
        let data = try c.take(captured, "pb.packet_data")
        return CaptureRecord(frame: CapturedFrame(timestamp: timestamp(high: high, low: low, on: interface),
                                                  originalLength: max(original, captured), bytes: data),
                             linkType: interface.linkType, interface: id, comment: nil)
    }

    /// Walks a pcapng option list (code, length, value padded to 4) up to opt_endofopt.
    private func forEachOption(_ c: inout ByteCursor, _ body: (UInt16, ArraySlice<UInt8>) throws(DecodeError) -> Void) throws(DecodeError) {
        while c.remaining >= 4 {
            let code = try c.u16("option.code", littleEndian: littleEndian)
            let length = Int(try c.u16("option.length", littleEndian: littleEndian))
            if code == 0 { return }
            let value = try c.take(length, "option.value")
            try c.skip(min((4 - length % 4) % 4, c.remaining), "option.padding")
            try body(code, value)
        }
    }
}
