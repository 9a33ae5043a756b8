/// Why a capture or packet could not be decoded: the layer, the field and where.
public enum DecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated(layer: String, field: String, offset: Int, needed: Int)
    case invalid(layer: String, field: String, offset: Int, detail: String)
    /// The file ends inside a record: the packet it would have been, where it starts, and how
    /// many of its bytes are there out of how many its header announced (nil: the header itself
    /// is cut).
    case cutShort(packet: Int, offset: Int, present: Int, announced: Int?)
    /// Not one byte.
    case empty

    public var description: String {
        switch self {
        case let .truncated(layer, field, offset, needed):
            "\(layer).\(field): truncated at byte \(offset), needs \(needed) more"
        case let .invalid(layer, field, offset, detail):
            "\(layer).\(field) at byte \(offset): \(detail)"
        case let .cutShort(packet, offset, present, announced?):
            "the file is cut short in the middle of packet \(packet): it starts at byte \(offset), and \(present) of its \(announced) bytes are there"
        case .empty:
            "the file is empty"
        case let .cutShort(packet, offset, present, nil):
            "the file is cut short in the middle of packet \(packet): it starts at byte \(offset), and only \(present) bytes of its record header are there"
        }
    }
}

/// A bounds-checked reader over borrowed bytes. Every read validates first and throws; none
/// traps and none reads outside `bytes`, so no input can crash a decoder built on it.
///
/// It holds a raw pointer, not an array: decoding a million packets must not retain and
/// release a buffer for every field. The bytes must outlive the cursor, so cursors live
/// only inside a `withUnsafeBytes` (or a parser's borrowed record) and never escape it.
/// Layer and field names are static strings, turned into `String` only for an error.
struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    /// Offset from the start of `bytes`, for messages and for slicing what the cursor read.
    private(set) var position = 0
    let layer: StaticString

    init(_ bytes: UnsafeRawBufferPointer, layer: StaticString) {
        self.bytes = bytes
        self.layer = layer
    }

    var remaining: Int { bytes.count - position }

    @inline(__always)
    private func need(_ count: Int, _ field: StaticString) throws(DecodeError) {
        if _slowPath(count < 0 || count > remaining) {
            throw Self.truncation(layer, field, at: position, needed: count - remaining)
        }
    }

    /// Out of line and static, so the inlined reads stay a compare and a load: the error path
    /// gets plain values, and the cursor need not be laid out in memory for it.
    @inline(never)
    private static func truncation(_ layer: StaticString, _ field: StaticString, at position: Int, needed: Int) -> DecodeError {
        .truncated(layer: "\(layer)", field: "\(field)", offset: position, needed: needed)
    }

    @inline(__always)
    mutating func take(_ count: Int, _ field: StaticString) throws(DecodeError) -> UnsafeRawBufferPointer {
        try need(count, field)
        defer { position += count }
        // Checked just above, so no second check through a slice.
        return UnsafeRawBufferPointer(start: bytes.baseAddress.map { $0 + position }, count: count)
    }

    @inline(__always)
    mutating func skip(_ count: Int, _ field: StaticString) throws(DecodeError) {
        try need(count, field)
        position += count
    }

    @inline(__always)
    mutating func u8(_ field: StaticString) throws(DecodeError) -> UInt8 {
        try need(1, field)
        defer { position += 1 }
        return bytes.load(fromByteOffset: position, as: UInt8.self)
    }

    @inline(__always)
    mutating func u16(_ field: StaticString, littleEndian: Bool = false) throws(DecodeError) -> UInt16 {
        try need(2, field)
        defer { position += 2 }
        let raw = bytes.loadUnaligned(fromByteOffset: position, as: UInt16.self)
        return littleEndian ? UInt16(littleEndian: raw) : UInt16(bigEndian: raw)
    }

    @inline(__always)
    mutating func u32(_ field: StaticString, littleEndian: Bool = false) throws(DecodeError) -> UInt32 {
        try need(4, field)
        defer { position += 4 }
        let raw = bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self)
        return littleEndian ? UInt32(littleEndian: raw) : UInt32(bigEndian: raw)
    }

    func invalid(_ field: StaticString, _ detail: String) -> DecodeError {
        .invalid(layer: "\(layer)", field: "\(field)", offset: position, detail: detail)
    }
}
