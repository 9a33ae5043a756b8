/// Appends pcapng blocks to one growing buffer, little-endian, each field and option padded
/// to 32 bits as draft-ietf-opsawg-pcapng requires. Knows the framing only; which blocks
/// and options a file holds is `PcapngWriter`'s business.
struct PcapngBlockBuilder {
    /// The largest option value: its length field is 16 bits.
    static let maxOptionLength = Int(UInt16.max)

    private(set) var bytes: [UInt8] = []

    /// One block: type, total length, the body `fill` appends, the total length again.
    /// Both lengths are known only once the body is written, so the first is patched.
    mutating func block(type: UInt32, _ fill: (inout PcapngBlockBuilder) -> Void) {
        let start = bytes.count
        append32(type)                   // uint32 block_type
        append32(0)                      // uint32 block_total_length, patched below
        fill(&self)
        let total = UInt32(bytes.count - start + 4)
        withUnsafeBytes(of: total.littleEndian) { bytes.replaceSubrange((start + 4)..<(start + 8), with: $0) }
        append32(total)                  // uint32 block_total_length, repeated
    }

    mutating func append16(_ value: UInt16) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// `data` followed by zero bytes up to the next multiple of 4.
    mutating func appendPadded(_ data: some Collection<UInt8>) {
        bytes.append(contentsOf: data)
        bytes.append(contentsOf: repeatElement(0, count: (4 - data.count % 4) % 4))
    }

    /// An option holding `value`; the caller keeps it within `maxOptionLength`.
    mutating func appendOption(_ code: UInt16, _ value: some Collection<UInt8>) {
        append16(code)                   // uint16 option_code
        append16(UInt16(value.count))    // uint16 option_length, without padding
        appendPadded(value)
    }

    /// A UTF-8 string option, cut to `maxOptionLength` bytes at a character boundary;
    /// nothing at all for nil or an empty string (an empty option says nothing).
    mutating func appendOption(_ code: UInt16, text: String?) {
        guard let text, !text.isEmpty else { return }
        appendOption(code, Self.utf8Prefix(of: text, maxBytes: Self.maxOptionLength))
    }

    mutating func appendEndOfOptions() {
        append16(0)                      // opt_endofopt
        append16(0)                      // its length
    }

    /// The longest prefix of the text's UTF-8 that fits in `maxBytes` and ends between
    /// scalars, so a cut never leaves half a multi-byte character (invalid UTF-8) behind.
    static func utf8Prefix(of text: String, maxBytes: Int) -> ArraySlice<UInt8> {
        let utf8 = Array(text.utf8)
        guard utf8.count > maxBytes else { return utf8[...] }
        var end = maxBytes
        while end > 0 && utf8[end] & 0b1100_0000 == 0b1000_0000 { end -= 1 }  // a continuation byte
        return utf8[..<end]
    }
}
