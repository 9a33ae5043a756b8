/// A TCP 4-tuple's place in a `FlowIndex`: the tuple, numbered from 0 in order of first
/// appearance, and which way this segment goes along it.
public struct FlowID: Sendable, Equatable {
    public var index: Int
    /// True when the segment's source is the endpoint the index sorts first. Both directions
    /// of a tuple share an index and differ here.
    public var fromLow: Bool
}

/// Numbers the TCP 4-tuples of a capture in order of first appearance: the one hash lookup per
/// segment that the conversation analysis needs. Its own type, so a reader can do it on the
/// thread that decodes (see `CaptureFileReader.scanSegments`) while another analyses.
///
/// Open addressing, linear probing, half full at most; memory grows with the tuples, not the
/// packets. Written by hand rather than using `Dictionary`, whose SipHash and generic probing
/// cost about as much as the rest of the lookup's work together (`make bench-show`). The hash is
/// a multiply-fold keyed by a per-index random seed, so a crafted capture cannot aim its tuples
/// at one chain and make every lookup slow.
public struct FlowIndex: Sendable {
    private struct Slot: Sendable {
        var key: FlowKey
        /// The tuple's number; -1 marks an empty slot.
        var index: Int
    }

    private static let empty = Slot(key: FlowKey(lowAddress: (0, 0), highAddress: (0, 0), ports: 0, isIPv6: false), index: -1)
    private let seed = UInt64.random(in: .min ... .max)
    private var slots = [Slot](repeating: FlowIndex.empty, count: 64)
    /// How many tuples have been numbered.
    public private(set) var count = 0

    public init() {}

    /// The tuple of a TCP segment, numbered now if it is new; nil for a frame without TCP.
    @inline(__always)
    public mutating func flow(of headers: FrameHeaders) -> FlowID? {
        guard let tcp = headers.tcp, let source = headers.source, let destination = headers.destination else { return nil }
        let (key, fromLow) = FlowKey.of(source, tcp.sourcePort, destination, tcp.destinationPort)
        return FlowID(index: index(of: key), fromLow: fromLow)
    }

    /// The number of `key`, which is given the next one if it is new.
    private mutating func index(of key: FlowKey) -> Int {
        if (count + 1) * 2 > slots.count { grow() }
        let mask = slots.count - 1
        var i = hash(key) & mask
        while true {
            let slot = slots[i]
            if slot.index < 0 { break }
            if slot.key == key { return slot.index }
            i = (i + 1) & mask
        }
        slots[i] = Slot(key: key, index: count)
        count += 1
        return count - 1
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Self.empty, count: old.count * 2)
        let mask = slots.count - 1
        for slot in old where slot.index >= 0 {
            var i = hash(slot.key) & mask
            while slots[i].index >= 0 { i = (i + 1) & mask }
            slots[i] = slot
        }
    }

    /// Mixes the tuple's words, one 64×64→128-bit multiply by the seed each.
    @inline(__always)
    private func hash(_ key: FlowKey) -> Int {
        var word = mix(UInt64(key.ports) | (key.isIPv6 ? 1 << 32 : 0))
        word = mix(word ^ key.lowAddress.1)
        word = mix(word ^ key.highAddress.1)
        if key.isIPv6 { word = mix(mix(word ^ key.lowAddress.0) ^ key.highAddress.0) }
        return Int(truncatingIfNeeded: word)
    }

    @inline(__always)
    private func mix(_ x: UInt64) -> UInt64 {
        let product = (x ^ seed).multipliedFullWidth(by: 0x9E37_79B9_7F4A_7C15)
        return product.high ^ product.low
    }
}

/// A TCP 4-tuple as plain words, its two endpoints in a fixed order so both directions find
/// one entry. Words, not `Endpoint`s: comparing five integers is what a lookup costs.
struct FlowKey: Equatable, Sendable {
    var lowAddress: (UInt64, UInt64)
    var highAddress: (UInt64, UInt64)
    /// The low endpoint's port, then the high one's.
    var ports: UInt32
    var isIPv6: Bool

    /// The key of a segment from `source` to `destination`, and whether the source is its low end.
    @inline(__always)
    static func of(_ source: IPAddress, _ sourcePort: UInt16, _ destination: IPAddress, _ destinationPort: UInt16)
        -> (key: FlowKey, sourceIsLow: Bool) {
        let s = words(source), d = words(destination)
        let sourceIsLow = (s.0, s.1, sourcePort) < (d.0, d.1, destinationPort)
        var isIPv6 = false
        if case .v6 = source { isIPv6 = true }
        let key = sourceIsLow
            ? FlowKey(lowAddress: s, highAddress: d, ports: UInt32(sourcePort) << 16 | UInt32(destinationPort), isIPv6: isIPv6)
            : FlowKey(lowAddress: d, highAddress: s, ports: UInt32(destinationPort) << 16 | UInt32(sourcePort), isIPv6: isIPv6)
        return (key, sourceIsLow)
    }

    @inline(__always)
    private static func words(_ address: IPAddress) -> (UInt64, UInt64) {
        switch address {
        case let .v4(a): (0, UInt64(a))
        case let .v6(high, low): (high, low)
        }
    }

    static func == (a: FlowKey, b: FlowKey) -> Bool {
        a.lowAddress == b.lowAddress && a.highAddress == b.highAddress && a.ports == b.ports && a.isIPv6 == b.isIPv6
    }
}
