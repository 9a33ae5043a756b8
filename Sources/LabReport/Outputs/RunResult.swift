import LabModel
import LabSystem
import LabVerdict
import LabPackets

/// One run of one experiment, as the reports see it: what happened, and how it was judged.
public struct RunResult: Sendable {
    public var experiment: Experiment
    /// 1-based; several when `--repeat` asked for them.
    public var attempt: Int
    /// Nil when the run could not be carried out at all (no namespace, no capture).
    public var record: RunRecord?
    public var packets: [Packet]
    public var connections: [Connection]
    public var verdict: Verdict?
    /// Why there is no record, when there is none.
    public var harnessError: String?
    public var exitCode: Int32
    /// Where the trace went, when one was written.
    public var tracePath: String?
    /// The other files written from this run beside its trace: its ladder, its report.
    public var alsoWritten: [String] = []
    public var wallTime: Duration
    /// The run's explanation, when one was asked for (by --explain, a report or pcapng).
    public var explanations: [Explanation] = []
    /// How the run compares with the lab's listing of its trace, on the lab's two hosts.
    public var fidelity: FidelityReport?

    public init(experiment: Experiment, attempt: Int, record: RunRecord?, packets: [Packet], connections: [Connection],
                verdict: Verdict?, harnessError: String?, exitCode: Int32, tracePath: String?, wallTime: Duration) {
        self.experiment = experiment
        self.attempt = attempt
        self.record = record
        self.packets = packets
        self.connections = connections
        self.verdict = verdict
        self.harnessError = harnessError
        self.exitCode = exitCode
        self.tracePath = tracePath
        self.wallTime = wallTime
    }

    /// The chain from a run's record to its result: decode the frames, find the connections,
    /// judge them against the experiment, and explain them when asked. Every command and test
    /// that has a record makes its result here.
    public init(experiment: Experiment, attempt: Int, record: RunRecord, wallTime: Duration, explain: Bool) {
        self = Self.judged(experiment: experiment, attempt: attempt, record: record, wallTime: wallTime, explain: explain).result
    }

    /// The same chain, returning the verdict beside the result: a run with a record is always
    /// judged, and this says so in the type, so callers need not unwrap `verdict`.
    public static func judged(experiment: Experiment, attempt: Int, record: RunRecord, wallTime: Duration,
                              explain: Bool) -> (result: RunResult, verdict: Verdict) {
        let trace = Trace(frames: record.frames, linkType: record.linkType)
        let verdict = Verdict.judge(experiment, packets: trace.packets, connections: trace.connections, record: record)
        var result = RunResult(experiment: experiment, attempt: attempt, record: record, packets: trace.packets,
                               connections: trace.connections, verdict: verdict, harnessError: nil, exitCode: verdict.exitCode,
                               tracePath: nil, wallTime: wallTime)
        if let listing = experiment.labListing, let hosts = experiment.link.hosts {
            var standsFor: [Direction: String] = [:]
            for side in Direction.allCases { standsFor[side] = hosts.host(side).standsFor }
            result.fidelity = Fidelity.measure(listing, connections: trace.connections, standsFor: standsFor)
        }
        if explain {
            let explanations = Explainer(connections: trace.connections,
                                         source: ExplanationSource(experiment: experiment, record: record)).explain()
            result.explanations = TcplabCaused.mark(explanations, TcplabCaused.packets(record, connections: trace.connections))
        }
        return (result, verdict)
    }

    /// A run that could not be carried out: no record, no trace, only why.
    public static func harnessFailure(_ experiment: Experiment, attempt: Int, error: String, exitCode: Int32,
                                      wallTime: Duration) -> RunResult {
        RunResult(experiment: experiment, attempt: attempt, record: nil, packets: [], connections: [], verdict: nil,
                  harnessError: error, exitCode: exitCode, tracePath: nil, wallTime: wallTime)
    }

    public var status: String {
        verdict?.status.rawValue ?? (exitCode == NetworkMode.notReproducibleExitCode ? "not reproducible here" : "harness failure")
    }

    /// "experiment-2", or "experiment-2 run 3" when the experiment ran several times.
    public func name(repeated: Bool) -> String { repeated ? "\(experiment.name) run \(attempt)" : experiment.name }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension RunResult {
    /// When a failed expectation names a segment that the explanation says Nagle's algorithm
    /// made (sends held back while earlier data was unacknowledged, then sent as one), that
    /// sentence: "packet 8: likely Nagle's algorithm: … (TCP_NODELAY turns it off)". A program
    /// that leaves Nagle on passes or fails by timing, and this says why from the trace.
    public func mergedSendsCause(of o: Outcome) -> String? {
        for e in explanations where !Set(e.packets).isDisjoint(with: o.packets) {
            guard let start = e.text.firstRange(of: Explanation.nagleLead) else { continue }
            let rest = e.text[start.lowerBound...]
            let sentence = rest.firstRange(of: ". ").map { rest[..<$0.lowerBound] } ?? rest.dropLast(rest.hasSuffix(".") ? 1 : 0)
            let packet = e.packets.first { o.packets.contains($0) } ?? e.packets.first ?? 0
            return "packet \(packet): likely" + sentence.dropFirst("Likely".count) + " (TCP_NODELAY turns it off)"
        }
        return nil
    }
}
