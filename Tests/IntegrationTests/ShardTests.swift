import Foundation
import Testing

/// `grade --code --shard K/N` and `--merge`: a class graded whole, and the same class graded as
/// three shards then merged, give the same rows. The students' programs are deterministic (the
/// lab's server reading 5 bytes passes, reading 10 fails every run the same way; one student has no
/// program), so only what is measured (CPU, memory) may differ between the two gradings. Each
/// grading runs in a PID namespace of its own.
@Suite(.serialized) struct ShardTests {
    static let students = ["ada", "bob", "cy", "dan", "eve", "fay", "gus", "hal"]

    static func makeClass(in root: String) throws {
        let fm = FileManager.default
        for (i, student) in students.enumerated() {
            let folder = root + "/class/" + student
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
            if student == "hal" { try "{\"experiment-2\": {\"server\": \"./missing {port}\"}}".write(toFile: folder + "/tcplab.json", atomically: true, encoding: .utf8); continue }
            try PassingServer.install(in: folder)
            try "{\"experiment-2\": {\"server\": \"python3 server.py {port} \(i % 2 == 0 ? 5 : 10)\"}}"
                .write(toFile: folder + "/tcplab.json", atomically: true, encoding: .utf8)
        }
    }

    static func grade(_ arguments: [String], in root: String) throws -> Finished {
        try execute("/usr/bin/unshare", ["--pid", "--fork", "--mount-proc", Repository.binary, "grade", "--code"] + arguments
                    + ["--experiments", Repository.experiments], in: root)
    }

    static func outputs(_ name: String) -> [String] {
        ["--csv", name + ".csv", "--json", name + ".json", "--junit", name + ".xml", "--summary", name + ".md"]
    }

    static func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// The JSON's grades without what each program used, which is measured afresh in every run.
    static func gradesWithoutMeasurements(_ path: String) throws -> String {
        let strip = try execute("python3", ["-c", """
            import json, sys
            d = json.load(open(sys.argv[1]))
            for g in d["codeGrades"]:
                for p in g.get("programs", []):
                    for k in ("maxCPUSeconds", "maxPeakMemoryBytes", "maxProcesses"): p.pop(k, None)
            print(json.dumps(d, sort_keys=True, indent=1))
            """, path])
        #expect(strip.status == 0, "\(strip.error)")
        return strip.output
    }

    @Test(.enabled(if: SandboxTests.canRun, "needs root, unshare (util-linux) and /usr/bin/python3"))
    func threeShardsMergedEqualTheWholeClassRowForRow() throws {
        let root = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.makeClass(in: root)
        let whole = try Self.grade(["class", "--out", "graded"] + Self.outputs("whole"), in: root)
        #expect(whole.status == 2, "hal's program is not there: \(whole.output)\(whole.error)")

        var held: [String] = []
        for k in 1...3 {
            let shard = try Self.grade(["class", "--out", "graded", "--shard", "\(k)/3", "--json", "s\(k).json"], in: root)
            let first = shard.output.split(separator: "\n").first.map(String.init) ?? ""
            #expect(first.hasPrefix("shard \(k)/3: ") && first.hasSuffix(" of 8 student(s)"), "\(shard.output)")
            held += shard.output.split(separator: "\n").compactMap { line in Self.students.first { line.hasPrefix($0 + " ") } }
        }
        #expect(held.sorted() == Self.students, "every student is graded in exactly one shard: \(held)")

        let merged = try execute(Repository.binary, ["grade", "--code", "--merge", "s3.json", "s1.json", "s2.json"] + Self.outputs("merged"), in: root)
        #expect(merged.status == 2, "the merge's status is the whole class's: \(merged.output)\(merged.error)")
        #expect(merged.output == whole.output, "the same table:\n\(merged.output)\nagainst\n\(whole.output)")
        #expect(try Self.read(root + "/merged.md") == Self.read(root + "/whole.md"))
        #expect(try Self.gradesWithoutMeasurements(root + "/merged.json") == Self.gradesWithoutMeasurements(root + "/whole.json"))
        func withoutMeasurements(_ csv: String) -> [String] {
            // The columns after the client's command: the figures each program used.
            csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).prefix(9).joined(separator: ",") }
        }
        #expect(withoutMeasurements(try Self.read(root + "/merged.csv")) == withoutMeasurements(try Self.read(root + "/whole.csv")))
        func testcases(_ xml: String) -> [String] { xml.split(separator: "\n").filter { !$0.contains("system-out") && !$0.contains("server: at most") }.map(String.init) }
        #expect(testcases(try Self.read(root + "/merged.xml")) == testcases(try Self.read(root + "/whole.xml")))

        // A merge is a function of its files: the same shards in another order give the same bytes.
        let again = try execute(Repository.binary, ["grade", "--code", "--merge", "s1.json", "s2.json", "s3.json"] + Self.outputs("again"), in: root)
        #expect(again.output == merged.output)
        for suffix in ["csv", "json", "xml", "md"] { #expect(try Self.read(root + "/again." + suffix) == Self.read(root + "/merged." + suffix), "\(suffix)") }
    }

    @Test func badShardsAndMergesAreOneLine() throws {
        let root = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for (arguments, message) in [(["--shard", "0/3"], "K must be from 1 to N (3)"), (["--shard", "4/3"], "K must be from 1 to N (3)"),
                                     (["--shard", "1/0"], "N must be from 1 to 1024"), (["--shard", "half"], "expected K/N, such as 2/3")] {
            let r = try execute(Repository.binary, ["grade", "--code", "class"] + arguments)
            #expect(r.status == 64 && r.error.contains(message), "\(arguments): \(r.error)")
        }
        let both = try execute(Repository.binary, ["grade", "--code", "--merge", "a.json", "--shard", "1/2"])
        #expect(both.status == 64 && both.error.contains("--merge joins shards' grades: it runs nothing"), "\(both.error)")

        let record = { (student: String, tool: String, shard: String) in
            "{\"format\": 1, \"tool\": \"\(tool)\", \"shard\": \(shard), \"codeGrades\": [{\"student\": \"\(student)\", \"experiment\": \"experiment-2\", "
                + "\"runs\": 1, \"passed\": 1, \"patterns\": [], \"exitCode\": 0, \"expectations\": [], \"programs\": [], \"rootCauseRuns\": 0}]}"
        }
        let files = [("a.json", record("ada", "tcplab 0.1.0", "{\"index\": 1, \"count\": 2, \"classStudents\": 2}")),
                     ("b.json", record("bob", "tcplab 0.1.0", "{\"index\": 2, \"count\": 2, \"classStudents\": 2}")),
                     ("twice.json", record("ada", "tcplab 0.1.0", "{\"index\": 2, \"count\": 2, \"classStudents\": 2}")),
                     ("again.json", record("cy", "tcplab 0.1.0", "{\"index\": 1, \"count\": 2, \"classStudents\": 2}")),
                     ("third.json", record("bob", "tcplab 0.1.0", "{\"index\": 2, \"count\": 3, \"classStudents\": 2}")),
                     ("old.json", record("bob", "tcplab 0.0.9", "{\"index\": 2, \"count\": 2, \"classStudents\": 2}")),
                     ("whole.json", record("ada", "tcplab 0.1.0", "null")),
                     ("one.json", record("ada", "tcplab 0.1.0", "{\"index\": 1, \"count\": 1, \"classStudents\": 1}"))]
        for (name, text) in files { try text.write(toFile: root + "/" + name, atomically: true, encoding: .utf8) }
        try "{\"format\": 1, \"tool\": \"tcplab 0.1.0\"}".write(toFile: root + "/traces.json", atomically: true, encoding: .utf8)
        try "{\"format\": 1,\n  \"tool\": ".write(toFile: root + "/cut.json", atomically: true, encoding: .utf8)
        for (files, status, message) in [(["a.json", "twice.json"], Int32(65), "twice.json: student ada is graded in a.json too"),
                                         (["a.json", "old.json"], 65, "old.json: written by tcplab 0.0.9, but a.json by tcplab 0.1.0"),
                                         (["a.json"], 65, "shard(s) 2/2 missing: merge every shard's --json file (1 of 2 not given)"),
                                         (["a.json", "again.json", "b.json"], 65, "again.json: shard 1/2 again (a.json is that shard too)"),
                                         (["a.json", "third.json"], 65, "third.json: shard 2/3 of a class of 2 student(s), but a.json is shard 1/2 of 2"),
                                         (["whole.json"], 65, "whole.json: the grades of a whole class, not of a shard: merge the --json files of grade --code --shard K/N"),
                                         (["traces.json"], 65, "traces.json: not a grade --code --json record: no \"codeGrades\" at the top"),
                                         (["cut.json"], 65, "cut.json: not a grade --code --json record: line 2:"),
                                         (["a.json", "none.json"], 66, "none.json"),
                                         (["a.json", "./a.json"], 64, "./a.json: given twice (as a.json too)")] {
            let r = try execute(Repository.binary, ["grade", "--code", "--merge"] + files + ["--csv", "m.csv"], in: root)
            #expect(r.status == status && r.error.hasPrefix("tcplab: " + message) && r.error.split(separator: "\n").count == 1, "\(files): exit \(r.status): \(r.error)")
            #expect(!FileManager.default.fileExists(atPath: root + "/m.csv"), "nothing is written from a bad merge")
        }
        let two = try execute(Repository.binary, ["grade", "--code", "--merge", "b.json", "a.json", "--csv", "m.csv"], in: root)
        #expect(two.status == 0 && two.output.contains("ada      experiment-2  1/1") && two.output.contains("bob      experiment-2  1/1"),
                "\(two.output)\(two.error)")
        let one = try execute(Repository.binary, ["grade", "--code", "--merge", "one.json"], in: root)
        #expect(one.status == 0 && one.output.contains("ada      experiment-2  1/1"), "\(one.output)\(one.error)")
    }
}
