import LabModel
import LabPackets
import LabVerdict

/// The machine-readable record of `check` (`--json`), in Experiments/run-record.schema.json
/// beside the run record, with the same packet, connection and verdict entries.
public struct CheckReport: Codable, Sendable {
    public var format = 1
    public var tool: String
    public var checks: [Entry]

    /// How the file's experiment was chosen.
    public enum MatchedBy: String, Codable, Sendable {
        /// `--experiment`.
        case given
        /// The file's name, as `grade` reads it (`trace2.pcap` is experiment-2's trace).
        case fileName = "file name"
        /// The experiment whose expectations the file meets best.
        case bestMatch = "best match"
    }

    public struct Counts: Codable, Sendable, Equatable {
        public var held: Int
        public var failed: Int
        public var notApplicable: Int
        public var unobservable: Int

        public init(_ verdict: Verdict) {
            (held, failed) = (verdict.count(.held), verdict.count(.failed))
            (notApplicable, unobservable) = (verdict.count(.notApplicable), verdict.count(.unobservable))
        }
    }

    public struct Rank: Codable, Sendable {
        public var experiment: String
        public var held: Int
        public var failed: Int
        public var matched: Bool
    }

    public struct Entry: Codable, Sendable {
        public var file: String
        public var experiment: String
        public var title: String
        public var matchedBy: MatchedBy
        /// passed, failed, or "no match" when no conversation could be judged.
        public var status: String
        public var exitCode: Int32
        public var counts: Counts?
        /// Why the file could not be read at all, when it could not.
        public var error: String?
        public var fileProblem: String?
        public var diagnosis: String?
        /// What stopped the experiment before its expectations could be judged, when something did.
        public var rootCause: String?
        public var ranking: [Rank]?
        public var packets: [PacketRow]
        public var connections: [RunReport.ConnectionEntry]
        public var verdicts: [RunReport.VerdictEntry]
        public var explanation: [Explanation]?

        /// A file that could not be read: no packets, only why, and the experiment its name
        /// names, if any (`grade` counts a broken trace2.pcap under experiment-2).
        public init(file: String, error: String, exitCode: Int32, named: String? = nil) {
            self.file = file
            (experiment, title, matchedBy, status) = (named ?? "", "", named == nil ? .given : .fileName, "unreadable")
            self.exitCode = exitCode
            self.error = error
            (packets, connections, verdicts) = ([], [], [])
        }

        /// With `listed` false, the packets and the explanation are left empty, for a writer that
        /// streams them in from the result's stores (`OutputWriter.writeChecks`).
        public init(_ r: CheckResult, matchedBy: MatchedBy, ranking: Ranking?, exitCode: Int32, explain: Bool = false,
                    listed: Bool = true) {
            file = r.file
            experiment = r.experiment.name
            title = r.experiment.title
            self.matchedBy = matchedBy
            status = r.status
            self.exitCode = exitCode
            counts = Counts(r.verdict)
            fileProblem = r.fileProblem
            diagnosis = r.diagnosis
            rootCause = r.verdict.rootCause?.reason
            self.ranking = ranking?.results.map {
                Rank(experiment: $0.experiment.name, held: $0.held, failed: $0.failed, matched: $0.diagnosis == nil)
            }
            // A store that cannot be read back gives an empty list, as a file without packets would.
            packets = listed ? (try? r.rows?.all()) ?? [] : []
            connections = r.connections.map(RunReport.ConnectionEntry.init)
            verdicts = r.verdict.outcomes.map(RunReport.VerdictEntry.init)
            explanation = explain ? (listed ? (try? r.explanations?.all()) ?? [] : []) : nil
        }
    }

    /// A batch's exit code: a file that could not be read wins (its own code), then a failed
    /// expectation (1), then a file cut short (2), else 0.
    public static func batchExitCode(_ files: [(unreadable: Bool, code: Int32)]) -> Int32 {
        if let unread = files.first(where: \.unreadable) { return unread.code }
        let codes = files.map(\.code)
        return codes.contains(1) ? 1 : codes.max() ?? 0
    }

    public init(tool: String, checks: [Entry]) {
        self.tool = tool
        self.checks = checks
    }
}
