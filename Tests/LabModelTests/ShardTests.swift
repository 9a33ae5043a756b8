import Testing
import LabModel

/// The partition `grade --shard` uses: the same on every machine and in every process, so a
/// matrix's runners agree without talking. The expected shards were computed independently (in
/// Python) from FNV-1a 64 of the name's UTF-8 and MurmurHash3's finalizer.
@Suite struct ShardPartitionTests {
    @Test func eachNameFallsInItsFixedShard() {
        let expected = ["ada": 3, "bob": 2, "cy": 3, "dan": 3, "eve": 2, "fay": 1, "gus": 1, "hal": 1, "s01": 2, "s02": 3]
        for (name, shard) in expected { #expect(Shard.of(name, among: 3) == shard, "\(name)") }
    }

    @Test(arguments: [1, 2, 3, 7, 1024])
    func everyStudentIsInExactlyOneShard(_ count: Int) {
        let names = (0..<300).map { "student\($0)" } + ["José", "李", ""]
        for name in names {
            let holding = (1...count).filter { Shard(index: $0, count: count)!.holds(name) }
            #expect(holding.count == 1, "\(name) with \(count): \(holding)")
        }
    }

    @Test(arguments: [("1/1", "1/1"), ("2/3", "2/3"), ("1024/1024", "1024/1024")])
    func aShardIsKOverN(_ text: String, _ shown: String) throws {
        #expect(try Shard.parse(text).get().description == shown)
    }

    @Test(arguments: ["0/3", "4/3", "1/0", "1/1025", "-1/3", "1/", "/3", "1/2/3", "a/b", "", "2"])
    func anythingElseIsRefused(_ text: String) {
        #expect(throws: ShardError.self) { try Shard.parse(text).get() }
    }
}
