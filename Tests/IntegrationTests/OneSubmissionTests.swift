import Foundation
import Testing

/// `grade --code DIR` where DIR is one student's repository, as Gradescope and GitHub Classroom
/// hand it over: the exit status is the grade. The lab's server with TCP_NODELAY is the passing
/// student; the same server reading 1 byte at a time, not 5, is the failing one. (The lab's own
/// server.py leaves Nagle on, so under load two of its 5-byte sends can leave as one segment: about
/// 1 run in 90 here, which would make a passing student fail now and then.) Each grade runs inside
/// a PID namespace of its own, as SandboxTests does, so a program that misbehaves harms only that.
@Suite(.serialized) struct OneSubmissionTests {
    static let readSizes = [("passing", "5", Int32(0)), ("failing", "1", Int32(1))]

    /// A student folder holding the lab's server.py with TCP_NODELAY (`PassingServer`) and a
    /// tcplab.json that runs it with `readSize`.
    static func submission(in root: String, readSize: String) throws -> String {
        let folder = root + "/submission"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try PassingServer.install(in: folder)
        try "{\"experiment-2\": {\"server\": \"python3 server.py {port} \(readSize)\"}}"
            .write(toFile: folder + "/tcplab.json", atomically: true, encoding: .utf8)
        return folder
    }

    static func grade(_ folder: String, _ extra: [String] = [], out: String) throws -> Finished {
        try execute("/usr/bin/unshare", ["--pid", "--fork", "--mount-proc", Repository.binary, "grade", "--code", folder,
                                         "--experiments", Repository.experiments, "--out", out] + extra)
    }

    @Test(.enabled(if: SandboxTests.canRun, "needs root, unshare (util-linux) and /usr/bin/python3"), arguments: readSizes)
    func aFolderHoldingTheProgramsIsOneSubmissionWhoseExitStatusIsItsGrade(_ student: String, _ readSize: String, _ status: Int32) throws {
        let root = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let folder = try Self.submission(in: root, readSize: readSize)
        let result = try Self.grade(folder, out: root + "/graded")
        #expect(result.status == status, "\(student): \(result.output)\(result.error)")
        let rows = result.output.split(separator: "\n").filter { $0.hasPrefix("submission ") }
        #expect(rows.count == 1, "one row, for the folder itself: \(result.output)")
        #expect(rows.first?.contains(status == 0 ? "1/1" : "0/1") == true, "\(result.output)")
    }

    /// `grade` on one student's captures: the exit status is the grade, as `check` gives it; the
    /// same two students graded as a class exit 0, since the verdicts are in the table. The lab's
    /// trace 2 passes experiment-2; trace 1 handed in as trace2.pcap fails it.
    @Test func oneStudentsCapturesExitWithTheirGradeAndAClassWith0() throws {
        let root = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let lab = Repository.root + "/Tests/IntegrationTests/Fixtures/lab"
        for (student, fixture) in [("passing", "lab-trace2-any.pcapng"), ("failing", "lab-trace1-nat-sll.pcap")] {
            try FileManager.default.createDirectory(atPath: root + "/class/" + student, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: lab + "/" + fixture, toPath: root + "/class/\(student)/trace2.pcap")
        }
        for (student, status) in [("passing", Int32(0)), ("failing", Int32(1))] {
            let result = try execute(Repository.binary, ["grade", root + "/class/" + student, "--experiments", Repository.experiments])
            #expect(result.status == status, "\(student): \(result.output)\(result.error)")
        }
        let result = try execute(Repository.binary, ["grade", root + "/class", "--experiments", Repository.experiments])
        #expect(result.status == 0, "a class: \(result.output)\(result.error)")
        #expect(result.output.contains("2 file(s): 2 graded, 0 could not be read; 1 passed"), "\(result.output)")
    }

    /// A student whose server leaves Nagle on fails by timing; the grade says why from the trace.
    /// The client delays its ACKs (`DelayedAckClient`), so the later 5-byte sends always wait.
    @Test(.enabled(if: SandboxTests.canRun, "needs root, unshare (util-linux) and /usr/bin/python3"))
    func aFailureFromMergedSendsIsExplainedAsNagle() throws {
        let root = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let folder = root + "/submission"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Repository.experiments + "/lab/server.py", toPath: folder + "/server.py")
        try DelayedAckClient.source.write(toFile: folder + "/client.py", atomically: true, encoding: .utf8)
        try "{\"experiment-2\": {\"server\": \"python3 server.py {port} 5\", \"client\": \"python3 client.py {host} {port}\"}}"
            .write(toFile: folder + "/tcplab.json", atomically: true, encoding: .utf8)
        let result = try Self.grade(folder, ["--repeat", "2"], out: root + "/graded")
        #expect(result.status == 1, "\(result.output)\(result.error)")
        let row = result.output.split(separator: "\n").first { $0.hasPrefix("submission ") }.map(String.init) ?? ""
        #expect(row.contains("server→client data: 4 segment(s) of 5 bytes: saw ")
                && row.contains(": likely Nagle's algorithm: the first 5 bytes were still unacked, so later sends waited until the delayed ACK came ")
                && row.hasSuffix(" (TCP_NODELAY turns it off)"), "\(result.output)")
    }
}
