import LabSystem

/// `grade --shard K/N`: the K-th of N parts of a class, by the student's name. Every runner of a
/// matrix computes the same parts without talking to the others, so the hash is a fixed one
/// (FNV-1a of the name's UTF-8), never Swift's per-process seeded Hasher.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// 1 to `count`.
    public let index: Int
    public let count: Int

    public init?(index: Int, count: Int) {
        guard count >= 1, count <= CommandLimits.shards, index >= 1, index <= count else { return nil }
        self.index = index
        self.count = count
    }

    /// "2/3" as a shard, or what is wrong with it.
    public static func parse(_ text: String) -> Result<Shard, ShardError> {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else { return .failure(ShardError(text: text, problem: "expected K/N, such as 2/3")) }
        guard n >= 1, n <= CommandLimits.shards else {
            return .failure(ShardError(text: text, problem: "N must be from 1 to \(CommandLimits.shards)"))
        }
        guard let shard = Shard(index: k, count: n) else { return .failure(ShardError(text: text, problem: "K must be from 1 to N (\(n))")) }
        return .success(shard)
    }

    /// The shard a student falls in, 1 to `count`.
    public static func of(_ student: String, among count: Int) -> Int {
        // FNV-1a's low bits follow the last bytes' low bits (s01, s02, … alternate mod 2), so
        // MurmurHash3's finalizer mixes every bit into them before the remainder is taken.
        var h = FNV1a.hash(Array(student.utf8))
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return Int(h % UInt64(count)) + 1
    }

    public func holds(_ student: String) -> Bool { Self.of(student, among: count) == index }

    public var description: String { "\(index)/\(count)" }
}

public struct ShardError: Error, Sendable, CustomStringConvertible {
    public var text: String
    public var problem: String
    public var description: String { "--shard \(text): \(problem)" }
}
