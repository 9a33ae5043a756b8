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
    /// are the one experiment the user named.
    public static func run(_ file: String, candidates: [Experiment], given: Bool, named: Experiment? = nil,
                           client: ClientSelector?, explain: Bool) -> FileCheck {
        let contents: CaptureContents
        do { contents = try CheckPipeline.read(file) } catch {
            return FileCheck(file: file, matchedBy: .given, error: error)
        }
        let fingerprint = TraceFingerprint(contents.trace)
        if let experiment = named ?? (given ? candidates.first : nil) {
            let result = CheckPipeline.judge(file, contents, experiment: experiment, client: client, explain: explain)
            return FileCheck(file: file, result: result, matchedBy: named != nil ? .fileName : .given, fingerprint: fingerprint)
        }
        let ranking = CheckPipeline.rank(file, contents, experiments: candidates, client: client)
        var best = ranking.best
        if explain, let chosen = best {
            best = CheckPipeline.judge(file, contents, experiment: chosen.experiment, client: client, explain: true)
        }
        return FileCheck(file: file, result: best, ranking: ranking, matchedBy: .bestMatch, fingerprint: fingerprint)
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

    public func entry(strict: Bool, explain: Bool) -> CheckReport.Entry {
        guard let result else {
            return CheckReport.Entry(file: file, error: error?.description ?? "not checked", exitCode: exitCode(strict: strict))
        }
        return CheckReport.Entry(result, matchedBy: matchedBy, ranking: ranking, exitCode: exitCode(strict: strict), explain: explain)
    }

    /// A batch's exit code: a file that could not be read wins (its own code), then a failed
    /// expectation (1), then a file cut short (2), else 0.
    public static func exitCode(_ checks: [FileCheck], strict: Bool) -> Int32 {
        if let unread = checks.first(where: { $0.error != nil }) { return unread.exitCode(strict: strict) }
        let codes = checks.map { $0.exitCode(strict: strict) }
        return codes.contains(1) ? 1 : codes.max() ?? 0
    }
}

/// What makes a capture itself, not its verdict: each connection's two ISNs and the first
/// segments' microsecond timestamps. Two students who hand in the same capture (renamed, or
/// converted from pcapng to pcap) have the same fingerprint; two runs of the same program never do.
public struct TraceFingerprint: Hashable, Sendable {
    var words: [UInt64]

    public init?(_ trace: Trace) {
        var words: [UInt64] = []
        for c in trace.connections.prefix(8) {
            for s in c.segments.prefix(4) {
                words.append(UInt64(s.segment.sequence) << 32 | UInt64(s.segment.acknowledgment))
                words.append(UInt64(bitPattern: s.timestamp / 1000))
            }
        }
        guard !words.isEmpty else { return nil }
        self.words = words
    }
}
