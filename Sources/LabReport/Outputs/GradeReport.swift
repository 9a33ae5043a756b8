import LabModel
import LabVerdict

/// One row of a class's grades: a student's file, how its experiment was found, and its check.
public struct GradeRow: Sendable {
    public var student: String
    public var file: String
    public var matchedBy: CheckReport.MatchedBy
    public var result: CheckResult?
    public var ranking: Ranking?
    /// Why the file could not be read at all.
    public var error: String?
    /// The same capture handed in elsewhere, as "student/file".
    public var identicalTo: [String]
    public var exitCode: Int32
    /// The experiment the file's name names (trace2.pcap: experiment-2), if any.
    public var namedExperiment: String?
    /// What makes the capture itself, kept so copies are found across shards (`GradeEntry.fingerprint`).
    public var fingerprint: String?

    public init(student: String, file: String, matchedBy: CheckReport.MatchedBy, result: CheckResult?, ranking: Ranking?,
                error: String?, identicalTo: [String], exitCode: Int32, namedExperiment: String? = nil, fingerprint: String? = nil) {
        self.student = student
        self.file = file
        self.matchedBy = matchedBy
        self.result = result
        self.ranking = ranking
        self.error = error
        self.identicalTo = identicalTo
        self.exitCode = exitCode
        self.namedExperiment = namedExperiment
        self.fingerprint = fingerprint
    }

    /// The row as the record keeps it, from which every report is drawn.
    public var entry: GradeEntry {
        let check = result.map { CheckReport.Entry($0, matchedBy: matchedBy, ranking: ranking, exitCode: exitCode) }
            ?? CheckReport.Entry(file: file, error: error ?? "not graded", exitCode: exitCode, named: namedExperiment)
        return GradeEntry(student: student, file: file, status: status, exitCode: exitCode, identicalTo: identicalTo, check: check,
                          fingerprint: fingerprint)
    }

    /// "passed", "failed", "no match", "no good match", "unreadable".
    public var status: String {
        if error != nil { return "unreadable" }
        guard let result else { return "not graded" }
        if let ranking, !ranking.matchesWell { return "no good match" }
        return result.fileProblem == nil ? result.status : result.status + ", file cut short"
    }

}

/// What `grade` writes: the terminal table, CSV, JSON and the class summary.
public enum GradeReport {
    /// The table on the terminal: one row per file, and under it the copies and unreadable files.
    public static func table(_ rows: [GradeEntry], skipped: SkippedFiles = SkippedFiles()) -> String {
        let header = ["student", "file", "experiment", "matched by", "held", "failed", "n/a", "unseen", "status", "first failure"]
        var cells = [header]
        for r in rows {
            let counts = r.check.counts
            cells.append([
                r.student, r.name, r.experiment ?? "-", r.matchedByText ?? "-",
                counts.map { String($0.held) } ?? "-", counts.map { String($0.failed) } ?? "-",
                counts.map { String($0.notApplicable) } ?? "-", counts.map { String($0.unobservable) } ?? "-",
                r.status, clip(r.problem, 60),
            ])
        }
        let widths = header.indices.map { column in cells.map { $0[column].count }.max() ?? 0 }
        var lines = cells.map { row in
            zip(row, widths).enumerated().map { i, pair in
                i == row.count - 1 ? pair.0 : pair.0 + String(repeating: " ", count: pair.1 - pair.0.count)
            }.joined(separator: "  ")
        }
        for group in copyGroups(rows) {
            let (head, last) = (group.dropLast().joined(separator: ", "), group.last ?? "")
            lines.append("identical: \(head) and \(last) are the same capture")
        }
        let graded = rows.count { $0.error == nil }
        lines.append("\(rows.count) file(s): \(graded) graded, \(rows.count - graded) could not be read; "
            + "\(rows.count { $0.status == "passed" }) passed")
        if let line = skipped.line { lines.append(line) }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func csv(_ rows: [GradeEntry]) -> String {
        var out = "student,file,experiment,matched_by,status,held,failed,not_applicable,unobservable,not_reached,first_failure,identical_to,error\n"
        for r in rows {
            let counts = r.check.counts
            let fields: [String] = [
                r.student, r.file, r.experiment ?? "", r.matchedByText ?? "", r.status,
                counts.map { String($0.held) } ?? "", counts.map { String($0.failed) } ?? "",
                counts.map { String($0.notApplicable) } ?? "", counts.map { String($0.unobservable) } ?? "",
                counts == nil ? "" : String(r.check.verdicts.count { $0.status == .notReached }),
                r.error == nil ? r.problem : "", r.identicalTo.joined(separator: " "), r.error ?? "",
            ]
            out += fields.map(csvField).joined(separator: ",") + "\n"
        }
        return out
    }

    /// Each set of identical captures once, in the rows' order: ["s01/trace1.pcap", "s02/my capture.pcap"].
    static func copyGroups(_ rows: [GradeEntry]) -> [[String]] {
        var listed = Set<String>()
        var groups: [[String]] = []
        for r in rows where !r.identicalTo.isEmpty && !listed.contains("\(r.student)/\(r.name)") {
            // Its copies are the later rows, in order: the first row of a group is met first.
            let group = ["\(r.student)/\(r.name)"] + r.identicalTo
            listed.formUnion(group)
            groups.append(group)
        }
        return groups
    }

    /// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }

    /// Per experiment: how many files, how many passed, the commonest failure; then a student ×
    /// experiment table of each file's status; then the copies and the files that could not be
    /// read. Markdown, or HTML for a `.html` file.
    public static func summary(_ rows: [GradeEntry], html: Bool) -> String {
        var byExperiment: [String: [GradeEntry]] = [:]
        for r in rows { if let e = r.experiment { byExperiment[e, default: []].append(r) } }
        let experiments = byExperiment.keys.sorted(by: naturalOrder)
        var table: [[String]] = []
        for name in experiments {
            let group = byExperiment[name] ?? []
            var failures: [String: Int] = [:]
            for r in group where r.error == nil {
                for o in r.check.verdicts where o.status == .failed { failures[o.expectation, default: 0] += 1 }
                if let d = r.check.diagnosis { failures[d, default: 0] += 1 }
            }
            let commonest = failures.max { ($0.value, $1.key) < ($1.value, $0.key) }
            table.append([name, String(group.count), String(group.count { $0.status == "passed" }),
                          commonest.map { "\($0.key) (\($0.value) file(s))" } ?? "none"])
        }
        var page = ClassSummaryPage(intro: "\(rows.count) file(s) graded by \(Tool.label).")
        page.add(.table(header: ["experiment", "files", "passed", "commonest failure"], rows: table, numeric: [1, 2]))
        page.add(.table(header: ["student"] + experiments, rows: studentTable(rows, experiments), numeric: []), under: "Students")
        page.add(.list(copyGroups(rows).map { $0.joined(separator: " = ") }), under: "Identical submissions")
        page.add(.list(rows.filter { $0.error != nil || $0.check.fileProblem != nil }
            .map { "\($0.student)/\($0.name): \($0.error ?? $0.check.fileProblem ?? "")" }), under: "Files that could not be read to the end")
        return html ? page.html() : page.markdown()
    }

    /// A row per student, a column per experiment: the status of each file counted under it
    /// ("passed", "failed; passed" for two files), "–" when none was handed in.
    static func studentTable(_ rows: [GradeEntry], _ experiments: [String]) -> [[String]] {
        var students: [String] = []
        var cells: [String: [String: [String]]] = [:]
        for r in rows {
            if cells[r.student] == nil { students.append(r.student) }
            cells[r.student, default: [:]][r.experiment ?? "", default: []].append(r.status)
        }
        return students.sorted(by: naturalOrder).map { student in
            [student] + experiments.map { cells[student]?[$0]?.joined(separator: "; ") ?? "–" }
        }
    }

    private static func clip(_ text: String, _ n: Int) -> String {
        let flat = text.replacing("\n", with: " ")
        return flat.count <= n ? flat : String(flat.prefix(n - 1)) + "…"
    }
}
