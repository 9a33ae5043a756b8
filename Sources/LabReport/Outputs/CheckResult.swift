import LabModel
import LabPackets
import LabVerdict

/// A foreign capture judged against one experiment: the connections the experiment is about,
/// the packets they hold, the verdict and, when asked, the explanation; or the one reason the
/// file cannot be judged against it.
public struct CheckResult: Sendable {
    public var file: String
    public var experiment: Experiment
    /// The packets of the chosen connections, in file order, with their file numbers.
    public var packets: [Packet]
    public var connections: [Connection]
    /// TCP connections in the file that the experiment is not about.
    public var ignoredConnections: Int
    public var verdict: Verdict
    public var explanations: [Explanation] = []
    /// Set when no connection could be judged: what the file holds instead. The verdict is then empty.
    public var diagnosis: String?
    /// Set when the file could not be read to its end: the packets before were judged.
    public var fileProblem: String?
    /// The frames read from the file.
    public var framesRead: Int

    /// The chain for a file: choose the experiment's connections, judge them, explain them.
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
        packets = trace.packets.enumerated().filter { relevant.contains($0.offset) }.map(\.element)
        ignoredConnections = trace.connections.count - connections.count
        if diagnosis != nil {
            verdict = Verdict(outcomes: [], captureProblems: [], endpointFailures: [])
            return
        }
        verdict = Verdict.judge(experiment, packets: packets, connections: connections, lastPacket: trace.packets.last?.number,
                                cutShort: fileProblem != nil)
        if explain {
            explanations = Explainer(connections: connections, source: ExplanationSource(experiment: experiment)).explain()
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

    /// What `tcplab check` prints: the packets, the explanation, the verdicts and the summary.
    public func lines(explain: Bool) -> [String] {
        var lines = ["== \(experiment.name) against \(file): \(experiment.title)"]
        if let diagnosis {
            lines.append(diagnosis)
            if let fileProblem { lines.append("(\(fileProblem))") }
            lines.append(summaryLine)
            return lines
        }
        lines.append(PacketList(packets: packets, connections: connections).render())
        if ignoredConnections > 0 { lines.append("(\(ignoredConnections) other TCP connection(s) in the file ignored)") }
        if let fileProblem { lines.append("(\(fileProblem); the \(framesRead) packet(s) before it were judged)") }
        lines.append("")
        if explain {
            lines.append(Explanation.render(explanations))
            lines.append("")
        }
        lines.append(VerdictText.render(verdict))
        lines.append(summaryLine)
        return lines
    }

    /// `experiment-2: passed (12/12 expectations held)`, or why nothing was judged.
    public var summaryLine: String {
        if diagnosis != nil { return "\(experiment.name): no match" }
        return VerdictText.summary(experiment.name, verdict)
    }

    public var ladderTitle: String { "\(experiment.name) against \(file)" }
}
