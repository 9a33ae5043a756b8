/// JUnit XML as Jenkins, GitLab and GitHub's test reporters read it: a testsuite per
/// experiment, a testcase per run, a `<failure>` per failed expectation or stuck endpoint (and
/// first, the run's root cause, with the expectations it left not reached),
/// and an `<error>` when the harness could not vouch for the trace. A testsuite's
/// `failures` counts its failed testcases, as the consumers do; the elements list each cause.
public enum JUnitReport {
    public static func render(_ results: [RunResult]) -> String {
        var suites: [(String, [RunResult])] = []
        for r in results {
            if let i = suites.firstIndex(where: { $0.0 == r.experiment.name }) { suites[i].1.append(r) } else { suites.append((r.experiment.name, [r])) }
        }
        let failed = results.filter { $0.exitCode == 1 }.count
        let errors = results.filter { $0.exitCode != 0 && $0.exitCode != 1 }.count
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"tcplab\" tests=\"\(results.count)\" failures=\"\(failed)\" errors=\"\(errors)\" time=\"\(time(results))\">\n"
        for (name, runs) in suites {
            let suiteFailed = runs.filter { $0.exitCode == 1 }.count
            let suiteErrors = runs.filter { $0.exitCode != 0 && $0.exitCode != 1 }.count
            xml += "  <testsuite name=\"\(XMLText.escaped(name))\" tests=\"\(runs.count)\" failures=\"\(suiteFailed)\" errors=\"\(suiteErrors)\" skipped=\"0\" time=\"\(time(runs))\">\n"
            for r in runs { xml += testcase(r, repeated: runs.count > 1) }
            xml += "  </testsuite>\n"
        }
        return xml + "</testsuites>\n"
    }

    private static func testcase(_ r: RunResult, repeated: Bool) -> String {
        var xml = "    <testcase classname=\"tcplab.\(XMLText.escaped(r.experiment.name))\" name=\"\(XMLText.escaped(r.name(repeated: repeated)))\" time=\"\(seconds(r.wallTime))\""
        var body = ""
        if let error = r.harnessError {
            body += "      <error type=\"harness\" message=\"\(XMLText.escaped(error))\">\(XMLText.escaped(error))</error>\n"
        }
        if let verdict = r.verdict {
            for problem in verdict.captureProblems {
                body += "      <error type=\"harness\" message=\"capture incomplete: \(XMLText.escaped(problem))\">capture incomplete: \(XMLText.escaped(problem))</error>\n"
            }
            if let cause = verdict.rootCause {
                // One testcase per run, so what the cause prevented is named in its text, not skipped apart.
                let unreached = verdict.outcomes.filter { $0.status == .notReached }
                var text = cause.reason
                if !cause.stderrTail.isEmpty { text += "\nits stderr ends:\n" + cause.stderrTail.joined(separator: "\n") }
                if !unreached.isEmpty { text += "\nnot reached: " + unreached.map { "\($0.path) \($0.expectation)" }.joined(separator: "; ") }
                body += "      <failure type=\"root cause\" message=\"\(XMLText.escaped(cause.reason))\">\(XMLText.escaped(text))</failure>\n"
            }
            for failure in verdict.endpointFailures {
                body += "      <failure type=\"endpoint\" message=\"\(XMLText.escaped(failure))\">\(XMLText.escaped(failure))</failure>\n"
            }
            for o in verdict.outcomes where o.failed {
                let text = "expected: \(o.expectation)\nactual: \(o.detail)\nat: \(r.experiment.name).json \(o.path)"
                body += "      <failure type=\"expectation\" message=\"\(XMLText.escaped(o.expectation))\">\(XMLText.escaped(text))</failure>\n"
            }
        }
        if let trace = r.tracePath { body += "      <system-out>trace: \(XMLText.escaped(trace))</system-out>\n" }
        xml += body.isEmpty ? "/>\n" : ">\n" + body + "    </testcase>\n"
        return xml
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
