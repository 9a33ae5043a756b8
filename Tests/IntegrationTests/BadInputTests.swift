import Foundation
import LabSystem
import Testing

/// Bad input of every kind gets exactly one clear line on stderr, the right exit code, and
/// leaves no trace file behind. `$D` stands for the test's own folder.
@Suite struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        /// Experiment files to write into $D/x/, by name.
        var files: [String: String] = [:]
        var arguments: [String]
        var status: Int32
        var message: String
        var needsRoot = false
        var testDescription: String { name }
    }

    /// A copy of experiment-2 frozen for these cases, whose messages give lines and columns in it.
    static let good = try! String(contentsOfFile: Repository.root + "/Tests/IntegrationTests/Fixtures/bad-input-base.json", encoding: .utf8)

    static func edited(_ old: String, _ new: String) -> String {
        precondition(good.contains(old), "fixture text moved: \(old)")
        return good.replacingOccurrences(of: old, with: new)
    }

    static let cases: [Case] = [
        Case(name: "malformed JSON", files: ["e": "{\n  \"title\": \"t\",\n  \"trace\" \"x\"\n}"], arguments: ["validate", "e"],
             status: 65, message: "$D/x/e.json:3:11: expected ':' after key 'trace', found '\"'"),
        Case(name: "an empty file", files: ["e": ""], arguments: ["validate", "e"], status: 65, message: "$D/x/e.json:1:1: the file is empty"),
        Case(name: "a wrong type", files: ["e": edited("\"port\": 12345", "\"port\": \"12345\"")], arguments: ["validate", "e"],
             status: 65, message: "$D/x/e.json:6:11: port: expected a whole number"),
        Case(name: "an unknown key, with a suggestion", files: ["e": edited("\"title\"", "\"titel\"")], arguments: ["validate", "e"],
             status: 65, message: "$D/x/e.json:3:3: titel: unknown key 'titel' in an experiment (did you mean 'title'?)"),
        Case(name: "an unknown step, with a suggestion", files: ["e": edited("{\"send\": \"Hello! Hello, World!\"}", "{\"sned\": \"Hello! Hello, World!\"}")],
             arguments: ["validate", "e"], status: 65, message: "$D/x/e.json:15:6: client[1].sned: unknown step 'sned' (did you mean 'send'?)"),
        Case(name: "a negative size", files: ["e": edited("{\"recvUntil\": 20}", "{\"recvUntil\": -20}")], arguments: ["validate", "e"],
             status: 65, message: "$D/x/e.json:16:19: client[2].recvUntil: expected a positive byte count, got -20"),
        Case(name: "sizes contradicting a total", files: ["e": edited("\"sizes\": [20]}", "\"sizes\": [20], \"total\": 21}")],
             arguments: ["validate", "e"], status: 65,
             message: "$D/x/e.json:21:48: expect[1].total: contradicts sizes: 21 bytes, but sizes add up to 20"),
        Case(name: "contradictory expectations", files: ["e": edited("{\"rst\": \"none\"}", "{\"rst\": \"none\"}, {\"segment\": \"client rst\", \"seq\": 21}")],
             arguments: ["validate", "e"], status: 65,
             message: "$D/x/e.json:30:22: expect[11]: refers to client rst, which contradicts expect[10] (rst: none)"),
        Case(name: "a missing web root", files: ["e": edited("\"accept\",", "{\"serveHTTP\": {\"root\": \"nope\"}},")],
             arguments: ["validate", "e"], status: 65, message: "$D/x/e.json:8:28: server[0].serveHTTP.root: no web root at $D/x/nope"),
        Case(name: "netem keys", files: ["e": edited("\"port\": 12345,", "\"port\": 12345, \"link\": {\"delay\": \"10ms\"},")],
             arguments: ["validate", "e"], status: 65,
             message: "$D/x/e.json:6:27: link.delay: this kernel has no netem, so delay cannot be emulated; use \"mtu\", \"offloads\" or a socket option instead"),
        Case(name: "a duration without a unit", files: ["e": edited("{\"recvUntil\": 20}", "{\"sleep\": \"5\"}")], arguments: ["validate", "e"],
             status: 65, message: "$D/x/e.json:16:15: client[2].sleep: expected a duration such as \"5s\" or \"40ms\", got \"5\""),
        Case(name: "an unknown TCP flag", files: ["e": edited("\"seq\": 21, \"ack\": 21}", "\"flags\": \"FIN,PHS\"}")], arguments: ["validate", "e"],
             status: 65, message: "$D/x/e.json:29:40: expect[9].flags: unknown TCP flag 'PHS'; known: FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, AE"),
        Case(name: "a barrier nobody reaches", files: ["e": edited("\"connect\",", "\"connect\", {\"waitFor\": \"ready\"},")], arguments: ["validate", "e"],
             status: 65, message: "$D/x/e.json:14:28: client[1].waitFor: no server step is named \"ready\"; give that step a \"name\""),
        Case(name: "two actions in one step", files: ["e": edited("{\"recvUntil\": 20}", "{\"recvUntil\": 20, \"recv\": 5}")], arguments: ["validate", "e"],
             status: 65, message: "$D/x/e.json:16:6: client[2].recvUntil: one step has one action, but this one has recv and recvUntil"),
        Case(name: "an impossible MTU", files: ["e": edited("\"port\": 12345,", "\"port\": 12345, \"link\": {\"mtu\": 100},")], arguments: ["validate", "e"],
             status: 65, message: "$D/x/e.json:6:34: link.mtu: expected an MTU from 576 to 65536, got 100"),
        Case(name: "an unknown experiment", files: ["good": good], arguments: ["run", "nope"], status: 66,
             message: "unknown experiment 'nope' in $D/x/; known: good"),
        Case(name: "a missing folder of experiments", arguments: ["run", "experiment-2", "--experiments", "$D/none"], status: 66,
             message: "$D/none: no such directory of experiments"),
        Case(name: "run without a name", arguments: ["run"], status: 64,
             message: "Error: name an experiment (see `tcplab list`) or pass --all"),
        Case(name: "a zero repeat count", files: ["good": good], arguments: ["run", "good", "--repeat", "0"], status: 64,
             message: "Error: --repeat must be a whole number of runs, at least 1; got 0"),
        Case(name: "an output folder that cannot be made", files: ["good": good], arguments: ["run", "good", "--out", "$D/x/good.json/out"],
             status: 73, message: "$D/x/good.json/out: cannot create the output folder: Not a directory (at $D/x/good.json); pass --out with a folder you can write to", needsRoot: true),
        Case(name: "a missing capture", arguments: ["show", "$D/none.pcap"], status: 66, message: "$D/none.pcap: No such file or directory"),
        Case(name: "an empty capture", files: ["good": good], arguments: ["show", "$D/x/empty.pcap"], status: 2,
             message: "$D/x/empty.pcap: the file is empty"),
        Case(name: "a file that is not a capture", arguments: ["show", "$D/x/good.json"], status: 2,
             message: "$D/x/good.json: file.magic at byte 0: 0x7b0a2020 is neither pcap nor pcapng"),
        Case(name: "a truncated capture", arguments: ["show", Repository.root + "/Tests/IntegrationTests/Fixtures/corpus/truncated.pcap", "--count-only"],
             status: 2, message: Repository.root + "/Tests/IntegrationTests/Fixtures/corpus/truncated.pcap: the file is cut short in the middle of packet 39: it starts at byte 3787, and 43 of its 70 bytes are there"),
        Case(name: "a capture of another link type", files: ["good": good], arguments: ["check", "$D/x/other.pcap", "--experiment", "good"],
             status: 2, message: "$D/x/other.pcap: frame.linktype at byte 0: link type 147 is not supported; tcplab reads EN10MB, LINUX_SLL, LINUX_SLL2, NULL, LOOP and RAW"),
        Case(name: "a bad BPF filter", arguments: ["show", Repository.root + "/Tests/IntegrationTests/Fixtures/corpus/lo-ipv4.pcap", "--filter", "port port"],
             status: 64, message: "--filter 'port port': libpcap: can't parse filter expression: syntax error; it takes a BPF expression as tcpdump does "
                + "(host 10.0.2.4, port 12345, tcp[tcpflags] & tcp-syn != 0) and the words ack, fin, push, rst, syn, joined by and, or, not"),
        Case(name: "a Wireshark display filter", arguments: ["show", Repository.root + "/Tests/IntegrationTests/Fixtures/corpus/lo-ipv4.pcap", "--filter",
                                                             "tcp.port == 80 && !tcp.flags.ack"],
             status: 64, message: "--filter 'tcp.port == 80 && !tcp.flags.ack': libpcap: can't parse filter expression: syntax error; it takes a BPF "
                + "expression as tcpdump does (host 10.0.2.4, port 12345, tcp[tcpflags] & tcp-syn != 0) and the words ack, fin, push, rst, syn, "
                + "joined by and, or, not; for Wireshark's display filter 'tcp.port == 80 && !tcp.flags.ack' write 'tcp port 80 and not ack'"),
        Case(name: "the browser for an experiment without one", files: ["good": good], arguments: ["run", "good", "--client", "browser"], status: 64,
             message: "--client browser needs a \"browser\" section, which good lacks"),
    ]

    @Test(arguments: cases.filter { !$0.needsRoot })
    func badInputGetsOneClearLine(_ row: Case) throws {
        try check(row)
    }

    /// The cases that reach a run, which needs a namespace: skipped, and said so, without root.
    @Test(.enabled(if: getuid() == 0, "needs root: these cases reach a run"), arguments: cases.filter(\.needsRoot))
    func badInputThatReachesARunGetsOneClearLine(_ row: Case) throws {
        try check(row)
    }

    func check(_ row: Case) throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let folder = dir + "/x"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (name, text) in row.files { try text.write(toFile: "\(folder)/\(name).json", atomically: true, encoding: .utf8) }
        try Data(Self.good.utf8).write(to: URL(fileURLWithPath: folder + "/good.json"))
        _ = FileManager.default.createFile(atPath: folder + "/empty.pcap", contents: Data())
        // A classic pcap of link type 147 (USER0) with one 4-byte record.
        _ = FileManager.default.createFile(atPath: folder + "/other.pcap", contents: Data(
            [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0] + [UInt8](repeating: 0, count: 8) + [0xff, 0xff, 0, 0, 0x93, 0, 0, 0]
                + [10, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 0x61, 0x62, 0x63, 0x64]))
        var arguments = row.arguments.map { $0.replacingOccurrences(of: "$D", with: dir) }
        if !arguments.contains("--experiments") && ["run", "validate", "check"].contains(arguments[0]) {
            arguments += ["--experiments", folder]
        }
        if arguments[0] == "run" && !arguments.contains("--out") { arguments += ["--out", dir + "/traces"] }
        let result = try execute(Repository.binary, arguments)
        let lines = result.error.split(separator: "\n").map(String.init)
        #expect(result.status == row.status, "\(row.name): exit \(result.status), stderr: \(result.error)")
        let expected = row.message.replacingOccurrences(of: "$D", with: dir)
        #expect(lines.first.map { $0 == "tcplab: " + expected || $0 == expected } == true, "\(row.name): \(result.error)")
        // One line of error; ArgumentParser's usage errors add the usage after it.
        #expect(lines.count == 1 || row.status == 64, "\(row.name): \(lines.count) lines")
        let traces = (try? FileManager.default.contentsOfDirectory(atPath: dir + "/traces")) ?? []
        #expect(traces.isEmpty, "\(row.name) left \(traces)")
    }

    @Test func servingOnAPortInUseSaysSo() throws {
        let holder = try TCPSocket.listen(port: 0)
        defer { try? holder.close() }
        let port = try #require(holder.localPort)
        let result = try execute(Repository.binary, ["serve", "experiment-61", "--experiments", Repository.experiments,
                                                     "--port", String(port)])
        #expect(result.status == 70)
        #expect(result.error == "tcplab: cannot listen on 127.0.0.1:\(port): Address already in use; pick another with --port\n")
    }
}
