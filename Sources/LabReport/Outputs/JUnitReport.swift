/// JUnit XML as Jenkins, GitLab and GitHub's test reporters read it: a testsuite per
/// experiment, a testcase per run, a `<failure>` per failed expectation or stuck endpoint,
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
            xml += "  <testsuite name=\"\(xmlEscape(name))\" tests=\"\(runs.count)\" failures=\"\(suiteFailed)\" errors=\"\(suiteErrors)\" skipped=\"0\" time=\"\(time(runs))\">\n"
            for r in runs { xml += testcase(r, repeated: runs.count > 1) }
            xml += "  </testsuite>\n"
        }
        return xml + "</testsuites>\n"
    }

    private static func testcase(_ r: RunResult, repeated: Bool) -> String {
        var xml = "    <testcase classname=\"tcplab.\(xmlEscape(r.experiment.name))\" name=\"\(xmlEscape(r.name(repeated: repeated)))\" time=\"\(seconds(r.wallTime))\""
        var body = ""
        if let error = r.harnessError {
            body += "      <error type=\"harness\" message=\"\(xmlEscape(error))\">\(xmlEscape(error))</error>\n"
        }
        if let verdict = r.verdict {
            for problem in verdict.captureProblems {
                body += "      <error type=\"harness\" message=\"capture incomplete: \(xmlEscape(problem))\">capture incomplete: \(xmlEscape(problem))</error>\n"
            }
            for failure in verdict.endpointFailures {
                body += "      <failure type=\"endpoint\" message=\"\(xmlEscape(failure))\">\(xmlEscape(failure))</failure>\n"
            }
            for o in verdict.outcomes where !o.passed {
                let text = "expected: \(o.expectation)\nactual: \(o.detail)\nat: \(r.experiment.name).json \(o.path)"
                body += "      <failure type=\"expectation\" message=\"\(xmlEscape(o.expectation))\">\(xmlEscape(text))</failure>\n"
            }
        }
        if let trace = r.tracePath { body += "      <system-out>trace: \(xmlEscape(trace))</system-out>\n" }
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

/// Escapes text for XML attributes and content; drops the control characters XML 1.0 forbids.
func xmlEscape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        case "\n", "\t", "\r": out.unicodeScalars.append(scalar)
        default:
            if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) { continue }
            out.unicodeScalars.append(scalar)
        }
    }
    return out
}
