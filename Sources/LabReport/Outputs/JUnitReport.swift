/// JUnit XML as Jenkins, GitLab and GitHub's test reporters read it, the same shape for `run`,
/// `check` and `grade`: a testsuite per run (per file), a testcase per expectation. A failed
/// expectation is a `<failure>`; one not applicable, unobservable or not reached is `<skipped>`
/// with its reason. A run's root cause is a failing testcase of its own, first; a stuck endpoint
/// is one too, and a harness that could not vouch for the trace an `<error>`. A testsuite's
/// `failures` counts its failed testcases, as the consumers do.
public enum JUnitReport {
    public static func render(_ results: [RunResult]) -> String {
        let repeated = Dictionary(grouping: results, by: \.experiment.name).mapValues { $0.count > 1 }
        var suites = ""
        var totals = Counts()
        for r in results {
            let (cases, counts) = testcases(r)
            totals.add(counts)
            let name = XMLText.escaped(r.name(repeated: repeated[r.experiment.name] ?? false))
            suites += "  <testsuite name=\"\(name)\" tests=\"\(counts.tests)\" failures=\"\(counts.failures)\" errors=\"\(counts.errors)\" "
                + "skipped=\"\(counts.skipped)\" time=\"\(seconds(r.wallTime))\">\n" + cases
                + (r.tracePath.map { "    <system-out>trace: \(XMLText.escaped($0))</system-out>\n" } ?? "") + "  </testsuite>\n"
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<testsuites name=\"tcplab\" tests=\"\(totals.tests)\" failures=\"\(totals.failures)\" errors=\"\(totals.errors)\" "
            + "skipped=\"\(totals.skipped)\" time=\"\(time(results))\">\n" + suites + "</testsuites>\n"
    }

    struct Counts {
        var tests = 0, failures = 0, errors = 0, skipped = 0
        mutating func add(_ c: Counts) { (tests, failures, errors, skipped) = (tests + c.tests, failures + c.failures, errors + c.errors, skipped + c.skipped) }
    }

    private static func testcases(_ r: RunResult) -> (String, Counts) {
        var xml = ""
        var counts = Counts()
        let classname = "tcplab.\(XMLText.escaped(r.experiment.name))"
        func add(_ name: String, _ element: (kind: String, type: String?, message: String, text: String?)?) {
            counts.tests += 1
            xml += "    <testcase classname=\"\(classname)\" name=\"\(XMLText.escaped(name))\""
            guard let element else { xml += "/>\n"; return }
            let type = element.type.map { " type=\"\(XMLText.escaped($0))\"" } ?? ""
            let body = element.text.map { ">\(XMLText.escaped($0))</\(element.kind)>" } ?? "/>"
            xml += ">\n      <\(element.kind)\(type) message=\"\(XMLText.escaped(element.message))\"\(body)\n    </testcase>\n"
        }
        let problems = (r.harnessError.map { [$0] } ?? []) + (r.verdict?.captureProblems.map { "capture incomplete: \($0)" } ?? [])
        for problem in problems {
            counts.errors += 1
            add("harness", ("error", "harness", problem, problem))
        }
        guard let verdict = r.verdict else { return (xml, counts) }
        if let cause = verdict.rootCause {
            counts.failures += 1
            let text = cause.reason + (cause.stderrTail.isEmpty ? "" : "\nits stderr ends:\n" + cause.stderrTail.joined(separator: "\n"))
            add("root cause", ("failure", "root cause", cause.reason, text))
        }
        for (i, failure) in verdict.endpointFailures.enumerated() {
            counts.failures += 1
            add(verdict.endpointFailures.count > 1 ? "endpoint \(i + 1)" : "endpoint", ("failure", "endpoint", failure, failure))
        }
        for o in verdict.outcomes {
            let name = "\(o.path): \(o.expectation)"
            switch o.status {
            case .held:
                add(name, nil)
            case .failed:
                counts.failures += 1
                add(name, ("failure", "expectation", o.expectation, "expected: \(o.expectation)\nactual: \(o.detail)\nat: \(r.experiment.name).json \(o.path)"))
            case .notApplicable, .unobservable:
                counts.skipped += 1
                add(name, ("skipped", nil, "\(o.status.rawValue): \(o.detail)", nil))
            case .notReached:
                counts.skipped += 1
                add(name, ("skipped", nil, "not reached: \(verdict.rootCause?.reason ?? o.detail)", nil))
            }
        }
        return (xml, counts)
    }

    private static func time(_ runs: [RunResult]) -> String {
        seconds(runs.reduce(Duration.zero) { $0 + $1.wallTime })
    }

    private static func seconds(_ d: Duration) -> String {
        let ms = Int((d.seconds * 1000).rounded())
        let fraction = String(ms % 1000)
        return "\(ms / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}

extension JUnitReport {
    /// One checked file: its suite's name, and its record (which says why, if it could not be read).
    public struct CheckCase: Sendable {
        public var suite: String
        public var entry: CheckReport.Entry

        public init(suite: String, entry: CheckReport.Entry) {
            self.suite = suite
            self.entry = entry
        }
    }

    /// `check` and `grade`: a testsuite per file, a testcase per expectation; a failed one is a
    /// `<failure>`, a not applicable or unobservable one `<skipped>`, a file that could not be
    /// read (or was cut short) an `<error>`, and a file in which nothing matched one failure.
    public static func render(checks: [CheckCase]) -> String {
        var suites = ""
        var totals = (tests: 0, failures: 0, errors: 0, skipped: 0)
        for c in checks {
            var cases = ""
            var counts = (tests: 0, failures: 0, errors: 0, skipped: 0)
            // A file that could not be read has no verdict, only why.
            let r = c.entry.error == nil ? c.entry : nil
            let classname = "tcplab.\(XMLText.escaped(r?.experiment ?? "unread"))"
            func add(_ name: String, _ body: String) {
                counts.tests += 1
                cases += "    <testcase classname=\"\(classname)\" name=\"\(XMLText.escaped(name))\""
                cases += body.isEmpty ? "/>\n" : ">\n" + body + "    </testcase>\n"
            }
            if let error = c.entry.error ?? c.entry.fileProblem {
                counts.errors += 1
                add("read the file", "      <error type=\"capture file\" message=\"\(XMLText.escaped(error))\">\(XMLText.escaped(error))</error>\n")
            }
            if let r {
                if let diagnosis = r.diagnosis {
                    counts.failures += 1
                    add("find the experiment's conversation", "      <failure type=\"no match\" message=\"\(XMLText.escaped(diagnosis))\">\(XMLText.escaped(diagnosis))</failure>\n")
                }
                for o in r.verdicts {
                    let message = XMLText.escaped(o.detail)
                    switch o.status {
                    case .held:
                        add("\(o.path): \(o.expectation)", "")
                    case .failed:
                        counts.failures += 1
                        let text = XMLText.escaped("expected: \(o.expectation)\nactual: \(o.detail)")
                        add("\(o.path): \(o.expectation)", "      <failure type=\"expectation\" message=\"\(XMLText.escaped(o.expectation))\">\(text)</failure>\n")
                    case .notApplicable, .unobservable:
                        counts.skipped += 1
                        add("\(o.path): \(o.expectation)", "      <skipped message=\"\(o.status.rawValue): \(message)\"/>\n")
                    case .notReached:
                        counts.skipped += 1
                        let reason = XMLText.escaped(r.rootCause ?? o.detail)
                        add("\(o.path): \(o.expectation)", "      <skipped message=\"not reached: \(reason)\"/>\n")
                    }
                }
            }
            totals = (totals.tests + counts.tests, totals.failures + counts.failures, totals.errors + counts.errors,
                      totals.skipped + counts.skipped)
            suites += "  <testsuite name=\"\(XMLText.escaped(c.suite))\" tests=\"\(counts.tests)\" failures=\"\(counts.failures)\" "
                + "errors=\"\(counts.errors)\" skipped=\"\(counts.skipped)\">\n" + cases + "  </testsuite>\n"
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<testsuites name=\"tcplab\" tests=\"\(totals.tests)\" failures=\"\(totals.failures)\" errors=\"\(totals.errors)\" skipped=\"\(totals.skipped)\">\n"
            + suites + "</testsuites>\n"
    }
}
