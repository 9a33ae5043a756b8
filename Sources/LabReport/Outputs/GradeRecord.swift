import LabModel
import LabVerdict

/// One graded file as `grade --json` keeps it. Every report (the table, CSV, JUnit, the summary)
/// is drawn from these alone, so a merge of shards' records writes what one run would have.
public struct GradeEntry: Codable, Sendable {
    public var student: String
    public var file: String
    public var status: String
    public var exitCode: Int32
    public var identicalTo: [String]
    public var check: CheckReport.Entry
    /// Each of the first connections' ISNs and first segments' times, as hex: equal for copies of
    /// one capture, so a merge finds copies that different shards graded.
    public var fingerprint: String?

    public init(student: String, file: String, status: String, exitCode: Int32, identicalTo: [String], check: CheckReport.Entry,
                fingerprint: String?) {
        (self.student, self.file, self.status, self.exitCode) = (student, file, status, exitCode)
        (self.identicalTo, self.check, self.fingerprint) = (identicalTo, check, fingerprint)
    }

    /// The file's name without its folders.
    public var name: String { file.split(separator: "/").last.map(String.init) ?? file }

    /// Why the file could not be read at all.
    public var error: String? { check.error }

    /// The experiment the file counts under: the one it was judged against, else, for a file that
    /// could not be read, the one its name names, so a broken trace2.pcap stays in experiment-2's counts.
    public var experiment: String? { check.experiment.isEmpty ? nil : check.experiment }

    /// How its experiment was found, for the tables: nil when it has none.
    var matchedByText: String? { experiment == nil ? nil : check.matchedBy.rawValue }

    /// True unless the best of the experiments it was ranked against held under
    /// `Ranking.goodMatch` of its judged expectations.
    var matchesWell: Bool {
        guard let ranking = check.ranking else { return true }
        guard let best = ranking.first, best.matched, best.held + best.failed > 0 else { return false }
        return Double(best.held) / Double(best.held + best.failed) >= Ranking.goodMatch
    }

    /// The first thing wrong, in a few words.
    public var problem: String {
        if let error { return error }
        if !matchesWell { return "closest is \(check.experiment)" }
        if let diagnosis = check.diagnosis { return diagnosis }
        if let first = check.verdicts.first(where: { $0.status == .failed }) { return first.expectation }
        return check.fileProblem ?? ""
    }
}

extension GradeReport {
    /// The machine-readable grades (run-record.schema.json, "grades").
    public struct Record: Codable, Sendable {
        public var format = 1
        public var tool: String
        public var grades: [GradeEntry]
        /// The files in the class's folders that were passed over, for the table's footer.
        public var skipped: SkippedFiles?
        /// Present in a shard's record only: which part of the class it holds.
        public var shard: Part?

        /// A shard's place in its class: every shard lists the whole class, so each knows where
        /// its files stand in it, and a merge puts them back in that order and sees what is missing.
        public struct Part: Codable, Sendable, Equatable {
            public var index: Int
            public var count: Int
            /// The captures in the whole class.
            public var classFiles: Int
            /// Where each of `grades` stands among them, from 0.
            public var positions: [Int]

            public init(index: Int, count: Int, classFiles: Int, positions: [Int]) {
                (self.index, self.count, self.classFiles, self.positions) = (index, count, classFiles, positions)
            }
        }

        public init(tool: String, grades: [GradeEntry], skipped: SkippedFiles?, shard: Part? = nil) {
            (self.tool, self.grades, self.skipped, self.shard) = (tool, grades, skipped, shard)
        }
    }

    /// For a class: 0 when every file could be read to its end, whatever the verdicts; 2 when some
    /// could not. For one student the status is the grade, as `check` gives it for those files,
    /// because a command grader (GitHub Classroom, a CI job) reads only that: an unreadable file's
    /// own code first, then 1 when an expectation failed, then 2 for a file cut short, else 0.
    public static func exitCode(_ entries: [GradeEntry], oneSubmission: Bool) -> Int32 {
        guard oneSubmission else { return entries.contains { $0.error != nil || $0.check.fileProblem != nil } ? 2 : 0 }
        return CheckReport.batchExitCode(entries.map { ($0.error != nil, $0.exitCode) })
    }

    /// For each file, the others that share its fingerprint ("student/file"), in the files' order:
    /// copies of one capture, whether found in one run or across shards' records.
    public static func copies(_ files: [(fingerprint: String?, student: String, name: String)]) -> [[String]] {
        var groups: [String: [Int]] = [:]
        for (i, f) in files.enumerated() { if let key = f.fingerprint { groups[key, default: []].append(i) } }
        return files.indices.map { i in
            guard let key = files[i].fingerprint, let members = groups[key], members.count > 1 else { return [] }
            return members.filter { $0 != i }.map { "\(files[$0].student)/\(files[$0].name)" }
        }
    }
}
