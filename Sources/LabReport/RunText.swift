import LabModel
import LabPackets
import LabVerdict

/// What `tcplab run` prints for one run: the packet list, the explanation, the steps that
/// failed, the verdicts, and the summary line naming the trace.
public enum RunText {
    public struct Style: Sendable {
        public var quiet = false
        public var explain = false
        public var color = false
        public init(quiet: Bool = false, explain: Bool = false, color: Bool = false) {
            self.quiet = quiet
            self.explain = explain
            self.color = color
        }
    }

    /// `attempt` is given when the run is one of several (`--repeat`).
    public static func lines(_ result: RunResult, attempt: Int?, style: Style) -> [String] {
        guard let record = result.record, let verdict = result.verdict else { return [] }
        let experiment = result.experiment
        var lines: [String] = []
        if !style.quiet {
            lines.append("== \(experiment.name)\(attempt.map { " (run \($0))" } ?? ""): \(experiment.title)")
            lines.append(PacketList(packets: result.packets, connections: result.connections).render())
            lines.append("")
            if let cause = verdict.rootCause {
                lines += VerdictText.rootCauseLines(cause)
                if style.explain { lines.append("") }
            }
            if style.explain {
                lines.append(Explanation.render(result.explanations))
                lines.append("")
            }
            for endpoint in record.endpoints {
                if let program = endpoint.program { lines += ProgramText.lines(program, side: endpoint.side) }
                for s in endpoint.steps {
                    // An unexpected timeout is the endpoint's failure line, said in the step's terms.
                    guard let error = s.error, s.errorExpected || !error.isTimeout else { continue }
                    let consequence = !s.errorExpected && verdict.rootCause.map { $0.side != endpoint.side } == true ? " (a consequence of the root cause)" : ""
                    lines.append("\(endpoint.side) step \(s.index + 1) (\(s.label)): \(error)\(s.errorExpected ? ", as expected" : "")\(consequence)")
                }
            }
            lines.append(VerdictText.render(verdict, color: style.color))
            // A size expectation that failed by timing says why, from the trace, without --explain.
            if let why = verdict.outcomes.lazy.filter(\.failed).compactMap(result.mergedSendsCause).first {
                lines.append("why the segments differ: " + why)
            }
            if let aside = experiment.notForTheBrowser, aside > 0 {
                lines.append("\(aside) of \(experiment.name)'s \(aside + experiment.expectations.count) expectations are for tcplab's own client "
                             + "and do not apply to the browser (it chooses its own connections and requests); "
                             + "\(experiment.expectations.count) are checked")
            }
            if let fidelity = result.fidelity { lines += fidelityLines(fidelity) }
            if verdict.status != .passed { lines += ProgramBehaviour.lines(experiment, connections: result.connections, record: record, cause: verdict.rootCause) }
        }
        if let merged = record.mergedFrames, !style.quiet {
            lines.append("the trace merges both hosts' captures (\(merged.count) frames: each packet leaving one host and arriving at the other); "
                         + "the list and the checks are the client's capture (\(record.frames.count) frames)")
        }
        let files = result.tracePath.map { ([$0] + result.alsoWritten).joined(separator: ", ") } ?? "no trace written: nothing was captured"
        lines.append("\(VerdictText.summary(experiment.name, verdict)) — \(files)")
        return lines
    }

    /// One run of several (`--repeat`): `experiment-2 run 3/10: pattern 2, failed: the client never closed …`.
    /// The pattern's number is its example trace's (`trace2-pattern2.pcap`) and its place in the list.
    public static func runLine(_ name: String, attempt: Int, of runs: Int, pattern: Int, _ verdict: Verdict) -> String {
        "\(name) run \(attempt)/\(runs): pattern \(pattern), \(VerdictText.outcome(verdict))"
    }

    /// The last line of a run of several experiments: `8 experiments: 7 passed, 1 failed (experiment-2)`.
    public static func total(_ outcomes: [(name: String, exitCode: Int32)]) -> String {
        let failed = outcomes.filter { $0.exitCode == 1 }.map(\.name)
        let broken = outcomes.filter { $0.exitCode != 0 && $0.exitCode != 1 }.map(\.name)
        var line = "\(outcomes.count) experiments: \(outcomes.count - failed.count - broken.count) passed"
        if !failed.isEmpty { line += ", \(failed.count) failed (\(failed.joined(separator: ", ")))" }
        if !broken.isEmpty { line += ", \(broken.count) could not be judged (\(broken.joined(separator: ", ")))" }
        return line
    }

    /// `experiment-2: 50/50 passed`, with the kinds of failure when some runs did not pass. A
    /// failed expectation is the experiment's; a harness failure (capture incomplete) is tcplab's.
    public static func tally(_ name: String, passed: Int, failed: Int, harness: Int, of runs: Int) -> String {
        let detail = passed == runs ? "" : " (\(failed) expectation failure(s), \(harness) harness failure(s))"
        return "\(name): \(passed)/\(runs) passed\(detail)"
    }

    /// How often the lab's own code met each expectation it is not held to, over repeated runs:
    /// `experiment-0: the lab's code met "server data 1 is [FIN,PSH,ACK] Seq=1" in 0/50 runs (expect[6])`.
    public static func labCodeTally(_ name: String, _ results: [RunResult]) -> [String] {
        var order: [String] = []
        var tally: [String: (expectation: String, held: Int, runs: Int)] = [:]
        for result in results {
            for o in result.verdict?.outcomes ?? [] {
                guard let held = o.heldAnyway else { continue }
                if tally[o.path] == nil { order.append(o.path) }
                var entry = tally[o.path] ?? (o.expectation, 0, 0)
                entry.runs += 1
                if held { entry.held += 1 }
                tally[o.path] = entry
            }
        }
        return order.compactMap { path in
            tally[path].map { "\(name): the lab's code met \"\($0.expectation)\" in \($0.held)/\($0.runs) runs (\(path), not required of it)" }
        }
    }

    /// The fidelity line, then each row that differs and each note on a row that matched.
    public static func fidelityLines(_ report: FidelityReport) -> [String] {
        var lines = ["lab fidelity: \(report.summary)"]
        for (i, row) in report.rows.enumerated() {
            if !row.equal {
                lines.append("  row \(i + 1) differs: lab \(row.lab); run \(row.run ?? "none"): \(row.differences.joined(separator: "; "))")
            }
            for note in row.notes { lines.append("  row \(i + 1) note: \(note)") }
        }
        return lines
    }

    /// `experiment-1: all 10 rows of the lab's trace1 equal in 50/50 runs`, over repeated runs.
    public static func fidelityTally(_ name: String, _ results: [RunResult]) -> String? {
        let reports = results.compactMap(\.fidelity)
        guard let first = reports.first else { return nil }
        let exact = reports.count(where: \.allEqual)
        var line = "\(name): all \(first.rows.count) rows of the lab's \(first.trace) equal in \(exact)/\(reports.count) runs"
        if exact < reports.count {
            var counts: [Int: Int] = [:]
            for report in reports { for (i, row) in report.rows.enumerated() where !row.equal { counts[i + 1, default: 0] += 1 } }
            line += " (differing: " + counts.sorted { $0.key < $1.key }.map { "row \($0.key) in \($0.value)" }.joined(separator: ", ") + ")"
        }
        return line
    }

    /// `experiment-2 timings: namespace 0.6ms, …; 13 frames, 0 dropped`.
    public static func timings(_ name: String, _ record: RunRecord, writing: Duration) -> String {
        let phases = record.phases + [("write", writing)]
        return "\(name) timings: " + phases.map { "\($0.name) \(formatDuration($0.duration))" }.joined(separator: ", ")
            + "; \(record.frames.count) frames, \(record.drops) dropped"
    }
}
