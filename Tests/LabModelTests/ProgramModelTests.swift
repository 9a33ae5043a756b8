import Foundation
import Testing
@testable import LabModel
import LabPackets

/// The parts of running programs that need no kernel: command words, placeholders, the
/// experiment file's program sides, and strace's log read back.
@Suite struct ProgramModelTests {
    @Test(arguments: [
        ("python3 server.py {port}", ["python3", "server.py", "{port}"]),
        ("  sh -c 'echo a  b | tr a A'  ", ["sh", "-c", "echo a  b | tr a A"]),
        (#"./client "Hello, World!" x\ y"#, ["./client", "Hello, World!", "x y"]),
        (#"printf "a\"b\\c" ''"#, ["printf", #"a"b\c"#, ""]),
    ])
    func commandLinesSplitLikeAShell(line: String, words: [String]) throws {
        #expect(try Program.words(of: line).get() == words)
    }

    @Test(arguments: [("python3 'server.py", "unclosed ' quote"), ("a\\", "lone backslash"), ("   ", "empty")])
    func brokenCommandLinesSaySo(line: String, problem: String) {
        guard case let .failure(error) = Program.words(of: line) else {
            Issue.record("\(line) split without complaint")
            return
        }
        #expect(error.description.contains(problem))
    }

    @Test func placeholdersAreFilledInEveryWord() {
        let program = Program(arguments: ["./c", "{host}:{port}", "--out={out}/x"], directory: "/d", origin: .commandLine)
        #expect(program.filled(host: "127.0.0.1", port: 12345, out: "/o") == ["./c", "127.0.0.1:12345", "--out=/o/x"])
        #expect(Program.quoted(["python3", "a b", "it's"]) == #"python3 'a b' 'it'\''s'"#)
    }

    static let withPrograms = """
    {
      "title": "t",
      "trace": "trace9.pcap",
      "server": {"command": ["python3", "server.py", "{port}"]},
      "client": ["connect", {"send": "Hello"}, {"recvUntil": 5}, "close"],
      "labCode": {"client": ["python3", "lab/c.py", "{host}", "{port}"]},
      "deadline": "20s",
      "expect": [{"handshake": true}, {"data": "server", "sizes": [5], "labCodeDiffers": "because"}]
    }
    """

    func load(_ text: String) throws -> Experiment {
        let path = NSTemporaryDirectory() + "tcplab-\(UUID().uuidString).json"
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try ExperimentLoader.load(path: path, name: "x")
    }

    @Test func anExperimentFileCanNameProgramsAndLabCode() throws {
        let e = try load(Self.withPrograms)
        #expect(e.programs[.server]?.arguments == ["python3", "server.py", "{port}"])
        #expect(e.programs[.server]?.origin == .experimentFile)
        #expect(e.server.isEmpty && e.client.count == 4)
        #expect(e.labCode[.client]?.origin == .labCode && e.labCode[.server] == nil)
        #expect(e.deadline == .seconds(20))
        #expect(e.expectations[1].labCodeDiffers == "because")
        let lab = try #require(e.withLabCode())
        #expect(lab.client.isEmpty && lab.runsLabCode)
    }

    @Test(arguments: [
        (#""server": {"command": ["python3", "server.py", "{port}"]}"#, #""server": {"command": []}"#,
         "server.command: expected a command as a list of words"),
        (#""server": {"command": ["python3", "server.py", "{port}"]}"#, #""server": {"cmd": ["x"]}"#,
         "server.cmd: unknown key 'cmd' in server"),
        (#""deadline": "20s""#, #""deadline": "0s""#, "deadline: expected a positive duration"),
        (#""labCode": {"client""#, #""labCode": {"browser""#, "labCode.browser: unknown key 'browser' in labCode"),
        (#""labCodeDiffers": "because""#, #""labCodeDiffers": " ""#, "expect[1].labCodeDiffers: say why the lab's own code"),
    ])
    func badProgramKeysPointAtTheKey(original: String, replacement: String, message: String) throws {
        let text = Self.withPrograms.replacingOccurrences(of: original, with: replacement)
        #expect(text != Self.withPrograms)
        #expect(throws: (any Error).self) { try load(text) }
        do { _ = try load(text) } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test func straceOutputBecomesEachConnectionsCalls() {
        let log = """
        100 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 3
        100 read(5, ""..., 4096)                 = 100
        100 accept4(3, {sa_family=AF_INET, sin_port=htons(4000)}, [16], SOCK_CLOEXEC) = 4
        100 recvfrom(4, ""..., 5, 0, NULL, NULL) = 5
        100 sendto(4, ""..., 5, 0, NULL, 0 <unfinished ...>
        101 write(1, ""..., 12) = 12
        100 <... sendto resumed>)                = 5
        100 recvfrom(4, ""..., 5, 0, NULL, NULL) = 0
        100 sendto(4, ""..., 5, 0, NULL, 0)      = -1 EPIPE (Broken pipe)
        100 close(4)                                = 0
        200 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 7
        200 connect(7, {sa_family=AF_INET, sin_port=htons(12345)}, 16) = 0
        200 write(7, ""..., 20) = 20
        garbage line (
        200 shutdown(7, SHUT_WR)                 = 0
        4723  socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3
        4723  accept(3, NULL, NULL)             = 4
        4723  recvfrom(4, ""..., 5, 0, NULL, NULL) = 5
        """
        let sockets = StraceLog.parse(log)
        #expect(sockets.count == 3)
        #expect(sockets[2] == SocketCalls(pid: 4723, fd: 4, opened: "accept", reads: [.init(asked: 5, got: 5)]), "a pid padded to five columns")
        #expect(sockets[0] == SocketCalls(pid: 100, fd: 4, opened: "accept", sends: [5, -1],
                                          reads: [.init(asked: 5, got: 5), .init(asked: 5, got: 0)], shutdown: false, closed: true))
        #expect(sockets[0].description == "send() ×2 → 5, failed; recv(5) ×2 → 5, 0; close() after reading 5 bytes")
        #expect(sockets[1].opened == "connect" && sockets[1].sends == [20] && sockets[1].shutdown && !sockets[1].closed)
        #expect(StraceLog.parse("").isEmpty && StraceLog.parse("1 close(") .isEmpty && StraceLog.parse(") = = (").isEmpty)
    }
}
