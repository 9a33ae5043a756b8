import LabModel
import LabVerdict
import LabPackets

/// The verdict as lines a student reads: one per expectation, then the problems.
public enum VerdictText {
    /// `color` paints the marks with ANSI colours: for terminals only.
    public static func render(_ verdict: Verdict, color: Bool = false) -> String {
        func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        var lines: [String] = []
        var saidReasons: Set<String> = []
        for problem in verdict.captureProblems {
            let kind = problem.hasPrefix("the run passed its deadline") ? "" : "capture incomplete: "
            lines.append(paint("HARNESS ", "33") + " \(kind)\(problem)")
        }
        for failure in verdict.endpointFailures { lines.append(paint("FAIL    ", "31") + " endpoint: \(failure)") }
        if verdict.unjudged > 0 {
            lines.append("not judged: the \(verdict.unjudged) expectation(s), since no connection to the experiment's port was captured")
        }
        for o in verdict.outcomes {
            switch o.status {
            case .notReached:
                continue  // said in one line below
            case .held:
                lines.append("\(paint("ok      ", "32")) \(o.expectation)")
            case .failed:
                lines.append("\(paint("FAIL    ", "1;31")) \(o.expectation)")
                lines.append("           expected: \(o.expectation)\n           actual:   \(o.detail)   [\(o.path)]")
            case .notApplicable:
                lines.append("\(paint("n/a     ", "2")) \(o.expectation)")
                var detail = o.detail
                // One reason often covers several expectations: say it in full once.
                if let reason = o.labCodeReason {
                    if saidReasons.contains(reason) { detail = detail.replacing(": " + reason, with: ", as said above") }
                    saidReasons.insert(reason)
                }
                lines.append("           \(detail)   [\(o.path)]")
            case .unobservable:
                lines.append("\(paint("unseen  ", "33")) \(o.expectation)")
                lines.append("           \(o.detail)   [\(o.path)]")
            }
        }
        let unreached = verdict.outcomes.filter { $0.status == .notReached }
        if !unreached.isEmpty {
            let reason = verdict.rootCause?.reason ?? "an endpoint failed first"
            // When nothing was reached, the list would only repeat the experiment.
            lines.append("\(paint("not reached", "33")): \(reason) — "
                         + (unreached.count == verdict.outcomes.count ? "all \(unreached.count) expectations"
                            : "\(unreached.count) expectation(s): " + unreached.map { "\($0.expectation) [\($0.path)]" }.joined(separator: "; ")))
        }
        return lines.joined(separator: "\n")
    }

    /// The first line after the packet list when a program failed: its failure, then the tail of
    /// its stderr, so the cause is read before any of its effects.
    public static func rootCauseLines(_ cause: RootCause) -> [String] {
        ["ROOT CAUSE: \(cause.reason)" + (cause.stderrTail.isEmpty ? "" : "; its stderr ends:")]
            + cause.stderrTail.map { "    " + $0 }
    }

    /// `experiment-2: passed (7/7 expectations held)`; on a foreign capture the expectations that
    /// could not be judged are counted apart: `(5/5 expectations held; 2 not applicable, 1 unobservable)`.
    public static func summary(_ name: String, _ verdict: Verdict) -> String {
        "\(name): \(outcome(verdict))"
    }

    /// The summary without the name: "failed: the client never closed …", "passed (11/11 expectations held)".
    public static func outcome(_ verdict: Verdict) -> String {
        if let cause = verdict.rootCause, verdict.status == .failed {
            return "failed: \(cause.reason); \(untilThen(verdict))"
        }
        return "\(verdict.status.rawValue) (\(counts(verdict)))"
    }

    /// "every expectation held until then (9 held, 2 not reached)", or "1/3 expectations held until then, 8 not reached".
    static func untilThen(_ verdict: Verdict) -> String {
        let held = verdict.count(.held), failed = verdict.count(.failed), unreached = verdict.count(.notReached)
        if held == 0, failed == 0 { return "none of the \(unreached) expectation(s) was reached" }
        if failed == 0 { return "every expectation held until then (\(held) held, \(unreached) not reached)" }
        return "\(held)/\(held + failed) expectations held until then, \(unreached) not reached"
    }

    /// `5/5 expectations held; 2 not applicable, 1 unobservable`.
    public static func counts(_ verdict: Verdict) -> String {
        if verdict.unjudged > 0 { return "no connection; \(verdict.unjudged) expectations not judged" }
        let held = verdict.count(.held), judged = held + verdict.count(.failed)
        var text = "\(held)/\(judged) expectations held"
        let others = [(verdict.count(.notApplicable), "not applicable"), (verdict.count(.unobservable), "unobservable"),
                      (verdict.count(.notReached), "not reached")]
            .filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
        if !others.isEmpty { text += "; " + others.joined(separator: ", ") }
        return text
    }

    /// The word for a status in tables: ok, FAIL, n/a, unseen.
    public static func mark(_ status: Outcome.Status) -> String {
        switch status {
        case .held: "ok"
        case .failed: "FAIL"
        case .notApplicable: "n/a"
        case .unobservable: "unseen"
        case .notReached: "not reached"
        }
    }
}
