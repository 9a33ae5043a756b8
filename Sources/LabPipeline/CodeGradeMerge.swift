import FoundationEssentials
import LabModel
import LabReport
import LabSystem

/// `grade --code --merge A.json B.json …`: the shards' `--json` records as one run over the whole
/// class would have written them. Each student is graded whole in one shard, so its rows are kept
/// together and in their order; the students are put back in the order a class folder gives them.
public enum CodeGradeMerge {
    /// Reads every record; a file that is missing is exit 66, one given twice 64; one that is not
    /// a shard's code-grade record, one written by another tcplab or grading, a shard given twice or
    /// left out, and a student graded in two of them 65.
    public static func read(_ files: [String]) throws(CommandFailure) -> [CodeGrade] {
        var owner: [String: String] = [:]
        var grades: [CodeGrade] = []
        let records = try ShardRecords.read(files, as: CodeGradeRecord.self, what: "grade --code --json", tool: \.tool)
        let size = try ShardRecords.requireOneGrading(records.map { ($0.file, $0.record.shard.map { ($0.index, $0.count, $0.classStudents) }) },
                                                      of: "student(s)", command: "grade --code --shard K/N").size
        for (file, record) in records {
            for g in record.codeGrades {
                if let other = owner[g.student], other != file {
                    throw CommandFailure("\(file): student \(g.student) is graded in \(other) too: each student belongs to one shard", exitCode: 65)
                }
                owner[g.student] = file
            }
            grades += record.codeGrades
        }
        guard owner.count == size else {
            throw CommandFailure("the shards hold \(owner.count) student(s) between them, but their class had \(size): "
                                 + "they were graded from different folders", exitCode: 65)
        }
        // Stable: a student's experiments stay in the order their shard ran them.
        return grades.enumerated().sorted { a, b in
            a.element.student == b.element.student ? a.offset < b.offset : naturalOrder(a.element.student, b.element.student)
        }.map(\.element)
    }
}

/// What both merges share: each shard's record read once, every file a record of the same kind
/// written by the same release.
enum ShardRecords {
    static func read<R: Decodable>(_ files: [String], as: R.Type, what: String,
                                   tool: (R) -> String) throws(CommandFailure) -> [(file: String, record: R)] {
        var first: (label: String, file: String)?
        var given: [String: String] = [:]
        var records: [(file: String, record: R)] = []
        for file in files {
            guard FileManager.default.fileExists(atPath: file) else { throw GradePipeline.missing(file) }
            // One shard named twice would count its students twice, each time by the same file.
            let real = (try? FileSystem.realPath(file)) ?? file
            if let earlier = given[real] { throw CommandFailure("\(file): given twice (as \(earlier) too): name each shard's file once", exitCode: 64) }
            given[real] = file
            let bytes: [UInt8]
            do { bytes = try FileSystem.contents(of: file) } catch {
                throw CommandFailure("\(file): cannot read it: \(SystemError.describe(error.errno))", exitCode: 66)
            }
            let record: R
            do { record = try JSONDecoder().decode(R.self, from: Data(bytes)) } catch {
                throw CommandFailure("\(file): not a \(what) record: \(JSONReason.of(error, in: bytes))", exitCode: 65)
            }
            if let first, first.label != tool(record) {
                throw CommandFailure("\(file): written by \(tool(record)), but \(first.file) by \(first.label): grade every shard with one release", exitCode: 65)
            }
            first = first ?? (tool(record), file)
            records.append((file, record))
        }
        return records
    }

    /// Checks that the records are the N shards of one grading, each given once; returns N and
    /// the class's size. `parts` are each file's shard (index, count, class size), nil for a
    /// whole class's record.
    static func requireOneGrading(_ parts: [(file: String, shard: (index: Int, count: Int, size: Int)?)], of unit: String,
                                  command: String) throws(CommandFailure) -> (count: Int, size: Int) {
        var first: (file: String, index: Int, count: Int, size: Int)?
        var byIndex: [Int: String] = [:]
        for (file, shard) in parts {
            guard let shard else {
                throw CommandFailure("\(file): the grades of a whole class, not of a shard: merge the --json files of \(command)", exitCode: 65)
            }
            if let first, (first.count, first.size) != (shard.count, shard.size) {
                throw CommandFailure("\(file): shard \(shard.index)/\(shard.count) of a class of \(shard.size) \(unit), but \(first.file) is "
                                     + "shard \(first.index)/\(first.count) of \(first.size): merge the shards of one grading", exitCode: 65)
            }
            first = first ?? (file, shard.index, shard.count, shard.size)
            if let other = byIndex[shard.index] {
                throw CommandFailure("\(file): shard \(shard.index)/\(shard.count) again (\(other) is that shard too)", exitCode: 65)
            }
            byIndex[shard.index] = file
        }
        guard let first else { throw CommandFailure("--merge needs the shards' --json files", exitCode: 64) }
        let missing = (1...first.count).filter { byIndex[$0] == nil }
        guard missing.isEmpty else {
            let shown = missing.prefix(5).map { "\($0)/\(first.count)" }.joined(separator: ", ") + (missing.count > 5 ? ", …" : "")
            throw CommandFailure("shard(s) \(shown) missing: merge every shard's --json file (\(missing.count) of \(first.count) not given)",
                                 exitCode: 65)
        }
        return (first.count, first.size)
    }
}
