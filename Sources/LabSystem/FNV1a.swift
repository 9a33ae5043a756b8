/// FNV-1a, 64 bits: a hash that is the same in every process and on every machine, unlike
/// Swift's Hasher, which is seeded per process. Used where two processes must agree (a sandbox's
/// uid block, the shard a student falls in).
public enum FNV1a {
    public static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    /// The hash of a value's eight bytes, least significant first.
    public static func hash(_ value: UInt64) -> UInt64 {
        hash(stride(from: 0, to: 64, by: 8).map { UInt8(truncatingIfNeeded: value >> UInt64($0)) })
    }
}
