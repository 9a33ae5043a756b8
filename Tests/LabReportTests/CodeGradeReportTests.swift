import Foundation
import FoundationXML
import Testing
import LabReport

/// `grade --code`'s CSV, JUnit and summary, made from grades built by hand: one student who
/// passed every run, one whose server crashed in 2 of 3 runs (the root cause, leaving the rest not
/// reached) and failed an expectation in the third, and one whose code could not be run at all.
@Suite struct CodeGradeReportTests {
    static func tally(_ path: String, _ text: String, held: Int = 0, failed: Int = 0, notApplicable: Int = 0,
                      notReached: Int = 0, problem: String? = nil) -> ExpectationTally {
        var t = ExpectationTally(expectation: text, path: path)
        t.held = held
        t.failed = failed
        t.notApplicable = notApplicable
        t.notReached = notReached
        t.firstProblem = problem
        return t
    }

    static var grades: [CodeGrade] {
        var ada = CodeGrade(student: "ada", experiment: "experiment-2", server: "python3 server.py {port}", client: nil)
        ada.runs = 3
        ada.passed = 3
        ada.expectations = [tally("expect[0]", "3-way handshake", held: 3), tally("expect[1]", "the client's name text", notApplicable: 3)]
        var server = ProgramTally(side: "server")
        server.runs = 3
        server.maxCPUSeconds = 0.0424
        server.maxPeakMemoryBytes = 9_830_400
        server.maxProcesses = 1
        ada.programs = [server]

        var bob = CodeGrade(student: "bob, jr", experiment: "experiment-2", server: "python3 server.py {port}", client: nil)
        bob.runs = 3
        bob.problem = "the server program exited with status 1 after packet 6"
        bob.rootCauseRuns = 2
        bob.firstRootCause = "the server program exited with status 1 after packet 6"
        bob.expectations = [tally("expect[0]", "3-way handshake", held: 3),
                            tally("expect[2]", "server replies in 5-byte segments", held: 0, failed: 1, notReached: 2, problem: "a 10-byte segment"),
                            tally("expect[3]", "client closes first", notReached: 3)]
        var crashed = ProgramTally(side: "server")
        crashed.runs = 3
        crashed.limitHit = "the memory limit (512 MiB)"
        bob.programs = [crashed]

        var cy = CodeGrade(student: "cy", experiment: "experiment-2", server: nil, client: nil)
        cy.problem = "./missing is not an executable file"
        cy.exitCode = 66
        return [ada, bob, cy]
    }

    @Test func theCSVHasARowPerStudentAndExperimentWithTheFiguresQuoted() {
        let lines = CodeGradeReport.csv(Self.grades).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == 5 && lines.last == "", "a header, three rows and a final newline: \(lines)")
        let header = lines[0].split(separator: ",").map(String.init)
        #expect(header.prefix(7) == ["student", "experiment", "runs", "passed", "problem", "root_cause_runs", "expectations_failed"])
        #expect(header.contains("server_max_memory_bytes") && header.last == "limit_hit")
        let column = Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0) })
        let ada = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(ada.count == header.count, "\(lines[1])")
        #expect(ada[column["runs"]!] == "3" && ada[column["passed"]!] == "3" && ada[column["problem"]!] == "")
        #expect(ada[column["server_max_cpu_s"]!] == "0.042" && ada[column["server_max_memory_bytes"]!] == "9830400")
        #expect(ada[column["server_max_processes"]!] == "1" && ada[column["client_max_cpu_s"]!] == "", "no client program")
        // A comma in a name is quoted, so the row keeps its columns.
        #expect(lines[2].hasPrefix("\"bob, jr\",experiment-2,3,0,the server program exited with status 1 after packet 6,2,"), "\(lines[2])")
        #expect(lines[2].contains("expect[2] (held in 0 of 3 run(s); failed 1, not reached 2)"), "only what failed in a run, not what was not reached")
        #expect(!lines[2].contains("expect[3]"), "\(lines[2])")
        #expect(lines[2].hasSuffix("server: the memory limit (512 MiB)"), "\(lines[2])")
        #expect(lines[3].hasPrefix("cy,experiment-2,0,0,./missing is not an executable file,0,"), "\(lines[3])")
    }

    @Test func jUnitPutsTheRootCauseFirstAndSkipsWhatItLeftNotReached() throws {
        let xml = try XMLDocument(xmlString: CodeGradeReport.junit(Self.grades))
        let root = try #require(xml.rootElement())
        #expect(root.attribute(forName: "tests")?.stringValue == "7")
        #expect(root.attribute(forName: "failures")?.stringValue == "2")
        #expect(root.attribute(forName: "errors")?.stringValue == "1")
        #expect(root.attribute(forName: "skipped")?.stringValue == "2")
        let suites = root.elements(forName: "testsuite")
        #expect(suites.map { $0.attribute(forName: "name")?.stringValue } == ["ada/experiment-2", "bob, jr/experiment-2", "cy/experiment-2"])

        let ada = suites[0].elements(forName: "testcase")
        #expect(ada.count == 2 && (ada[0].children ?? []).isEmpty, "the handshake held in every run: \(suites[0])")
        #expect(ada[1].elements(forName: "skipped").count == 1, "holds for tcplab's own endpoints only")

        let bob = suites[1].elements(forName: "testcase")
        #expect(bob.map { $0.attribute(forName: "name")?.stringValue } == ["root cause", "expect[0] 3-way handshake",
                                                                           "expect[2] server replies in 5-byte segments", "expect[3] client closes first"])
        let cause = try #require(bob[0].elements(forName: "failure").first)
        #expect(cause.stringValue == "in 2 of 3 run(s); first: the server program exited with status 1 after packet 6")
        let failed = try #require(bob[2].elements(forName: "failure").first, "it failed in one run: a failure, not a skip")
        #expect(failed.stringValue?.contains("first seen: a 10-byte segment") == true)
        let notReached = try #require(bob[3].elements(forName: "skipped").first)
        #expect(notReached.attribute(forName: "message")?.stringValue == "not reached in 3 of 3 run(s): see the root cause")
        #expect(suites[1].elements(forName: "system-out").first?.stringValue?.contains("reached the memory limit") == true)

        let cy = suites[2].elements(forName: "testcase")
        #expect(cy.count == 1 && cy[0].elements(forName: "error").first?.stringValue == "./missing is not an executable file")
    }

    @Test func theSummaryTabulatesPassRatesAndNamesTheCommonestFailure() {
        let md = CodeGradeReport.summary(Self.grades, html: false)
        #expect(md.contains("| student | experiment-2 |\n|---|---:|\n| ada | 3/3 |\n| bob, jr | 0/3 |\n| cy | not run |\n"), "\(md)")
        // One student failed an expectation and one had a root cause: a tie, broken by name.
        #expect(md.contains("- experiment-2: a program failed first (root cause) (1 student(s))"), "\(md)")
        #expect(md.contains("- bob, jr, experiment-2: the server program exited with status 1 after packet 6"), "\(md)")
        #expect(md.contains("- cy, experiment-2: ./missing is not an executable file"), "\(md)")
        #expect(!md.contains("- ada,"), "a student who passed has no problem to list")

        let html = CodeGradeReport.summary(Self.grades, html: true)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<tr><th scope=\"row\">bob, jr</th><td>0/3</td></tr>"), "\(html)")
    }
}
