public enum IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    case v4(UInt32)
    /// Two 64-bit halves, so an address costs no allocation to decode, hash or compare.
    case v6(high: UInt64, low: UInt64)

    /// Reads a 16-byte IPv6 address; the caller has checked there are 16 bytes.
    static func v6(_ bytes: UnsafeRawBufferPointer) -> IPAddress {
        .v6(high: UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)),
            low: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
    }

    /// Reads a 16-byte IPv6 address.
    public static func v6(_ bytes: ArraySlice<UInt8>) -> IPAddress {
        var high: UInt64 = 0, low: UInt64 = 0
        for (i, byte) in bytes.prefix(16).enumerated() {
            if i < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        return .v6(high: high, low: low)
    }

    public var description: String {
        switch self {
        case let .v4(a):
            "\(a >> 24).\(a >> 16 & 0xff).\(a >> 8 & 0xff).\(a & 0xff)"
        case let .v6(high, low):
            IPAddress.formatV6((0..<4).map { UInt16(truncatingIfNeeded: high >> (48 - 16 * $0)) }
                + (0..<4).map { UInt16(truncatingIfNeeded: low >> (48 - 16 * $0)) })
        }
    }

    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        switch (a, b) {
        case let (.v4(x), .v4(y)): x < y
        case let (.v6(xh, xl), .v6(yh, yl)): (xh, xl) < (yh, yl)
        case (.v4, .v6): true
        case (.v6, .v4): false
        }
    }

    /// RFC 5952 text: lower-case hex, the longest run (2+) of zero groups as `::`.
    static func formatV6(_ groups: [UInt16]) -> String {
        var best = (start: -1, length: 0), run = (start: -1, length: 0)
        for (i, g) in groups.enumerated() {
            if g == 0 {
                run = run.start < 0 ? (i, 1) : (run.start, run.length + 1)
                if run.length > best.length { best = run }
            } else {
                run = (-1, 0)
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard best.length >= 2 else { return hex.joined(separator: ":") }
        let head = hex[..<best.start].joined(separator: ":")
        let tail = hex[(best.start + best.length)...].joined(separator: ":")
        return head + "::" + tail
    }
}

public struct Endpoint: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var address: IPAddress
    public var port: UInt16

    public init(address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    public static func < (a: Endpoint, b: Endpoint) -> Bool { (a.address, a.port) < (b.address, b.port) }

    public var description: String {
        if case .v6 = address { return "[\(address)]:\(port)" }
        return "\(address):\(port)"
    }
}
