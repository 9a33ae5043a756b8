import LabModel
import LabPackets
import LabReport
import LabRunner
import LabSystem

/// `tcplab serve --listen` and `tcplab client --connect`: one side of an experiment against
/// another machine, visit after visit, each captured (when asked), written and checked.
public enum RemotePipeline {
    public struct Plan: Sendable {
        public var side: Direction
        public var server: SocketAddress
        /// The interface to capture on; nil runs the side without a trace.
        public var interface: String?
        public var out: String
        /// Visits before stopping; nil serves until interrupted.
        public var visits: Int?
        public var quiet = false

        public init(side: Direction, server: SocketAddress, interface: String?, out: String, visits: Int?) {
            self.side = side
            self.server = server
            self.interface = interface
            self.out = out
            self.visits = visits
        }
    }

    /// Says what a side cannot do before anything starts: a browser client, a program, a side
    /// whose steps wait for the other machine.
    public static func preflight(_ experiment: Experiment, side: Direction) throws(CommandFailure) {
        if experiment.programs[side] != nil {
            throw CommandFailure("\(experiment.name)'s \(side) is a program; run it yourself on that machine", exitCode: 64)
        }
        let steps = side == .server ? experiment.server : experiment.client
        if steps.contains(where: { if case .browse = $0.action { true } else { false } }) {
            throw CommandFailure("\(experiment.name)'s client is a browser; point your browser at the server instead", exitCode: 64)
        }
    }

    /// Runs the visits, calling `report` with each one's lines; returns the worst exit code.
    public static func run(_ experiment: Experiment, plan: Plan, report: (_ lines: [String], _ errors: [String]) -> Void) throws(CommandFailure) -> Int32 {
        try preflight(experiment, side: plan.side)
        if plan.interface != nil {
            do { try OutputWriter.makeFolder(plan.out) } catch { throw CommandFailure(error) }
        }
        let remote: RemoteSide
        do {
            remote = try RemoteSide(experiment, side: plan.side, server: plan.server, interface: plan.interface)
        } catch {
            throw CommandFailure(error.description, exitCode: error.exitCode)
        }
        let skipped = barriers(experiment, side: plan.side)
        var lines: [String] = []
        if plan.side == .server {
            lines.append("\(experiment.name): the server listens on \(plan.server)" + (plan.interface.map { ", capturing on \($0)" } ?? ""))
        }
        if !skipped.isEmpty {
            lines.append("note: across two machines the \(plan.side) cannot wait for the other side's \(skipped.joined(separator: ", ")); those waits are skipped")
        }
        report(lines, [])
        var worst: Int32 = 0
        var visit = 0
        while plan.visits.map({ visit < $0 }) ?? true {
            if plan.side == .server, !remote.awaitClient() { throw CommandFailure("the listener on \(plan.server) failed", exitCode: 70) }
            visit += 1
            let started = ContinuousClock.now
            let record = remote.visit()
            var result = RunResult(experiment: remote.experiment, attempt: visit, record: record,
                                   wallTime: ContinuousClock.now - started, explain: false)
            var errors: [String] = []
            if remote.isCapturing {
                let name = tracePath(experiment, plan: plan, visit: visit)
                do {
                    try OutputWriter.writeTrace(result, format: .pcap, to: name)
                    result.tracePath = name
                } catch {
                    errors.append(error.description)
                    if RunSeries.severity(error.exitCode) > RunSeries.severity(worst) { worst = error.exitCode }
                }
                let repeated = plan.visits != 1
                let style = RunText.Style(quiet: plan.quiet, explain: false, color: false)
                report(RunText.lines(result, attempt: repeated ? visit : nil, style: style), errors)
                if RunSeries.severity(result.exitCode) > RunSeries.severity(worst) { worst = result.exitCode }
            } else {
                let endpoint = record.endpoints.first
                let failure = endpoint?.failure
                report(["\(experiment.name) \(plan.side) visit \(visit): " + (failure.map { "failed: \($0)" } ?? "done (no capture: pass --capture IFACE to check it)")], [])
                if failure != nil, worst == 0 { worst = 1 }
            }
        }
        return worst
    }

    /// `out/trace1-client.pcap`, or `out/trace1-client-3.pcap` for the third of several visits.
    static func tracePath(_ experiment: Experiment, plan: Plan, visit: Int) -> String {
        let stem = experiment.trace.hasSuffix(".pcap") ? String(experiment.trace.dropLast(5)) : experiment.trace
        return "\(plan.out)/\(stem)-\(plan.side)\(plan.visits == 1 ? "" : "-\(visit)").pcap"
    }

    /// The names of the other side's steps this side's `waitFor` steps wait on.
    static func barriers(_ experiment: Experiment, side: Direction) -> [String] {
        (side == .server ? experiment.server : experiment.client).compactMap { step in
            if case let .waitFor(name) = step.action { return "\"\(name)\"" }
            return nil
        }
    }
}
