import FoundationEssentials
import LabModel
import LabReport
import LabSystem
import Synchronization

/// One student's file, graded.
public struct GradedFile: Sendable {
    public var student: String
    /// The path as found.
    public var path: String
    public var check: FileCheck
    /// Other submissions that are the same capture (same ISNs and times), as "student/file".
    public var identicalTo: [String] = []
    /// The experiment the file's name names, so a file that cannot be read still counts there.
    public var named: String?

    /// The file's name within the student's folder, for tables.
    public var name: String { path.split(separator: "/").last.map(String.init) ?? path }
}

/// `grade`: every capture in a class's folders, matched to its experiment and checked.
public enum GradePipeline {
    /// The experiment a file's name points to: `trace2.pcap`, `Trace2.PCAPNG` or `trace2 (1).pcap`
    /// are experiment-2's trace, `trace3-drain.pcap` experiment-3-drain's; the longest match wins.
    public static func experiment(named file: String, in experiments: [Experiment]) -> Experiment? {
        var stem = lastComponent(file).lowercased()
        for ext in [".pcapng", ".pcap", ".cap"] where stem.hasSuffix(ext) { stem = String(stem.dropLast(ext.count)) }
        let matches = experiments.filter { e in
            let trace = e.trace.lowercased().hasSuffix(".pcap") ? String(e.trace.lowercased().dropLast(5)) : e.trace.lowercased()
            guard stem.hasPrefix(trace) else { return false }
            let rest = stem.dropFirst(trace.count)
            return rest.first.map { !$0.isLetter && !$0.isNumber } ?? true
        }
        return matches.max { $0.trace.count < $1.trace.count }
    }

    /// Grades every submission on `jobs` threads, in the order given. `list` keeps each file's
    /// packet rows, which only the JSON record prints.
    public static func grade(_ submissions: [(student: String, path: String)], experiments: [Experiment],
                             jobs: Int, list: Bool = true) -> [GradedFile] {
        let results = Mutex([GradedFile?](repeating: nil, count: submissions.count))
        ParallelWork.forEach(submissions.count, jobs: jobs) { i in
            let (student, path) = submissions[i]
            let named = experiment(named: path, in: experiments)
            let check = FileCheck.run(path, candidates: experiments, given: false, named: named, client: nil, explain: false,
                                      list: list)
            results.withLock { $0[i] = GradedFile(student: student, path: path, check: check, named: named?.name) }
        }
        var graded = results.withLock { $0.compactMap { $0 } }
        markCopies(&graded)
        return graded
    }

    /// Flags submissions that are the same capture: the same connections' ISNs and times.
    static func markCopies(_ graded: inout [GradedFile]) {
        let copies = GradeReport.copies(graded.map { ($0.check.fingerprint?.hex, $0.student, $0.name) })
        for i in graded.indices { graded[i].identicalTo = copies[i] }
    }

    static func lastComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}

extension GradedFile {
    /// The row the reports print.
    public var row: GradeRow {
        GradeRow(student: student, file: path, matchedBy: check.matchedBy, result: check.result, ranking: check.ranking,
                 error: check.error.map { Self.withoutPath($0.description, path) }, identicalTo: identicalTo,
                 exitCode: check.exitCode(strict: false), namedExperiment: named, fingerprint: check.fingerprint?.hex)
    }

    /// Rows already name the file: "x.pcap: the file is empty" reads "the file is empty" there.
    static func withoutPath(_ message: String, _ path: String) -> String {
        message.hasPrefix(path + ": ") ? String(message.dropFirst(path.count + 2)) : message
    }
}

extension OutputWriter {
    /// Every file `grade` was asked for, each written whole, from the record alone.
    public static func writeGrades(_ record: GradeReport.Record, _ outputs: GradeOutputs) throws(OutputError) {
        let entries = record.grades
        if let csv = outputs.csv { try write(GradeReport.csv(entries), to: csv) }
        if let json = outputs.json { try write(try encodeJSON(record), to: json, what: "the grades") }
        if let junit = outputs.junit {
            try write(JUnitReport.render(checks: entries.map { JUnitReport.CheckCase(suite: "\($0.student)/\($0.name)", entry: $0.check) }),
                      to: junit)
        }
        if let summary = outputs.summary { try write(GradeReport.summary(entries, html: summary.lowercased().hasSuffix(".html")), to: summary) }
    }
}
