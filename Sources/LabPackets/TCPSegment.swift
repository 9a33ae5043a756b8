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
    public static let named: [(TCPFlags, String)] = [
        (.fin, "FIN"), (.syn, "SYN"), (.rst, "RST"), (.psh, "PSH"), (.ack, "ACK"),
        (.urg, "URG"), (.ece, "ECE"), (.cwr, "CWR"), (.ae, "AE"),
    ]

    public var names: [String] { Self.named.filter { contains($0.0) }.map(\.1) }

    /// Parses "FIN,PSH,ACK" (any order, any case, spaces allowed); the error names the bad word.
    public init(parsing text: String) throws(DecodeError) {
        var flags = TCPFlags()
        for word in text.split(separator: ",") {
            let name = word.filter { $0 != " " }.uppercased()
            guard let flag = Self.named.first(where: { $0.1 == name })?.0 else {
                throw .invalid(layer: "flags", field: name, offset: 0,
                               detail: "unknown TCP flag '\(name)'; known: \(Self.named.map(\.1).joined(separator: ", "))")
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

public struct TCPSegment: Hashable, Sendable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var sequence: UInt32
    public var acknowledgment: UInt32
    public var headerLength: Int
    public var flags: TCPFlags
    public var window: UInt16
    public var urgentPointer: UInt16
    /// The captured bytes from the start of the header: one slice, so copying a segment
    /// retains one buffer reference, not one per part.
    public var bytes: ArraySlice<UInt8>
    /// The segment's length as the IP header gives it (Wireshark's tcp.len).
    public var payloadLength: Int

    /// The raw option bytes; `options` parses them on demand, since most uses (counting,
    /// sequence analysis) never need them and parsing every packet's would cost an allocation.
    public var optionBytes: ArraySlice<UInt8> { bytes.dropFirst(20).prefix(headerLength - 20) }

    /// The payload bytes the capture kept; fewer than `payloadLength` when the snaplen cut the frame.
    public var payload: ArraySlice<UInt8> { bytes.dropFirst(headerLength) }

    /// A segment built field by field (tests, tools): the header is zero-filled in `bytes`.
    public init(sourcePort: UInt16, destinationPort: UInt16, sequence: UInt32, acknowledgment: UInt32,
                headerLength: Int, flags: TCPFlags, window: UInt16, urgentPointer: UInt16,
                optionBytes: ArraySlice<UInt8>, payload: ArraySlice<UInt8>, payloadLength: Int) {
        let header = max(20, 20 + optionBytes.count)
        self.init(sourcePort: sourcePort, destinationPort: destinationPort, sequence: sequence,
                  acknowledgment: acknowledgment, headerLength: header, flags: flags, window: window,
                  urgentPointer: urgentPointer,
                  bytes: ([UInt8](repeating: 0, count: 20) + optionBytes + payload)[...], payloadLength: payloadLength)
    }

    init(sourcePort: UInt16, destinationPort: UInt16, sequence: UInt32, acknowledgment: UInt32, headerLength: Int,
         flags: TCPFlags, window: UInt16, urgentPointer: UInt16, bytes: ArraySlice<UInt8>, payloadLength: Int) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.sequence = sequence
        self.acknowledgment = acknowledgment
        self.headerLength = headerLength
        self.flags = flags
        self.window = window
        self.urgentPointer = urgentPointer
        self.bytes = bytes
        self.payloadLength = payloadLength
    }

    public var options: [TCPOption] { Self.parseOptions(optionBytes).0 }

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

    /// Decodes a segment whose IP payload is `claimedLength` bytes long, of which `bytes` were
    /// captured (fewer when the capture's snaplen cut the frame).
    static func decode(_ bytes: ArraySlice<UInt8>, claimedLength: Int) throws(DecodeError) -> TCPSegment {
        var c = ByteCursor(bytes, layer: "tcp")
        let sourcePort = try c.u16("srcport")
        let destinationPort = try c.u16("dstport")
        let sequence = try c.u32("seq")
        let acknowledgment = try c.u32("ack")
        let offsetAndFlags = try c.u16("hdr_len/flags")
        let headerLength = Int(offsetAndFlags >> 12) * 4
        guard headerLength >= 20 else { throw c.invalid("hdr_len", "\(headerLength) bytes is below the minimum of 20") }
        let window = try c.u16("window_size")
        _ = try c.u16("checksum")
        let urgent = try c.u16("urgent_pointer")
        try c.skip(headerLength - 20, "options")
        guard claimedLength >= headerLength else {
            throw c.invalid("hdr_len", "header of \(headerLength) bytes is longer than the \(claimedLength)-byte IP payload")
        }
        return TCPSegment(
            sourcePort: sourcePort, destinationPort: destinationPort, sequence: sequence,
            acknowledgment: acknowledgment, headerLength: headerLength,
            flags: TCPFlags(rawValue: offsetAndFlags & 0x01ff), window: window, urgentPointer: urgent,
            bytes: bytes, payloadLength: claimedLength - headerLength)
    }

    static func parseOptions(_ bytes: ArraySlice<UInt8>) -> ([TCPOption], Bool) {
        var options: [TCPOption] = []
        options.reserveCapacity(6)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let kind = bytes[i]
            if kind == 0 { options.append(.endOfList); break }
            if kind == 1 { options.append(.noOperation); i += 1; continue }
            guard i + 1 < bytes.endIndex else { return (options, true) }
            let length = Int(bytes[i + 1])
            guard length >= 2, i + length <= bytes.endIndex else { return (options, true) }
            let body = bytes[(i + 2)..<(i + length)]
            func be(_ at: Int, _ n: Int) -> UInt32 {
                (0..<n).reduce(UInt32(0)) { $0 << 8 | UInt32(body[body.startIndex + at + $1]) }
            }
            switch (kind, length) {
            case (2, 4): options.append(.maximumSegmentSize(UInt16(be(0, 2))))
            case (3, 3): options.append(.windowScale(body.first!))
            case (4, 2): options.append(.sackPermitted)
            case (5, _) where (length - 2) % 8 == 0:
                options.append(.sack((0..<(length - 2) / 8).map { SACKBlock(left: be($0 * 8, 4), right: be($0 * 8 + 4, 4)) }))
            case (8, 10): options.append(.timestamp(value: be(0, 4), echo: be(4, 4)))
            case (2, _), (3, _), (4, _), (5, _), (8, _): return (options, true)
            default: options.append(.unknown(kind: kind, length: length))
            }
            i += length
        }
        return (options, false)
    }
}
