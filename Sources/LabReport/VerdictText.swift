import LabExperiment
import LabPackets

/// The verdict as lines a student reads: one per expectation, then the problems.
public enum VerdictText {
    public static func render(_ verdict: Verdict) -> String {
        var lines: [String] = []
        for problem in verdict.captureProblems { lines.append("HARNESS  capture incomplete: \(problem)") }
        for failure in verdict.endpointFailures { lines.append("FAIL     endpoint: \(failure)") }
        for o in verdict.outcomes {
            let mark = o.passed ? "ok      " : "FAIL    "
            lines.append("\(mark) \(o.expectation)")
            if !o.passed { lines.append("           expected: \(o.expectation)\n           actual:   \(o.detail)   [\(o.path)]") }
        }
        return lines.joined(separator: "\n")
    }

    /// `experiment-2: passed (7/7 expectations)`.
    public static func summary(_ name: String, _ verdict: Verdict) -> String {
        let passed = verdict.outcomes.filter(\.passed).count
        return "\(name): \(verdict.status.rawValue) (\(passed)/\(verdict.outcomes.count) expectations held)"
    }
}
