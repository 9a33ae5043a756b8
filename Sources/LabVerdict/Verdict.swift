import LabModel
import LabPackets

/// The judgement of one expectation.
public struct Outcome: Sendable {
    /// The five things a run or a capture can say of an expectation.
    public enum Status: String, Sendable, Codable, CaseIterable {
        case held
        case failed
        /// The expectation describes how tcplab's own run pins the behaviour, not the lesson, and
        /// the capture is someone else's.
        case notApplicable = "not applicable"
        /// The capture ends before what the expectation is about, and nothing before contradicts it.
        case unobservable
        /// A program's failure (its root cause) came before what the expectation is about, or the
        /// expectation was met only by a FIN or RST tcplab caused by stopping it.
        case notReached = "not reached"
    }

    /// What was expected, in words: "server data segments are 5, 5, 5, 5".
    public var expectation: String
    public var path: String
    public var status: Status
    /// What was seen, with packet numbers, when it differs (and a short confirmation otherwise).
    public var detail: String
    public var packets: [Int]
    /// For an expectation not applicable to the lab's own code: whether this run met it anyway,
    /// so repeated runs can say how often the lab's code gives the lesson's pattern.
    public var heldAnyway: Bool?
    /// Why the lab's own code is not held to it, as the experiment file says.
    public var labCodeReason: String?

    public init(expectation: String, path: String, status: Status, detail: String, packets: [Int]) {
        self.expectation = expectation
        self.path = path
        self.status = status
        self.detail = detail
        self.packets = packets
    }

    init(expectation: String, path: String, passed: Bool, detail: String, packets: [Int]) {
        self.init(expectation: expectation, path: path, status: passed ? .held : .failed, detail: detail, packets: packets)
    }

    public var passed: Bool { status == .held }
    public var failed: Bool { status == .failed }
}

/// The result of a run or a check: every expectation judged, plus anything that makes
/// the trace itself untrustworthy.
public struct Verdict: Sendable {
    public enum Status: String, Sendable {
        case passed
        case failed
        /// The capture or the harness failed; the expectations were not judged on a whole trace.
        case harnessFailure = "harness failure"
    }

    public init(outcomes: [Outcome], captureProblems: [String], endpointFailures: [String]) {
        self.outcomes = outcomes
        self.captureProblems = captureProblems
        self.endpointFailures = endpointFailures
    }

    public var outcomes: [Outcome]
    /// `capture incomplete: ...` reasons.
    public var captureProblems: [String]
    /// Endpoints that did not finish their steps, with the step and the error.
    public var endpointFailures: [String]
    /// Expectations left unjudged because an endpoint failed before any connection was made:
    /// judging each against nothing would bury the one line that says why.
    public var unjudged = 0
    /// The program failure the rest follows from; the `notReached` outcomes are what it prevented.
    public var rootCause: RootCause?

    public var status: Status {
        if !captureProblems.isEmpty { return .harnessFailure }
        if !endpointFailures.isEmpty || outcomes.contains(where: \.failed) { return .failed }
        return .passed
    }

    /// How many outcomes have each status.
    public func count(_ status: Outcome.Status) -> Int { outcomes.count { $0.status == status } }

    public var exitCode: Int32 {
        switch status {
        case .passed: 0
        case .failed: 1
        case .harnessFailure: 70
        }
    }

    /// Judges the expectations against decoded packets. `record` adds the run's own
    /// fidelity checks and endpoint results; a foreign capture has none.
    /// `lastPacket` is the number of the capture's last packet, for saying where a foreign capture
    /// ends; the last of `packets` when not given.
    public static func judge(_ experiment: Experiment, packets: [Packet], connections all: [Connection],
                             record: RunRecord? = nil, lastPacket: Int? = nil, cutShort: Bool = false) -> Verdict {
        // A program's connections to other ports, or refused at another host, are its mistake,
        // said in one line; the expectations are about the experiment's port and host.
        let connections = if let record, !experiment.programs.isEmpty {
            all.filter { $0.server.port == experiment.port && RootCause.otherHost($0, experiment: experiment, record: record) == nil }
        } else { all }
        var problems = record?.captureProblems ?? []
        if record != nil {
            for c in connections where !(c.segments.first?.flags.contains(.syn) ?? false) {
                problems.append("connection \(c.index) has no SYN: the handshake was not captured")
            }
            // A program that never connected is the program's failure, said by its endpoint.
            if connections.isEmpty && experiment.programs.isEmpty { problems.append("no TCP connection was captured") }
        }
        // A side stopped at the deadline is named by the harness problem already.
        var failures = record?.endpoints.filter { !$0.stoppedAtDeadline }.compactMap(\.failure) ?? []
        if let record, !experiment.programs.isEmpty {
            failures = ProgramDiagnosis.failures(experiment, connections: all, record: record)
        }
        var judge = ExpectationJudge(connections: connections, foreign: record == nil,
                                     captureEnd: lastPacket ?? packets.last?.number ?? 0)
        judge.programs = record != nil && !experiment.programs.isEmpty
        judge.labCode = record != nil && experiment.runsLabCode
        if let record, connections.isEmpty, !failures.isEmpty {
            guard let cause = RootCause.beforeConnecting(experiment, connections: all, record: record) else {
                var verdict = Verdict(outcomes: [], captureProblems: problems, endpointFailures: failures)
                verdict.unjudged = experiment.applicableExpectations.count
                return verdict
            }
            // Nothing on the port: every expectation was prevented by the cause, none failed on its own.
            let outcomes = experiment.applicableExpectations.map(judge.judge).map { o in
                var o = o
                if o.status == .held || o.status == .failed { (o.status, o.detail, o.packets) = (.notReached, "no connection to port \(experiment.port)", []) }
                return o
            }
            var verdict = Verdict(outcomes: outcomes, captureProblems: problems, endpointFailures: failures)
            verdict.rootCause = cause
            return verdict
        }
        var outcomes = experiment.applicableExpectations.map(judge.judge)
        let cause = record.flatMap { RootCause.find(experiment, connections: connections, record: $0) }
        if let cause, let record {
            outcomes = outcomes.map { cause.mark($0) }
            // A side that was only waiting on the cause is not blamed beside it.
            failures = failures.filter { line in
                !record.endpoints.contains { $0.side != cause.side && $0.failure == line && RootCause.waiting($0, experiment: experiment, connections: connections, record: record) }
            }
        }
        // A foreign capture has no fences or drop counter to vouch for it, so its holes are
        // judged like an expectation: a missing segment is named, not just felt in the sizes.
        if record == nil { outcomes.append(judge.completeness(cutShort: cutShort)) }
        var verdict = Verdict(outcomes: outcomes, captureProblems: problems, endpointFailures: failures)
        verdict.rootCause = cause
        return verdict
    }
}
