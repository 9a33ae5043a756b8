import LabModel
import LabPackets
import LabReport
import LabVerdict

/// One capture file checked: against the experiment given, the one its name says, or the one it
/// matches best; or why it could not be read. What `check` and `grade` report, one per file.
public struct FileCheck: Sendable {
    public var file: String
    public var result: CheckResult?
    /// Every experiment tried, best first, when the experiment was not given.
    public var ranking: Ranking?
    public var matchedBy: CheckReport.MatchedBy
    public var error: CommandFailure?
    /// What identifies the capture itself (ISNs and times), to find copies.
    public var fingerprint: TraceFingerprint?

    /// `named` is the experiment the file's name points to, if any; `given` says the candidates
    /// are the one experiment the user named. `list` asks for the judged result's packet rows
    /// (and its explanation with `explain`, its connections' segments with `ladder`).
    ///
    /// The file is read twice, never held: once for its connections, then to judge (and list)
    /// them. Without an experiment, all are judged in that second pass and the best one's rows
    /// come from a third.
    public static func run(_ file: String, candidates: [Experiment], given: Bool, named: Experiment? = nil,
                           client: ClientSelector?, explain: Bool, list: Bool = true, ladder: Bool = false) -> FileCheck {
        do {
            let summary = try CaptureSummary.read(file)
            if let experiment = named ?? (given ? candidates.first : nil) {
                let result = try CheckPipeline.judge(file, summary, experiments: [experiment], client: client,
                                                     list: list || explain || ladder, explain: explain, ladder: ladder)[0]
                return FileCheck(file: file, result: result, matchedBy: named != nil ? .fileName : .given, fingerprint: summary.fingerprint)
            }
            let ranking = Ranking(file: file, results: try CheckPipeline.judge(file, summary, experiments: candidates, client: client, list: false))
            var best = ranking.best
            if let chosen = best, list || explain || ladder {
                best = try CheckPipeline.judge(file, summary, experiments: [chosen.experiment], client: client, list: true,
                                               explain: explain, ladder: ladder)[0]
            }
            return FileCheck(file: file, result: best, ranking: ranking, matchedBy: .bestMatch, fingerprint: summary.fingerprint)
        } catch {
            return FileCheck(file: file, matchedBy: .given, error: error)
        }
    }

    /// This check's exit code; see `CheckResult.exitCode`. A file that cannot be read at all
    /// keeps its own code (66 unreadable, 2 not a capture).
    public func exitCode(strict: Bool) -> Int32 {
        if let error { return error.exitCode }
        guard let result else { return 1 }
        if let ranking, !ranking.matchesWell { return 1 }
        return result.exitCode(strict: strict)
    }

    /// One line for a batch: `trace2.pcap: experiment-2: passed (12/12 expectations held)`.
    public var line: String {
        if let error { return "\(file): could not be read: \(error.description)" }
        guard let result else { return "\(file): no experiment to check against" }
        var line = ranking.map { $0.line + " — " } ?? "\(file): "
        line += result.summaryLine
        if let diagnosis = result.diagnosis { line += ": " + diagnosis }
        if let problem = result.fileProblem { line += " (\(problem))" }
        return line
    }

    /// With `listed` false, its packets and explanation are left for the writer to stream in.
    public func entry(strict: Bool, explain: Bool, listed: Bool = true) -> CheckReport.Entry {
        guard let result else {
            return CheckReport.Entry(file: file, error: error?.description ?? "not checked", exitCode: exitCode(strict: strict))
        }
        return CheckReport.Entry(result, matchedBy: matchedBy, ranking: ranking, exitCode: exitCode(strict: strict), explain: explain,
                                 listed: listed)
    }

    /// A batch's exit code, by `CheckReport.batchExitCode`'s rule.
    public static func exitCode(_ checks: [FileCheck], strict: Bool) -> Int32 {
        CheckReport.batchExitCode(checks.map { ($0.error != nil, $0.exitCode(strict: strict)) })
    }
}

/// What makes a capture itself, not its verdict: each connection's two ISNs and the first
/// segments' microsecond timestamps. Two students who hand in the same capture (renamed, or
/// converted from pcapng to pcap) have the same fingerprint; two runs of the same program never do.
public struct TraceFingerprint: Hashable, Sendable {
    var words: [UInt64]

    init(words: [UInt64]) { self.words = words }

    /// The words as hex, as `grade --json` keeps them: equal exactly when the fingerprints are.
    public var hex: String {
        words.map { w in let h = String(w, radix: 16); return String(repeating: "0", count: 16 - h.count) + h }.joined()
    }

    public init?(_ trace: Trace) {
        var builder = Builder()
        for c in trace.connections.prefix(Builder.connections) { for s in c.segments { builder.add(s) } }
        guard let made = builder.fingerprint else { return nil }
        self = made
    }

    /// The fingerprint taken as segments go by, in capture order: the words of the first
    /// `segments` segments of each of the first `connections` connections.
    struct Builder {
        static let connections = 8
        static let segments = 4
        /// By connection, while fewer than `connections` have been seen.
        private var words: [[UInt64]] = []

        mutating func add(_ s: AnalyzedSegment) {
            guard s.connection <= Self.connections else { return }
            while words.count < s.connection { words.append([]) }
            guard words[s.connection - 1].count < 2 * Self.segments else { return }
            words[s.connection - 1].append(UInt64(s.segment.sequence) << 32 | UInt64(s.segment.acknowledgment))
            words[s.connection - 1].append(UInt64(bitPattern: s.timestamp / 1000))
        }

        var fingerprint: TraceFingerprint? {
            let all = words.flatMap { $0 }
            return all.isEmpty ? nil : TraceFingerprint(words: all)
        }
    }
}
