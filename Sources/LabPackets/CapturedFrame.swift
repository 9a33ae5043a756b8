/// Link-layer types we decode, by their LINKTYPE_ number.
public struct LinkType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let null = LinkType(rawValue: 0)
    public static let ethernet = LinkType(rawValue: 1)
    public static let rawBSD = LinkType(rawValue: 12)
    public static let rawOpenBSD = LinkType(rawValue: 14)
    public static let raw = LinkType(rawValue: 101)
    public static let loop = LinkType(rawValue: 108)
    public static let linuxSLL = LinkType(rawValue: 113)
    public static let linuxSLL2 = LinkType(rawValue: 276)

    public var description: String {
        switch self {
        case .null: "NULL"
        case .ethernet: "EN10MB"
        case .raw, .rawBSD, .rawOpenBSD: "RAW"
        case .loop: "LOOP"
        case .linuxSLL: "LINUX_SLL"
        case .linuxSLL2: "LINUX_SLL2"
        default: "linktype \(rawValue)"
        }
    }
}

/// `later - earlier` in nanoseconds, saturating: a corrupt file's timestamps can be anything,
/// and an elapsed time must never trap.
public func elapsed(from earlier: Int64, to later: Int64) -> Int64 {
    let (difference, overflow) = later.subtractingReportingOverflow(earlier)
    return overflow ? (later < earlier ? .min : .max) : difference
}

/// One captured frame: when, how long on the wire, and the bytes kept.
public struct CapturedFrame: Sendable, Equatable {
    /// Nanoseconds since the Unix epoch.
    public var timestamp: Int64
    public var originalLength: Int
    /// A slice, so frames read from a file share its buffer instead of each copying its bytes.
    public var bytes: ArraySlice<UInt8>

    public init(timestamp: Int64, originalLength: Int, bytes: ArraySlice<UInt8>) {
        self.timestamp = timestamp
        self.originalLength = originalLength
        self.bytes = bytes
    }

    public init(timestamp: Int64, originalLength: Int, bytes: [UInt8]) {
        self.init(timestamp: timestamp, originalLength: originalLength, bytes: bytes[...])
    }
}
