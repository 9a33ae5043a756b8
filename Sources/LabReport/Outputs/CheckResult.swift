import LabModel
import LabPackets
import LabVerdict

/// A foreign capture judged against one experiment: the connections the experiment is about,
/// the packets they hold, the verdict and, when asked, the explanation.
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

    /// The chain for a file: choose the experiment's connections, judge them, explain them.
    public init(file: String, experiment: Experiment, trace: Trace, client: ClientSelector?, explain: Bool) {
        self.file = file
        self.experiment = experiment
        connections = ConnectionSelection.select(trace.connections, port: experiment.port, client: client)
        let relevant = Set(connections.flatMap { $0.segments.map(\.packetIndex) })
        packets = trace.packets.enumerated().filter { relevant.contains($0.offset) }.map(\.element)
        ignoredConnections = trace.connections.count - connections.count
        verdict = Verdict.judge(experiment, packets: packets, connections: connections)
        if explain {
            explanations = Explainer(connections: connections, source: ExplanationSource(experiment: experiment)).explain()
        }
    }

    /// What `tcplab check` prints: the packets, the explanation, the verdicts and the summary.
    public func lines(explain: Bool) -> [String] {
        var lines = ["== \(experiment.name) against \(file): \(experiment.title)"]
        lines.append(PacketList(packets: packets, connections: connections).render())
        if ignoredConnections > 0 { lines.append("(\(ignoredConnections) other TCP connection(s) in the file ignored)") }
        lines.append("")
        if explain {
            lines.append(Explanation.render(explanations))
            lines.append("")
        }
        lines.append(VerdictText.render(verdict))
        lines.append(VerdictText.summary(experiment.name, verdict))
        return lines
    }

    public var ladderTitle: String { "\(experiment.name) against \(file)" }
}
