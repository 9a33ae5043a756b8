import Foundation
import Testing

/// `grade --shard K/N` and `grade --merge` over captures: GradeTests' class of 8 students (a copy
/// of one student's capture handed in by another, a file cut short, an empty one, a text file)
/// graded whole, and as three shards merged, give the same bytes in every output. s01 falls in
/// shard 2 and s02 in shard 3, so the copy between them is found only by the merge.
@Suite struct TraceShardTests {
    static func outputs(_ name: String) -> [String] {
        ["--csv", name + ".csv", "--json", name + ".json", "--junit", name + ".xml", "--summary", name + ".md"]
    }

    static func grade(_ arguments: [String], in root: String) throws -> Finished {
        try execute(Repository.binary, ["grade"] + arguments + ["--experiments", Repository.experiments], in: root)
    }

    static func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// The class, with a hidden file, one of tcplab's reports and a hidden folder beside the captures,
    /// so the footer's counts must be split between the shards and added up again.
    static func makeClass() throws -> String {
        let root = try GradeTests.makeClass()
        try "x".write(toFile: root + "/class/s03/.notes", atomically: true, encoding: .utf8)
        try "<html>".write(toFile: root + "/class/s05/report.html", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: root + "/class/.git", withIntermediateDirectories: true)
        return root
    }

    @Test func threeShardsMergedEqualTheWholeClassByteForByte() throws {
        let root = try Self.makeClass()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let whole = try Self.grade(["class"] + Self.outputs("whole"), in: root)
        #expect(whole.status == 2, "two files could not be read to their end: \(whole.output)\(whole.error)")
        #expect(whole.output.contains("identical: s01/trace1.pcap and s02/my capture.pcap are the same capture"), "\(whole.output)")
        #expect(whole.output.hasSuffix("skipped 4 file(s): 1 of tcplab's outputs (svg, html, md, json, xml, csv), 2 hidden, 1 not a capture (s07/notes.txt)\n"),
                "\(whole.output)")

        var students = 0
        for k in 1...3 {
            let shard = try Self.grade(["class", "--shard", "\(k)/3", "--json", "s\(k).json"], in: root)
            let first = shard.output.split(separator: "\n").first.map(String.init) ?? ""
            #expect(first.hasPrefix("shard \(k)/3: ") && first.hasSuffix(" of 8 student(s)"), "\(shard.output)")
            students += Int(first.dropFirst("shard k/3: ".count).prefix { $0.isNumber }) ?? 0
            #expect(!shard.output.contains("identical: s01/trace1.pcap"), "each shard sees only its own students: \(shard.output)")
        }
        #expect(students == 8, "every student is graded in exactly one shard")

        let merged = try Self.grade(["--merge", "s3.json", "s1.json", "s2.json"] + Self.outputs("merged"), in: root)
        #expect(merged.status == whole.status, "\(merged.error)")
        #expect(merged.output == whole.output, "the same table, copies across shards included:\n\(merged.output)\nagainst\n\(whole.output)")
        for suffix in ["csv", "json", "xml", "md"] {
            #expect(try Self.read(root + "/merged." + suffix) == Self.read(root + "/whole." + suffix), "\(suffix)")
        }
        let again = try Self.grade(["--merge", "s1.json", "s2.json", "s3.json"] + Self.outputs("again"), in: root)
        #expect(again.output == merged.output)
        for suffix in ["csv", "json", "xml", "md"] { #expect(try Self.read(root + "/again." + suffix) == Self.read(root + "/merged." + suffix)) }

        let schema = try execute("python3", ["-c", """
            import json, sys, jsonschema
            for f in sys.argv[2:]: jsonschema.validate(json.load(open(f)), json.load(open(sys.argv[1])))
            """, Repository.experiments + "/run-record.schema.json", root + "/s1.json", root + "/merged.json"])
        #expect(schema.status == 0, "\(schema.error)")
    }

    @Test func aMergeOfShardsThatAreNotOneGradingIsRefusedInOneLine() throws {
        let root = try Self.makeClass()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for k in 1...3 { _ = try Self.grade(["class", "--shard", "\(k)/3", "--json", "s\(k).json"], in: root) }
        _ = try Self.grade(["class", "--shard", "1/2", "--json", "half.json"], in: root)
        _ = try Self.grade(["class", "--json", "whole.json"], in: root)
        try FileManager.default.copyItem(atPath: root + "/s1.json", toPath: root + "/copy.json")
        let edited = try Self.read(root + "/s2.json").replacingOccurrences(of: "\"positions\" : [\n", with: "\"positions\" : [\n      999,\n")
        try edited.write(toFile: root + "/edited.json", atomically: true, encoding: .utf8)
        try "{\"format\": 1, \"tool\": \"t\", \"codeGrades\": []}".write(toFile: root + "/code.json", atomically: true, encoding: .utf8)
        for (files, status, message) in [
            (["s1.json", "s2.json"], Int32(65), "shard(s) 3/3 missing: merge every shard's --json file (1 of 3 not given)"),
            (["s1.json", "s2.json", "s3.json", "copy.json"], 65, "copy.json: shard 1/3 again (s1.json is that shard too)"),
            (["s1.json", "s2.json", "s3.json", "s1.json"], 64, "s1.json: given twice (as s1.json too)"),
            (["s1.json", "half.json"], 65, "half.json: shard 1/2 of a class of 39 file(s), but s1.json is shard 1/3 of 39"),
            (["whole.json"], 65, "whole.json: the grades of a whole class, not of a shard"),
            (["s1.json", "edited.json", "s3.json"], 65, "edited.json: its shard's positions do not match"),
            (["code.json"], 65, "code.json: not a grade --json record: no \"grades\" at the top"),
            (["s1.json", "none.json"], 66, "none.json: no such file or folder"),
        ] {
            let r = try Self.grade(["--merge"] + files + ["--csv", "m.csv"], in: root)
            #expect(r.status == status && r.error.hasPrefix("tcplab: " + message) && r.error.split(separator: "\n").count == 1,
                    "\(files): exit \(r.status): \(r.error)")
            #expect(!FileManager.default.fileExists(atPath: root + "/m.csv"), "nothing is written from a bad merge")
        }
    }
}
