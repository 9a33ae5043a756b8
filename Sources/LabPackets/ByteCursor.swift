/// Why a capture or packet could not be decoded: the layer, the field and where.
public enum DecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated(layer: String, field: String, offset: Int, needed: Int)
    case invalid(layer: String, field: String, offset: Int, detail: String)

    public var description: String {
        switch self {
        case let .truncated(layer, field, offset, needed):
            "\(layer).\(field): truncated at byte \(offset), needs \(needed) more"
        case let .invalid(layer, field, offset, detail):
            "\(layer).\(field) at byte \(offset): \(detail)"
        }
    }
}

/// A bounds-checked reader over bytes. Every read validates first and throws; none traps,
/// so no input can crash a decoder built on it.
public struct ByteCursor {
    public let bytes: ArraySlice<UInt8>
    public private(set) var offset: Int
    public let layer: String

    public init(_ bytes: ArraySlice<UInt8>, layer: String) {
        self.bytes = bytes
        self.offset = bytes.startIndex
        self.layer = layer
    }

    public init(_ bytes: [UInt8], layer: String) { self.init(bytes[...], layer: layer) }

    public var remaining: Int { bytes.endIndex - offset }
    /// Offset from the start of this cursor's bytes, for messages.
    public var position: Int { offset - bytes.startIndex }

    public mutating func take(_ count: Int, _ field: String) throws(DecodeError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else {
            throw .truncated(layer: layer, field: field, offset: position, needed: count - remaining)
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    public mutating func skip(_ count: Int, _ field: String) throws(DecodeError) {
        try need(count, field)
        offset += count
    }

    // The fixed-size reads index the bytes directly instead of slicing them: a slice would
    // retain and release the buffer for every field of every packet.
    @inline(__always)
    private func need(_ count: Int, _ field: String) throws(DecodeError) {
        if _slowPath(count < 0 || count > remaining) { throw truncation(count, field) }
    }

    /// Out of line, so the inlined reads stay a compare and a load.
    @inline(never)
    private func truncation(_ count: Int, _ field: String) -> DecodeError {
        .truncated(layer: layer, field: field, offset: position, needed: count - remaining)
    }

    @inline(__always)
    public mutating func u8(_ field: String) throws(DecodeError) -> UInt8 {
        try need(1, field)
        defer { offset += 1 }
        return bytes[offset]
    }

    @inline(__always)
    public mutating func u16(_ field: String, littleEndian: Bool = false) throws(DecodeError) -> UInt16 {
        try need(2, field)
        defer { offset += 2 }
        let hi = UInt16(bytes[offset]), lo = UInt16(bytes[offset + 1])
        return littleEndian ? (lo << 8 | hi) : (hi << 8 | lo)
    }

    @inline(__always)
    public mutating func u32(_ field: String, littleEndian: Bool = false) throws(DecodeError) -> UInt32 {
        try need(4, field)
        defer { offset += 4 }
        let b0 = UInt32(bytes[offset]), b1 = UInt32(bytes[offset + 1]), b2 = UInt32(bytes[offset + 2]), b3 = UInt32(bytes[offset + 3])
        return littleEndian ? (b3 << 24 | b2 << 16 | b1 << 8 | b0) : (b0 << 24 | b1 << 16 | b2 << 8 | b3)
    }

    public mutating func rest() -> ArraySlice<UInt8> {
        defer { offset = bytes.endIndex }
        return bytes[offset...]
    }

    public func invalid(_ field: String, _ detail: String) -> DecodeError {
        .invalid(layer: layer, field: field, offset: position, detail: detail)
    }
}
