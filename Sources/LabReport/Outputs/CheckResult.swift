import LabModel
import LabPackets
import LabVerdict

/// A foreign capture judged against one experiment: the connections the experiment is about,
/// the rows of the packets they hold, the verdict and, when asked, the explanation; or the one
/// reason the file cannot be judged against it.
public struct CheckResult: Sendable {
    public var file: String
    public var experiment: Experiment
    /// The chosen connections, renumbered from 1. A check that reads its file twice keeps their
    /// counts and history, not their segments.
    public var connections: [Connection]
    /// TCP connections in the file that the experiment is not about.
    public var ignoredConnections: Int
    public var verdict: Verdict
    /// The rows of the chosen connections' packets, in file order, when the list was asked for.
    public var rows: PacketRowStore?
    /// The explanation, when asked for.
    public var explanations: ExplanationStore?
    /// The chosen connections' ladder, when asked for of a check that reads its file twice (an
    /// in-memory one draws it from `connections`' segments).
    public var ladder: LadderDiagram?
    /// Set when no connection could be judged: what the file holds instead. The verdict is then empty.
    public var diagnosis: String?
    /// Set when the file could not be read to its end: the packets before were judged.
    public var fileProblem: String?
    /// The frames read from the file.
    public var framesRead: Int

    /// A result judged elsewhere (`CheckPipeline`, which reads the file twice): `selection`
    /// made from the file's `connectionCount` connections.
    public init(file: String, experiment: Experiment, selection: ConnectionSelection, connectionCount: Int, verdict: Verdict,
                framesRead: Int, fileProblem: String?, rows: PacketRowStore?, explanations: ExplanationStore?) {
        self.file = file
        self.experiment = experiment
        connections = selection.chosen
        diagnosis = selection.diagnosis
        ignoredConnections = connectionCount - selection.chosen.count
        self.verdict = diagnosis == nil ? verdict : Verdict(outcomes: [], captureProblems: [], endpointFailures: [])
        self.framesRead = framesRead
        self.fileProblem = fileProblem
        self.rows = rows
        self.explanations = explanations
    }

    /// The chain for a whole trace in memory: choose the experiment's connections, judge them,
    /// explain them. What the two passes over a file must agree with.
    public init(file: String, experiment: Experiment, trace: Trace, client: ClientSelector?, explain: Bool,
                fileProblem: String? = nil) {
        self.file = file
        self.experiment = experiment
        self.fileProblem = fileProblem
        framesRead = trace.packets.count
        let selection = ConnectionSelection(trace.connections, experiment: experiment, client: client)
        connections = selection.chosen
        diagnosis = selection.diagnosis
        let relevant = Set(connections.flatMap { $0.segments.map(\.packetIndex) })
        let packets = trace.packets.enumerated().filter { relevant.contains($0.offset) }.map(\.element)
        rows = PacketRowStore(rows: PacketList(packets: packets, connections: connections).rows)
        ignoredConnections = trace.connections.count - connections.count
        if diagnosis != nil {
            verdict = Verdict(outcomes: [], captureProblems: [], endpointFailures: [])
            return
        }
        verdict = Verdict.judge(experiment, packets: packets, connections: connections, lastPacket: trace.packets.last?.number,
                                cutShort: fileProblem != nil)
        if explain {
            explanations = ExplanationStore(Explainer(connections: connections, source: ExplanationSource(experiment: experiment)).explain())
        }
    }

    /// held, failed, not applicable, unobservable, as counted in the verdict.
    public var held: Int { verdict.count(.held) }
    public var failed: Int { verdict.count(.failed) }

    /// The share of the judged expectations that held: how well the file matches the experiment.
    public var score: Double {
        guard diagnosis == nil, held + failed > 0 else { return 0 }
        return Double(held) / Double(held + failed)
    }

    /// 0 when nothing failed; 1 when an expectation failed or nothing could be judged; 2 when the
    /// file was cut short or corrupt and nothing failed in what was read. With `strict`, an
    /// unobservable expectation counts as failed.
    public func exitCode(strict: Bool = false) -> Int32 {
        if diagnosis != nil || failed > 0 || (strict && verdict.count(.unobservable) > 0) { return 1 }
        return fileProblem == nil ? 0 : 2
    }

    /// "failed", "passed", "no match".
    public var status: String { diagnosis != nil ? "no match" : verdict.status.rawValue }

    /// What `tcplab check` prints, a line at a time: the packets, the explanation, the verdicts
    /// and the summary. Throws when the rows kept on disk cannot be read back.
    public func write(explain: Bool, _ line: (String) throws -> Void) throws {
        try line("== \(experiment.name) against \(file): \(experiment.title)")
        if let diagnosis {
            try line(diagnosis)
            if let fileProblem { try line("(\(fileProblem))") }
            try line(summaryLine)
            return
        }
        try (rows ?? PacketRowStore()).lines(line)
        if ignoredConnections > 0 { try line("(\(ignoredConnections) other TCP connection(s) in the file ignored)") }
        if let fileProblem { try line("(\(fileProblem); the \(framesRead) packet(s) before it were judged)") }
        try line("")
        if explain {
            if let explanations, explanations.count > 0 { try explanations.lines(line) } else { try line("") }
            try line("")
        }
        try line(VerdictText.render(verdict))
        try line(summaryLine)
    }

    /// `experiment-2: passed (12/12 expectations held)`, or why nothing was judged.
    public var summaryLine: String {
        if diagnosis != nil { return "\(experiment.name): no match" }
        return VerdictText.summary(experiment.name, verdict)
    }

    public var ladderTitle: String { "\(experiment.name) against \(file)" }
}
