import Foundation
import Testing
@testable import LabPipeline
import LabModel
import LabReport

/// `grade --merge` of captures' shards, on records written by hand: the whole class's order comes
/// back from each shard's positions, copies are found across shards by fingerprint, the files
/// passed over add up, and a set of shards that is not one grading is refused with exit 65.
@Suite struct GradeMergeTests {
    static func entry(_ student: String, _ file: String, fingerprint: String?) throws -> GradeEntry {
        let json = """
            {"student": "\(student)", "file": "class/\(student)/\(file)", "status": "passed", "exitCode": 0, "identicalTo": [],
             \(fingerprint.map { "\"fingerprint\": \"\($0)\"," } ?? "")
             "check": {"file": "class/\(student)/\(file)", "experiment": "experiment-2", "title": "", "matchedBy": "file name",
                       "status": "passed", "exitCode": 0, "packets": [], "connections": [], "verdicts": []}}
            """
        return try JSONDecoder().decode(GradeEntry.self, from: Data(json.utf8))
    }

    static func write(_ record: GradeReport.Record, _ path: String) throws {
        try JSONEncoder().encode(record).write(to: URL(fileURLWithPath: path))
    }

    static let copy = "00000000000000aa00000000000000bb"

    /// Shard 1 holds the class's files 0 and 2, shard 2 files 1 and 3; ada and cy handed in one capture.
    static func shards(in dir: String, second: GradeReport.Record.Part? = nil) throws -> [String] {
        var skippedA = SkippedFiles()
        (skippedA.outputs, skippedA.notCaptures) = (1, ["cy/notes.txt"])
        var skippedB = SkippedFiles()
        (skippedB.hidden, skippedB.notCaptures) = (2, ["bob/a.txt"])
        let a = GradeReport.Record(tool: "tcplab t", grades: [try entry("ada", "t1.pcap", fingerprint: copy), try entry("cy", "t1.pcap", fingerprint: copy)],
                                   skipped: skippedA, shard: .init(index: 1, count: 2, classFiles: 4, positions: [0, 2]))
        let b = GradeReport.Record(tool: "tcplab t", grades: [try entry("bob", "t1.pcap", fingerprint: nil), try entry("dan", "t1.pcap", fingerprint: "01")],
                                   skipped: skippedB, shard: second ?? .init(index: 2, count: 2, classFiles: 4, positions: [1, 3]))
        try write(a, dir + "/a.json")
        try write(b, dir + "/b.json")
        return [dir + "/a.json", dir + "/b.json"]
    }

    static func temporary() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tcplab-merge-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func theShardsComeBackInTheClassesOrderWithCopiesAcrossThem() throws {
        let dir = try Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try Self.shards(in: dir)
        let merged = try GradeMerge.read(files.reversed())
        #expect(merged.grades.map(\.student) == ["ada", "bob", "cy", "dan"])
        #expect(merged.grades.map(\.identicalTo) == [["cy/t1.pcap"], [], ["ada/t1.pcap"], []])
        #expect(merged.shard == nil, "the merge is the whole class")
        #expect(merged.skipped == SkippedFiles.sum([SkippedFiles(), merged.skipped ?? SkippedFiles()]))
        #expect(merged.skipped?.outputs == 1 && merged.skipped?.hidden == 2 && merged.skipped?.notCaptures == ["bob/a.txt", "cy/notes.txt"])
    }

    @Test(arguments: [
        (GradeReport.Record.Part(index: 1, count: 2, classFiles: 4, positions: [1, 3]), "DIR/b.json: shard 1/2 again (DIR/a.json is that shard too)"),
        (GradeReport.Record.Part(index: 2, count: 3, classFiles: 4, positions: [1, 3]), "DIR/b.json: shard 2/3 of a class of 4 file(s), but DIR/a.json is shard 1/2 of 4"),
        (GradeReport.Record.Part(index: 2, count: 2, classFiles: 4, positions: [1, 2]), "DIR/b.json: its shard's positions do not match its 2 grade(s)"),
        (GradeReport.Record.Part(index: 2, count: 2, classFiles: 4, positions: [3, 3]), "DIR/b.json: its shard's positions do not match its 2 grade(s)"),
        (GradeReport.Record.Part(index: 2, count: 2, classFiles: 5, positions: [1, 3]), "DIR/b.json: shard 2/2 of a class of 5 file(s)"),
    ])
    func shardsThatAreNotOneGradingAreRefused(_ second: GradeReport.Record.Part, _ message: String) throws {
        let dir = try Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try Self.shards(in: dir, second: second)
        #expect {
            _ = try GradeMerge.read(files)
        } throws: { error in
            guard let failure = error as? CommandFailure else { return false }
            return failure.exitCode == 65 && failure.description.hasPrefix(message.replacing("DIR/", with: dir + "/"))
        }
    }

    @Test func aShardLeftOutIsNamed() throws {
        let dir = try Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try Self.shards(in: dir)
        #expect {
            _ = try GradeMerge.read([files[0]])
        } throws: { error in
            (error as? CommandFailure)?.description == "shard(s) 2/2 missing: merge every shard's --json file (1 of 2 not given)"
        }
    }

    /// A shard holds its students' files and the files passed over in their folders, with each
    /// file's place among the whole class's.
    @Test func aPartHoldsItsStudentsFilesAndWhatWasPassedOverBesideThem() throws {
        var inputs = GradeInputs()
        inputs.files = [("ada", "c/ada/1.pcap"), ("bob", "c/bob/1.pcap"), ("ada", "c/ada/2.pcap"), ("fay", "c/fay/1.pcap")]
        inputs.passedOver = [("ada", .output), ("bob", .hidden), ("ada", .notCapture("ada/z.txt")), ("ada", .notCapture("ada/a.txt"))]
        let shard = try #require(Shard(index: Shard.of("ada", among: 3), count: 3))
        #expect(!shard.holds("bob") || !shard.holds("fay") || Shard.of("bob", among: 3) != shard.index)
        let (part, positions) = inputs.part(shard)
        let held = inputs.files.indices.filter { shard.holds(inputs.files[$0].student) }
        #expect(positions == held && part.files.map(\.path) == held.map { inputs.files[$0].path })
        #expect(part.skipped.outputs == 1 && part.skipped.notCaptures == ["ada/a.txt", "ada/z.txt"], "in name order")
        #expect(part.skipped.hidden == (shard.holds("bob") ? 1 : 0))
    }
}
