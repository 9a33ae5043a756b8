import LabModel

/// `grade --code`'s files, as `grade` writes them for traces: CSV, JUnit and a class summary.
public enum CodeGradeReport {
    /// A row per student and experiment: the pass rate, the first problem, the runs a program's
    /// failure cut short, the expectations that failed in some run (not those a failure left not
    /// reached), and what each program used at most.
    public static func csv(_ grades: [CodeGrade]) -> String {
        var out = "student,experiment,runs,passed,problem,root_cause_runs,expectations_failed,server,client,"
            + "server_max_cpu_s,server_max_memory_bytes,server_max_processes,client_max_cpu_s,client_max_memory_bytes,client_max_processes,limit_hit\n"
        for g in grades {
            let failed = g.expectations.filter(\.failedSomeRun).map { "\($0.path) (\($0.counts))" }
            var fields = [g.student, g.experiment, String(g.runs), String(g.passed), g.passedAll ? "" : g.problem ?? "",
                          String(g.rootCauseRuns), failed.joined(separator: "; "), g.server ?? "", g.client ?? ""]
            for side in ["server", "client"] {
                let p = g.programs.first { $0.side == side && $0.runs > 0 }
                fields += [p.map { String(($0.maxCPUSeconds * 1000).rounded() / 1000) } ?? "", p?.maxPeakMemoryBytes.map(String.init) ?? "",
                           p?.maxProcesses.map(String.init) ?? ""]
            }
            fields.append(g.programs.compactMap { p in p.limitHit.map { "\(p.side): \($0)" } }.joined(separator: "; "))
            out += fields.map(GradeReport.csvField).joined(separator: ",") + "\n"
        }
        return out
    }

    /// A testsuite per student and experiment, a testcase per expectation: it fails when it failed
    /// in any run, because a check that passes 9 times in 10 is not a pass. A program's failure
    /// (the root cause) is a failing testcase of its own, first, and what it left not reached is
    /// skipped, naming it, as `run --junit` does for each run. A submission that could not be run is one
    /// `<error>`; an expectation that holds for tcplab's own endpoints only is skipped.
    public static func junit(_ grades: [CodeGrade]) -> String {
        var suites = ""
        var tests = 0, failures = 0, errors = 0, skipped = 0
        for g in grades {
            let name = XMLText.escaped("\(g.student)/\(g.experiment)")
            var cases = ""
            var suiteFailures = 0, suiteErrors = 0, suiteSkipped = 0
            if g.runs == 0 || g.expectations.isEmpty {
                let problem = XMLText.escaped(g.problem ?? "not run")
                cases += "    <testcase classname=\"tcplab.\(name)\" name=\"runs\">\n      <error type=\"not run\" message=\"\(problem)\">\(problem)</error>\n    </testcase>\n"
                suiteErrors = 1
            }
            if let cause = g.firstRootCause {
                let text = XMLText.escaped("in \(g.rootCauseRuns) of \(g.runs) run(s); first: \(cause)")
                cases += "    <testcase classname=\"tcplab.\(name)\" name=\"root cause\">\n"
                    + "      <failure type=\"root cause\" message=\"\(XMLText.escaped(cause))\">\(text)</failure>\n    </testcase>\n"
                suiteFailures += 1
            }
            for e in g.expectations {
                cases += "    <testcase classname=\"tcplab.\(name)\" name=\"\(XMLText.escaped("\(e.path) \(e.expectation)"))\""
                if e.onlyNotApplicable {
                    cases += ">\n      <skipped message=\"holds for tcplab's own endpoints only\"/>\n    </testcase>\n"
                    suiteSkipped += 1
                } else if !e.failedSomeRun && e.notReached > 0 {
                    let text = XMLText.escaped("not reached in \(e.notReached) of \(e.runs) run(s): see the root cause")
                    cases += ">\n      <skipped message=\"\(text)\"/>\n    </testcase>\n"
                    suiteSkipped += 1
                } else if !e.failedSomeRun {
                    cases += "/>\n"
                } else {
                    let text = "expected: \(e.expectation)\n\(e.counts)\nfirst seen: \(e.firstProblem ?? "")\nat: \(g.experiment).json \(e.path)"
                    cases += ">\n      <failure type=\"expectation\" message=\"\(XMLText.escaped(e.counts))\">\(XMLText.escaped(text))</failure>\n    </testcase>\n"
                    suiteFailures += 1
                }
            }
            let count = g.expectations.count + (suiteErrors > 0 ? 1 : 0) + (g.firstRootCause == nil ? 0 : 1)
            suites += "  <testsuite name=\"\(name)\" tests=\"\(count)\" failures=\"\(suiteFailures)\" errors=\"\(suiteErrors)\" skipped=\"\(suiteSkipped)\">\n"
                + cases
                + (g.runs > 0 ? "    <system-out>\(XMLText.escaped(systemOut(g)))</system-out>\n" : "")
                + "  </testsuite>\n"
            tests += count
            failures += suiteFailures
            errors += suiteErrors
            skipped += suiteSkipped
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<testsuites name=\"tcplab grade --code\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\">\n"
            + suites + "</testsuites>\n"
    }

    private static func systemOut(_ g: CodeGrade) -> String {
        (["passed \(g.passed) of \(g.runs) run(s)"] + g.patterns + g.programs.map(\.summary)).joined(separator: "\n")
    }

    /// A student × experiment table of pass rates, then per experiment the expectation that
    /// failed for most students, then what went wrong first for each student who did not pass.
    /// Markdown, or HTML for a `.html` file.
    public static func summary(_ grades: [CodeGrade], html: Bool) -> String {
        var students: [String] = [], experiments: [String] = []
        for g in grades {
            if !students.contains(g.student) { students.append(g.student) }
            if !experiments.contains(g.experiment) { experiments.append(g.experiment) }
        }
        experiments.sort(by: naturalOrder)
        let header = ["student"] + experiments
        let table = students.map { student in
            [student] + experiments.map { e in
                grades.first { $0.student == student && $0.experiment == e }.map { $0.runs == 0 ? "not run" : "\($0.passed)/\($0.runs)" } ?? ""
            }
        }
        let commonest = experiments.map { e -> String in
            var failing: [String: Int] = [:]
            for g in grades where g.experiment == e {
                for t in g.expectations where t.failedSomeRun { failing[t.expectation, default: 0] += 1 }
                if g.rootCauseRuns > 0 { failing["a program failed first (root cause)", default: 0] += 1 }
            }
            let worst = failing.max { ($0.value, $1.key) < ($1.value, $0.key) }
            return "\(e): " + (worst.map { "\($0.key) (\($0.value) student(s))" } ?? "none")
        }
        let problems = grades.filter { !$0.passedAll }.map { "\($0.student), \($0.experiment): \($0.problem ?? "failed")" }
        var page = ClassSummaryPage(intro: "\(students.count) student(s), \(grades.count) submission(s) × experiment graded by \(Tool.label).")
        page.add(.table(header: header, rows: table, numeric: Set(1...max(1, experiments.count))))
        page.add(.list(commonest), under: "Commonest failure")
        page.add(.list(problems), under: "First problems")
        return html ? page.html() : page.markdown()
    }
}
