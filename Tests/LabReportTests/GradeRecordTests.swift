import Foundation
import Testing
import LabReport

/// What `grade`'s reports draw from a record alone, so a merge of shards' records prints what one
/// run printed: copies by fingerprint, the first problem of a row, and the exit status.
@Suite struct GradeRecordTests {
    static func entry(_ student: String, _ file: String, fingerprint: String? = nil, status: String = "passed", exitCode: Int32 = 0,
                      verdicts: String = "[]", check: String = "") throws -> GradeEntry {
        let json = """
            {"student": "\(student)", "file": "class/\(student)/\(file)", "status": "\(status)", "exitCode": \(exitCode), "identicalTo": [],
             \(fingerprint.map { "\"fingerprint\": \"\($0)\"," } ?? "")
             "check": {"file": "\(file)", "experiment": "experiment-2", "title": "", "matchedBy": "file name", "status": "\(status)",
                       "exitCode": \(exitCode), "packets": [], "connections": [], "verdicts": \(verdicts) \(check)}}
            """
        return try JSONDecoder().decode(GradeEntry.self, from: Data(json.utf8))
    }

    @Test func copiesAreTheEntriesThatShareAFingerprintInTheirOrder() throws {
        let files = [("a", "ada", "t1.pcap"), (nil, "bob", "t1.pcap"), ("b", "cy", "t1.pcap"), ("a", "dan", "mine.pcap"), ("a", "eve", "x.pcap")]
        let copies = GradeReport.copies(files.map { ($0.0, $0.1, $0.2) })
        #expect(copies == [["dan/mine.pcap", "eve/x.pcap"], [], [], ["ada/t1.pcap", "eve/x.pcap"], ["ada/t1.pcap", "dan/mine.pcap"]])
    }

    @Test func aRowsProblemIsItsErrorThenAPoorMatchThenItsFirstFailure() throws {
        let failed = "[{\"expectation\": \"3-way handshake\", \"path\": \"expect[0]\", \"status\": \"held\", \"passed\": true, \"detail\": \"\", \"packets\": []},"
            + " {\"expectation\": \"server FIN first\", \"path\": \"expect[1]\", \"status\": \"failed\", \"passed\": false, \"detail\": \"client\", \"packets\": [7]}]"
        #expect(try Self.entry("ada", "t.pcap", verdicts: failed).problem == "server FIN first")
        #expect(try Self.entry("ada", "t.pcap", verdicts: failed, check: ", \"diagnosis\": \"no SYN\"").problem == "no SYN")
        let poor = ", \"ranking\": [{\"experiment\": \"experiment-2\", \"held\": 2, \"failed\": 1, \"matched\": true}]"
        #expect(try Self.entry("ada", "t.pcap", check: poor).problem == "closest is experiment-2", "2 of 3 held is under a good match")
        let good = ", \"ranking\": [{\"experiment\": \"experiment-2\", \"held\": 3, \"failed\": 1, \"matched\": true}]"
        #expect(try Self.entry("ada", "t.pcap", check: good).problem == "", "3 of 4 held is a good match")
        let unmatched = ", \"ranking\": [{\"experiment\": \"experiment-2\", \"held\": 3, \"failed\": 0, \"matched\": false}]"
        #expect(try Self.entry("ada", "t.pcap", check: unmatched).problem == "closest is experiment-2")
        #expect(try Self.entry("ada", "t.pcap", check: ", \"error\": \"the file is empty\"").problem == "the file is empty")
    }

    @Test func aClassExitsTwoOnlyForAFileItCouldNotReadAndOneStudentGetsTheGrade() throws {
        let passed = try Self.entry("ada", "a.pcap")
        let failed = try Self.entry("ada", "b.pcap", status: "failed", exitCode: 1)
        let cut = try Self.entry("ada", "c.pcap", exitCode: 2, check: ", \"fileProblem\": \"cut short\"")
        let empty = try Self.entry("ada", "d.pcap", status: "unreadable", exitCode: 66, check: ", \"error\": \"the file is empty\"")
        #expect(GradeReport.exitCode([passed, failed], oneSubmission: false) == 0)
        #expect(GradeReport.exitCode([passed, cut], oneSubmission: false) == 2)
        #expect(GradeReport.exitCode([passed, failed, cut], oneSubmission: true) == 1, "a failure outranks a file cut short")
        #expect(GradeReport.exitCode([passed, cut], oneSubmission: true) == 2)
        #expect(GradeReport.exitCode([failed, empty], oneSubmission: true) == 66, "an unreadable file's own code comes first")
        #expect(GradeReport.exitCode([passed], oneSubmission: true) == 0)
    }
}
