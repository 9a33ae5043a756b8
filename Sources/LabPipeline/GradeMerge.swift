import LabModel
import LabReport

/// `grade --merge A.json B.json …`: the shards' `--json` records of a class's captures, as one
/// run over the whole class would have written them. Every shard lists the whole class, so each
/// record says where its files stand in it; the merge puts them back in that order, refuses a set
/// of shards that is not one whole grading, and finds copies across shards by fingerprint.
public enum GradeMerge {
    /// A file that is missing is exit 66, one given twice 64; one that is not a shard's grade
    /// record, one of another release or grading, a shard given twice or left out, 65.
    public static func read(_ files: [String]) throws(CommandFailure) -> GradeReport.Record {
        let records = try ShardRecords.read(files, as: GradeReport.Record.self, what: "grade --json", tool: \.tool)
        let parts = try ShardRecords.requireOneGrading(records.map { ($0.file, $0.record.shard.map { ($0.index, $0.count, $0.classFiles) }) },
                                                       of: "file(s)", command: "grade --shard K/N")
        var placed: [Int: GradeEntry] = [:]
        for (file, record) in records {
            guard let part = record.shard, part.positions.count == record.grades.count, Set(part.positions).count == part.positions.count,
                  part.positions.allSatisfy({ (0..<part.classFiles).contains($0) && placed[$0] == nil }) else {
                throw CommandFailure("\(file): its shard's positions do not match its \(record.grades.count) grade(s): the file was changed", exitCode: 65)
            }
            for (position, entry) in zip(part.positions, record.grades) { placed[position] = entry }
        }
        let classFiles = parts.size
        guard placed.count == classFiles else {
            throw CommandFailure("the shards hold \(placed.count) file(s) between them, but their class had \(classFiles): "
                                 + "they were graded from different folders", exitCode: 65)
        }
        var grades = (0..<classFiles).compactMap { placed[$0] }
        let copies = GradeReport.copies(grades.map { ($0.fingerprint, $0.student, $0.name) })
        for i in grades.indices { grades[i].identicalTo = copies[i] }
        return GradeReport.Record(tool: records[0].record.tool, grades: grades, skipped: SkippedFiles.sum(records.map { $0.record.skipped ?? SkippedFiles() }))
    }
}
