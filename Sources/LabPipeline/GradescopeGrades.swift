import LabModel
import LabReport
import LabVerdict

/// `grade --gradescope`: one student's graded captures as Gradescope's results.json, a test per
/// expectation.
public enum GradescopeGrades {
    /// Gradescope hands the autograder one submission and shows one page of results; a folder of
    /// several students' captures is a mistake in the setup, not a grade.
    public static func requireOneSubmission(_ inputs: GradeInputs) throws(CommandFailure) {
        try requireOneSubmission(inputs.files.map(\.student))
    }

    /// The same for `grade --code`, given each submission's student.
    public static func requireOneSubmission(_ students: [String]) throws(CommandFailure) {
        let students = Array(Set(students)).sorted(by: naturalOrder)
        guard students.count > 1 else { return }
        let shown = students.prefix(3).joined(separator: ", ") + (students.count > 3 ? ", …" : "")
        throw CommandFailure("--gradescope grades one submission, but the inputs hold \(students.count) students (\(shown)); "
                             + "give it one student's folder", exitCode: 64)
    }

    /// The entries of every graded file, in their order, then those of each experiment the
    /// points file names that no file counts under; and the notes for the summary line.
    public static func entries(_ graded: [GradedFile], experiments: [Experiment],
                               points: GradescopePoints) -> (entries: [GradescopeEntry], notes: [String]) {
        var entries: [GradescopeEntry] = []
        var notApplicable = 0
        var unread: [String] = []
        let byName = Dictionary(experiments.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        // Two files for one experiment would give two tests of one name: those name their file.
        var filesPer: [String: Int] = [:]
        for g in graded { if let e = g.check.result?.experiment.name ?? g.named { filesPer[e, default: 0] += 1 } }
        for g in graded {
            let experiment = g.check.result?.experiment ?? g.named.flatMap { byName[$0] }
            let file = experiment.flatMap { filesPer[$0.name, default: 0] > 1 ? g.name : nil }
            if let result = g.check.result, result.diagnosis == nil {
                for o in result.verdict.outcomes {
                    // They describe tcplab's own endpoints (its name text, its idle timeout): no student's capture can show them.
                    if o.status == .notApplicable { notApplicable += 1; continue }
                    entries.append(GradescopeEntry(experiment: result.experiment.name, path: o.path, expectation: o.expectation,
                                                   passed: o.status == .held, output: "\(o.status.rawValue): \(o.detail)", file: file))
                }
                continue
            }
            let reason = g.check.result?.diagnosis ?? g.row.error ?? "the file could not be graded"
            unread.append(g.name)
            guard let experiment else {
                entries.append(GradescopeEntry(experiment: g.name, path: "file", expectation: "the file is a capture of one of the experiments",
                                               passed: false, output: "failed: \(reason)"))
                continue
            }
            entries += failed(experiment, because: "\(g.name): \(reason)", file: file)
        }
        let handedIn = Set(filesPer.keys)
        var missing: [String] = []
        for name in points.named where !handedIn.contains(name) {
            guard let experiment = byName[name] else { continue }
            missing.append(name)
            entries += failed(experiment, because: "no capture for \(name) was handed in (name it \(experiment.trace))", file: nil)
        }
        var notes: [String] = []
        if notApplicable > 0 {
            notes.append("\(notApplicable) expectation(s) left out: they hold for tcplab's own endpoints only, not for a handed-in capture")
        }
        if !unread.isEmpty { notes.append("could not be graded: \(unread.joined(separator: ", "))") }
        if !missing.isEmpty { notes.append("not handed in: \(missing.joined(separator: ", "))") }
        return (entries, notes)
    }

    /// A failed entry for each expectation of `experiment` a capture is judged on, worded as a
    /// judged capture words them (judging nothing gives the texts), with `reason` as the output.
    static func failed(_ experiment: Experiment, because reason: String, file: String?) -> [GradescopeEntry] {
        Verdict.judge(experiment, packets: [], connections: []).outcomes.filter { $0.status != .notApplicable }.map { o in
            GradescopeEntry(experiment: experiment.name, path: o.path, expectation: o.expectation, passed: false,
                            output: "failed: \(reason)", file: file)
        }
    }

    /// results.json's text for one student's graded captures.
    public static func render(_ graded: [GradedFile], experiments: [Experiment], points: GradescopePoints) -> String {
        let (entries, notes) = entries(graded, experiments: experiments, points: points)
        let tests = points.tests(entries)
        return GradescopeReport.render(tests, output: GradescopeReport.summary(tests, notes: notes))
    }
}

extension OutputWriter {
    /// results.json, written whole.
    public static func writeGradescope(_ graded: [GradedFile], experiments: [Experiment], points: GradescopePoints,
                                       to path: String) throws(OutputError) {
        try write(GradescopeGrades.render(graded, experiments: experiments, points: points), to: path)
    }
}

extension GradescopeGrades {
    /// The entries of one submission's code grades: a test per expectation per experiment, passed
    /// only when it held in every run (a program that passes 2 runs in 3 is not right), its output
    /// the tally and what went wrong first; a submission that could not be run fails every
    /// expectation of its experiment, with the reason.
    public static func entries(_ grades: [CodeGrade], experiments: [Experiment]) -> (entries: [GradescopeEntry], notes: [String]) {
        let byName = Dictionary(experiments.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var entries: [GradescopeEntry] = []
        var notApplicable = 0
        for g in grades {
            guard g.runs > 0, !g.expectations.isEmpty else {
                let reason = g.problem ?? "the programs could not be run"
                if let experiment = byName[g.experiment] { entries += failed(experiment, because: reason, file: nil) } else {
                    entries.append(GradescopeEntry(experiment: g.experiment, path: "runs", expectation: "the programs run",
                                                   passed: false, output: "failed: \(reason)"))
                }
                continue
            }
            for t in g.expectations {
                if t.onlyNotApplicable { notApplicable += 1; continue }
                let passed = t.held > 0 && t.failed == 0 && t.unobservable == 0 && t.notReached == 0
                var output = (passed ? "passed: " : "failed: ") + t.counts
                if !passed, t.failed + t.unobservable > 0, let first = t.firstProblem { output += "; first: \(first)" }
                if !passed, t.notReached > 0, let cause = g.firstRootCause { output += "; not reached because \(cause)" }
                entries.append(GradescopeEntry(experiment: g.experiment, path: t.path, expectation: t.expectation, passed: passed, output: output))
            }
        }
        var notes: [String] = []
        if let runs = grades.map(\.runs).max(), runs > 1 { notes.append("each experiment was run \(runs) times; a test passes when it held in every run") }
        if notApplicable > 0 {
            notes.append("\(notApplicable) expectation(s) left out: they hold for tcplab's own endpoints only")
        }
        return (entries, notes)
    }

    /// results.json's text for one submission's code grades.
    public static func render(_ grades: [CodeGrade], experiments: [Experiment], points: GradescopePoints) -> String {
        let (entries, notes) = entries(grades, experiments: experiments)
        let tests = points.tests(entries)
        return GradescopeReport.render(tests, output: GradescopeReport.summary(tests, notes: notes))
    }
}
