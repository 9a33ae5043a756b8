extension CaptureParser {
    /// Reads one block from the start of `bytes`. Returns nil when more bytes are needed, else
    /// the block's length and, for a packet block, its record.
    mutating func nextBlock(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> (used: Int, record: CaptureRecordView?)? {
        guard bytes.count >= 12 else { return nil }
        if Self.u32(bytes, 0, littleEndian: false) == 0x0a0d_0d0a {
            // A section header sets the byte order for everything up to the next one.
            let orderMagic = Self.u32(bytes, 8, littleEndian: false)
            switch orderMagic {
            case 0x1a2b_3c4d: littleEndian = false
            case 0x4d3c_2b1a: littleEndian = true
            default: throw invalid("pcapng", "shb.byte_order_magic", "0x\(String(orderMagic, radix: 16)) is not a byte-order magic")
            }
        }
        let type = Self.u32(bytes, 0, littleEndian: littleEndian)  // block_type
        let length = Int(Self.u32(bytes, 4, littleEndian: littleEndian))  // block_total_length
        guard length >= 12, length % 4 == 0, length <= Self.maxRecord else {
            throw invalid("pcapng", "block_total_length", "\(length) is not a valid block length")
        }
        guard bytes.count >= length else { return nil }
        let trailer = Self.u32(bytes, length - 4, littleEndian: littleEndian)
        guard Int(trailer) == length else {
            throw invalid("pcapng", "block_total_length", "trailing length \(trailer) differs from leading \(length)")
        }
        let body = ByteCursor(UnsafeRawBufferPointer(rebasing: bytes[8..<(length - 4)]), layer: "pcapng")
        switch type {
        case 0x0a0d_0d0a:
            interfaces = []
            return (length, nil)
        case 0x0000_0001:
            try readInterface(body)
            return (length, nil)
        case 0x0000_0006:
            return (length, try readEnhancedPacket(body))
        case 0x0000_0003:
            return (length, try readSimplePacket(body))
        case 0x0000_0002:
            return (length, try readObsoletePacket(body))
        default:
            return (length, nil)  // name resolution, statistics, custom blocks: nothing to show
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

    private func readEnhancedPacket(_ body: ByteCursor) throws(DecodeError) -> CaptureRecordView {
        var c = body
        let id = Int(try c.u32("epb.interface_id", littleEndian: littleEndian))
        let interface = try interface(id)
        let high = try c.u32("epb.timestamp_high", littleEndian: littleEndian)
        let low = try c.u32("epb.timestamp_low", littleEndian: littleEndian)
        let captured = Int(try c.u32("epb.captured_len", littleEndian: littleEndian))
        let original = Int(try c.u32("epb.original_len", littleEndian: littleEndian))
        let data = try c.take(captured, "epb.packet_data")
        try c.skip((4 - captured % 4) % 4, "epb.padding")
        var comment: UnsafeRawBufferPointer?
        try forEachOption(&c) { (code, value) throws(DecodeError) in
            if code == 1 { comment = value }  // opt_comment
        }
        return CaptureRecordView(timestamp: timestamp(high: high, low: low, on: interface), originalLength: max(original, captured),
                                 linkType: interface.linkType, interface: id, bytes: data, commentBytes: comment)
    }

    private func readSimplePacket(_ body: ByteCursor) throws(DecodeError) -> CaptureRecordView {
        var c = body
        let interface = try interface(0)
        let original = Int(try c.u32("spb.original_len", littleEndian: littleEndian))
        // The block holds min(original, snaplen) bytes plus padding; it says no more.
        let limit = interface.snapLength > 0 ? min(original, interface.snapLength) : original
        let data = try c.take(min(limit, c.remaining), "spb.packet_data")
        return CaptureRecordView(timestamp: 0, originalLength: max(original, data.count), linkType: interface.linkType,
                                 interface: 0, bytes: data)
    }

    private func readObsoletePacket(_ body: ByteCursor) throws(DecodeError) -> CaptureRecordView {
        var c = body
        let id = Int(try c.u16("pb.interface_id", littleEndian: littleEndian))
        let interface = try interface(id)
        try c.skip(2, "pb.drops_count")
        let high = try c.u32("pb.timestamp_high", littleEndian: littleEndian)
        let low = try c.u32("pb.timestamp_low", littleEndian: littleEndian)
        let captured = Int(try c.u32("pb.captured_len", littleEndian: littleEndian))
        let original = Int(try c.u32("pb.original_len", littleEndian: littleEndian))
        let data = try c.take(captured, "pb.packet_data")
        return CaptureRecordView(timestamp: timestamp(high: high, low: low, on: interface), originalLength: max(original, captured),
                                 linkType: interface.linkType, interface: id, bytes: data)
    }

    /// Walks a pcapng option list (code, length, value padded to 4) up to opt_endofopt.
    private func forEachOption(_ c: inout ByteCursor, _ body: (UInt16, UnsafeRawBufferPointer) throws(DecodeError) -> Void) throws(DecodeError) {
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
