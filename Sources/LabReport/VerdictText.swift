import LabModel
import LabVerdict
import LabPackets

/// The verdict as lines a student reads: one per expectation, then the problems.
public enum VerdictText {
    /// `color` paints the marks with ANSI colours: for terminals only.
    public static func render(_ verdict: Verdict, color: Bool = false) -> String {
        func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        var lines: [String] = []
        for problem in verdict.captureProblems { lines.append(paint("HARNESS ", "33") + " capture incomplete: \(problem)") }
        for failure in verdict.endpointFailures { lines.append(paint("FAIL    ", "31") + " endpoint: \(failure)") }
        for o in verdict.outcomes {
            let mark = o.passed ? paint("ok      ", "32") : paint("FAIL    ", "1;31")
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
