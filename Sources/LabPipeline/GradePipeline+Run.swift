import LabModel
import LabReport

extension GradePipeline {
    /// The whole of `grade` over captures: find the files under `paths`, keep `shard`'s students
    /// if asked, grade them, write the files asked for; returns the table and the exit code.
    public static func run(_ paths: [String], experiments: [Experiment], jobs: Int, outputs: GradeOutputs,
                           shard: Shard? = nil) throws(CommandFailure) -> (table: String, exitCode: Int32) {
        let whole = try submissions(paths)
        guard !whole.files.isEmpty else {
            throw CommandFailure("no files to grade in \(paths.joined(separator: ", "))" + (whole.skipped.line.map { " (\($0))" } ?? ""),
                                 exitCode: 66)
        }
        var inputs = whole
        var part: GradeReport.Record.Part?
        var shardLine = ""
        if let shard {
            let (held, positions) = whole.part(shard)
            inputs = held
            part = GradeReport.Record.Part(index: shard.index, count: shard.count, classFiles: whole.files.count, positions: positions)
            shardLine = "shard \(shard): \(Set(held.files.map(\.student)).count) of \(Set(whole.files.map(\.student)).count) student(s)\n"
        }
        // A points file's mistake is found before any file is graded.
        var scoring: (path: String, points: GradescopePoints)?
        if let path = outputs.gradescope {
            try GradescopeGrades.requireOneSubmission(inputs)
            scoring = (path, try outputs.points.map { p throws(CommandFailure) in try GradescopePoints.load(p, experiments: experiments) }
                ?? GradescopePoints())
        }
        let graded = grade(inputs.files, experiments: experiments, jobs: jobs, list: outputs.json != nil)
        let record = GradeReport.Record(tool: Tool.label, grades: graded.map(\.row.entry), skipped: inputs.skipped, shard: part)
        do {
            try OutputWriter.writeGrades(record, outputs)
            if let scoring { try OutputWriter.writeGradescope(graded, experiments: experiments, points: scoring.points, to: scoring.path) }
        } catch { throw CommandFailure(error) }
        // A shard of one student is still a class's part: its status is the class's, not the student's grade.
        let one = shard == nil && Set(graded.map(\.student)).count == 1
        return (shardLine + GradeReport.table(record.grades, skipped: inputs.skipped), GradeReport.exitCode(record.grades, oneSubmission: one))
    }

    /// `grade --merge`: the shards' records written and tabled as one run over the class, copies
    /// found again across them from their fingerprints.
    public static func merge(_ files: [String], outputs: GradeOutputs) throws(CommandFailure) -> (table: String, exitCode: Int32) {
        let record = try GradeMerge.read(files)
        do { try OutputWriter.writeGrades(record, outputs) } catch { throw CommandFailure(error) }
        let skipped = record.skipped ?? SkippedFiles()
        return (GradeReport.table(record.grades, skipped: skipped),
                GradeReport.exitCode(record.grades, oneSubmission: Set(record.grades.map(\.student)).count == 1))
    }
}
