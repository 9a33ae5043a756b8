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

/// A classic pcap file, read from memory. Pure Swift so it needs no file handle and
/// fuzzes on plain bytes; libpcap still writes the files we produce.
public struct PcapFile: Sendable {
    public var linkType: LinkType
    public var snapLength: Int
    public var nanosecond: Bool
    public var frames: [CapturedFrame]

    /// The largest record we accept whatever the header's snaplen says (libpcap's own bound).
    static let maxRecord = 262_144

    public init(bytes: [UInt8]) throws(DecodeError) {
        var cursor = ByteCursor(bytes, layer: "pcap")
        let magic = try cursor.u32("magic_number")
        let little: Bool
        switch magic {
        case 0xa1b2_c3d4: (little, nanosecond) = (false, false)
        case 0xd4c3_b2a1: (little, nanosecond) = (true, false)
        case 0xa1b2_3c4d: (little, nanosecond) = (false, true)
        case 0x4d3c_b2a1: (little, nanosecond) = (true, true)
        default:
            throw .invalid(layer: "pcap", field: "magic_number", offset: 0,
                           detail: "0x\(String(magic, radix: 16)) is not a pcap file")
        }
        _ = try cursor.u16("version_major", littleEndian: little)
        _ = try cursor.u16("version_minor", littleEndian: little)
        try cursor.skip(8, "thiszone/sigfigs")
        snapLength = Int(try cursor.u32("snaplen", littleEndian: little))
        linkType = LinkType(rawValue: try cursor.u32("network", littleEndian: little) & 0x0fff_ffff)
        frames = []
        while cursor.remaining > 0 {
            let seconds = Int64(try cursor.u32("ts_sec", littleEndian: little))
            let fraction = Int64(try cursor.u32("ts_usec", littleEndian: little))
            let included = Int(try cursor.u32("incl_len", littleEndian: little))
            let original = Int(try cursor.u32("orig_len", littleEndian: little))
            guard included <= Self.maxRecord else {
                throw cursor.invalid("incl_len", "record of \(included) bytes exceeds \(Self.maxRecord)")
            }
            let data = try cursor.take(included, "packet data")
            let nanos = nanosecond ? fraction : fraction * 1000
            frames.append(CapturedFrame(timestamp: seconds * 1_000_000_000 + nanos,
                                        originalLength: max(original, included), bytes: data))
        }
    }
}
