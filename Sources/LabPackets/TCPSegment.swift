public struct TCPFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let fin = TCPFlags(rawValue: 0x001)
    public static let syn = TCPFlags(rawValue: 0x002)
    public static let rst = TCPFlags(rawValue: 0x004)
    public static let psh = TCPFlags(rawValue: 0x008)
    public static let ack = TCPFlags(rawValue: 0x010)
    public static let urg = TCPFlags(rawValue: 0x020)
    public static let ece = TCPFlags(rawValue: 0x040)
    public static let cwr = TCPFlags(rawValue: 0x080)
    public static let ae = TCPFlags(rawValue: 0x100)

    /// Names in Wireshark's order: `FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, AE`.
    /// Static text, so the packet list can write a name without retaining a string.
    public static let named: [(TCPFlags, StaticString)] = [
        (.fin, "FIN"), (.syn, "SYN"), (.rst, "RST"), (.psh, "PSH"), (.ack, "ACK"),
        (.urg, "URG"), (.ece, "ECE"), (.cwr, "CWR"), (.ae, "AE"),
    ]

    public var names: [String] { Self.named.filter { contains($0.0) }.map { "\($0.1)" } }

    /// Parses "FIN,PSH,ACK" (any order, any case, spaces allowed); the error names the bad word.
    public init(parsing text: String) throws(DecodeError) {
        var flags = TCPFlags()
        for word in text.split(separator: ",") {
            let name = word.filter { $0 != " " }.uppercased()
            guard let flag = Self.named.first(where: { "\($0.1)" == name })?.0 else {
                throw .invalid(layer: "flags", field: name, offset: 0,
                               detail: "unknown TCP flag '\(name)'; known: \(Self.named.map { "\($0.1)" }.joined(separator: ", "))")
            }
            flags.insert(flag)
        }
        self = flags
    }
}

public enum TCPOption: Hashable, Sendable {
    case endOfList
    case noOperation
    case maximumSegmentSize(UInt16)
    case windowScale(UInt8)
    case sackPermitted
    case sack([SACKBlock])
    case timestamp(value: UInt32, echo: UInt32)
    case unknown(kind: UInt8, length: Int)
}

public struct SACKBlock: Hashable, Sendable {
    public var left: UInt32
    public var right: UInt32
}

/// A TCP header's fields as plain values: the streaming analysis copies these, never a
/// reference, so it reads a million segments without retaining a buffer for each.
public struct TCPHeader: Hashable, Sendable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var sequence: UInt32
    public var acknowledgment: UInt32
    public var flags: TCPFlags
    public var window: UInt16
    public var urgentPointer: UInt16
    // Stored narrow, so a header is 24 bytes: a TCP header is at most 60 bytes long and an IP
    // payload at most 65,535, and batches of a million headers cross between threads.
    private var storedPayloadLength: UInt16
    private var storedHeaderLength: UInt8
    /// A SYN's window-scale option, nil on other segments and on a SYN without one. Read while
    /// decoding, the one option the analysis needs, and only on the segments it matters on.
    public var synWindowScale: UInt8?

    public var headerLength: Int {
        get { Int(storedHeaderLength) }
        set { storedHeaderLength = UInt8(newValue) }
    }

    /// The segment's length as the IP header gives it (Wireshark's tcp.len).
    public var payloadLength: Int {
        get { Int(storedPayloadLength) }
        set { storedPayloadLength = UInt16(newValue) }
    }

    /// `headerLength` is at most 60 and `payloadLength` at most 65,535, as in any IP packet.
    public init(sourcePort: UInt16, destinationPort: UInt16, sequence: UInt32, acknowledgment: UInt32,
                headerLength: Int, flags: TCPFlags, window: UInt16, urgentPointer: UInt16, payloadLength: Int,
                synWindowScale: UInt8?) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.sequence = sequence
        self.acknowledgment = acknowledgment
        self.flags = flags
        self.window = window
        self.urgentPointer = urgentPointer
        storedPayloadLength = UInt16(payloadLength)
        storedHeaderLength = UInt8(headerLength)
        self.synWindowScale = synWindowScale
    }

    /// Decodes a header whose IP payload is `claimedLength` bytes long, of which `bytes` were
    /// captured (fewer when the capture's snaplen cut the frame).
    @inline(__always)
    static func decode(_ bytes: UnsafeRawBufferPointer, claimedLength: Int) throws(DecodeError) -> TCPHeader {
        var c = ByteCursor(bytes, layer: "tcp")
        let sourcePort = try c.u16("srcport")
        let destinationPort = try c.u16("dstport")
        let sequence = try c.u32("seq")
        let acknowledgment = try c.u32("ack")
        let offsetAndFlags = try c.u16("hdr_len/flags")
        let headerLength = Int(offsetAndFlags >> 12) * 4
        guard headerLength >= 20 else { throw c.invalid("hdr_len", "\(headerLength) bytes is below the minimum of 20") }
        let window = try c.u16("window_size")
        try c.skip(2, "checksum")
        let urgent = try c.u16("urgent_pointer")
        let options = try c.take(headerLength - 20, "options")
        guard claimedLength >= headerLength else {
            throw c.invalid("hdr_len", "header of \(headerLength) bytes is longer than the \(claimedLength)-byte IP payload")
        }
        let flags = TCPFlags(rawValue: offsetAndFlags & 0x01ff)
        return TCPHeader(
            sourcePort: sourcePort, destinationPort: destinationPort, sequence: sequence,
            acknowledgment: acknowledgment, headerLength: headerLength, flags: flags, window: window,
            urgentPointer: urgent, payloadLength: claimedLength - headerLength,
            synWindowScale: flags.contains(.syn) ? TCPOptionList.windowScale(in: options) : nil)
    }
}

/// A TCP segment: its header, and the captured bytes from the start of the header, which the
/// options and payload are read from. The header's fields read as the segment's own.
@dynamicMemberLookup
public struct TCPSegment: Hashable, Sendable {
    public var header: TCPHeader
    /// One slice, so copying a segment retains one buffer reference, not one per part.
    public var bytes: ArraySlice<UInt8>

    public init(header: TCPHeader, bytes: ArraySlice<UInt8>) {
        self.header = header
        self.bytes = bytes
    }

    public subscript<Value>(dynamicMember field: WritableKeyPath<TCPHeader, Value>) -> Value {
        get { header[keyPath: field] }
        set { header[keyPath: field] = newValue }
    }

    /// A segment built field by field (tests, tools): the header is zero-filled in `bytes`.
    public init(sourcePort: UInt16, destinationPort: UInt16, sequence: UInt32, acknowledgment: UInt32,
                headerLength: Int, flags: TCPFlags, window: UInt16, urgentPointer: UInt16,
                optionBytes: ArraySlice<UInt8>, payload: ArraySlice<UInt8>, payloadLength: Int) {
        let options = [UInt8](optionBytes)
        let scale = flags.contains(.syn) ? options.withUnsafeBytes { TCPOptionList.windowScale(in: $0) } : nil
        self.init(header: TCPHeader(sourcePort: sourcePort, destinationPort: destinationPort, sequence: sequence,
                                    acknowledgment: acknowledgment, headerLength: max(20, 20 + options.count),
                                    flags: flags, window: window, urgentPointer: urgentPointer,
                                    payloadLength: payloadLength, synWindowScale: scale),
                  bytes: ([UInt8](repeating: 0, count: 20) + options + payload)[...])
    }

    /// The raw option bytes; `options` parses them on demand, since most uses (counting,
    /// sequence analysis) never need them and parsing every packet's would cost an allocation.
    public var optionBytes: ArraySlice<UInt8> { bytes.dropFirst(20).prefix(header.headerLength - 20) }

    /// The payload bytes the capture kept; fewer than `payloadLength` when the snaplen cut the frame.
    public var payload: ArraySlice<UInt8> { bytes.dropFirst(header.headerLength) }

    public var options: [TCPOption] { Self.parseOptions(optionBytes).0 }

    /// Calls `body` with each option in order, as `options` lists them, without building the list.
    public func forEachOption(_ body: (TCPOption) -> Void) {
        _ = optionBytes.withUnsafeBytes { raw in
            TCPOptionList.walk(raw) { kind, value in
                body(Self.option(kind, value))
                return true
            }
        }
    }

    static func option(_ kind: UInt8, _ body: UnsafeRawBufferPointer) -> TCPOption {
        func be(_ at: Int, _ n: Int) -> UInt32 { (0..<n).reduce(UInt32(0)) { $0 << 8 | UInt32(body[at + $1]) } }
        switch kind {
        case 0: return .endOfList
        case 1: return .noOperation
        case 2: return .maximumSegmentSize(UInt16(be(0, 2)))
        case 3: return .windowScale(body[0])
        case 4: return .sackPermitted
        case 5: return .sack((0..<body.count / 8).map { SACKBlock(left: be($0 * 8, 4), right: be($0 * 8 + 4, 4)) })
        case 8: return .timestamp(value: be(0, 4), echo: be(4, 4))
        default: return .unknown(kind: kind, length: body.count + 2)
        }
    }

    /// Set when the option list ended early or had a bad length; the header is still usable.
    public var optionsMalformed: Bool { Self.parseOptions(optionBytes).1 }

    public var mss: UInt16? {
        for case let .maximumSegmentSize(v) in options { return v }
        return nil
    }

    public var windowScale: UInt8? {
        for case let .windowScale(v) in options { return v }
        return nil
    }

    /// The options in order, and whether the list was malformed (it stops there).
    static func parseOptions(_ bytes: ArraySlice<UInt8>) -> ([TCPOption], Bool) {
        var options: [TCPOption] = []
        options.reserveCapacity(6)
        let malformed = bytes.withUnsafeBytes { raw in
            TCPOptionList.walk(raw) { kind, body in
                options.append(option(kind, body))
                return true
            }
        }
        return (options, malformed)
    }
}

/// Walks a TCP option list (kind, length, value), checking each length before reading it.
/// Public so the packet list can print options from raw bytes without building `TCPOption`s.
public enum TCPOptionList {
    /// Calls `visit` with each option's kind and value, in order, until it returns false or the
    /// list ends (EOL, the last byte). Returns true when the list was malformed: a length that
    /// runs past the header, is below 2, or is wrong for MSS, WS, SACK_PERM, SACK or TS. The
    /// options before the bad one have been visited.
    @discardableResult
    public static func walk(_ bytes: UnsafeRawBufferPointer, _ visit: (UInt8, UnsafeRawBufferPointer) -> Bool) -> Bool {
        var i = 0
        while i < bytes.count {
            let kind = bytes[i]
            if kind == 0 { _ = visit(0, UnsafeRawBufferPointer(rebasing: bytes[i..<i])); return false }
            if kind == 1 {
                guard visit(1, UnsafeRawBufferPointer(rebasing: bytes[i..<i])) else { return false }
                i += 1
                continue
            }
            guard i + 1 < bytes.count else { return true }
            let length = Int(bytes[i + 1])
            guard length >= 2, i + length <= bytes.count else { return true }
            switch (kind, length) {
            case (2, 4), (3, 3), (4, 2), (8, 10): break
            case (5, _) where (length - 2) % 8 == 0: break
            case (2, _), (3, _), (4, _), (5, _), (8, _): return true
            default: break
            }
            guard visit(kind, UnsafeRawBufferPointer(rebasing: bytes[(i + 2)..<(i + length)])) else { return false }
            i += length
        }
        return false
    }

    /// The first window-scale option's shift, if the list has one before any malformed option.
    static func windowScale(in bytes: UnsafeRawBufferPointer) -> UInt8? {
        var shift: UInt8?
        walk(bytes) { kind, body in
            if kind == 3 { shift = body[0] }
            return kind != 3
        }
        return shift
    }
}
