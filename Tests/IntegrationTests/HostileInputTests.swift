import Foundation
import Testing

/// Hostile input on every surface that needs no root: experiment files, captures and
/// command-line values. Each gets its one line and its exit code, in bounded time and memory,
/// and leaves no file behind. The worst case's peak RSS is printed, and bounded.
@Suite struct HostileInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        /// Files to write into the case's folder, by name.
        var files: [String: [UInt8]] = [:]
        var arguments: [String]
        var status: Int32
        /// A piece of the first line on stderr (or of stdout, for a capture that is read).
        var message: String
        var testDescription: String { name }
    }

    static let fixtures = Repository.root + "/Tests/IntegrationTests/Fixtures/hostile"
    static let base = """
    {"title": "t", "trace": "trace9.pcap",
     "server": ["accept", {"recv": 5}, "close"],
     "client": ["connect", {"send": "hello"}, "close"],
     "expect": [{"handshake": true}]}
    """

    /// The base experiment with `old` replaced by `new`.
    static func experiment(_ old: String, _ new: String) -> [String: [UInt8]] {
        precondition(base.contains(old), "no \(old) in the base experiment")
        return ["e.json": Array(base.replacingOccurrences(of: old, with: new).utf8)]
    }

    static func validate(_ name: String, _ old: String, _ new: String, _ message: String) -> Case {
        Case(name: name, files: experiment(old, new), arguments: ["validate", "e.json"], status: 65, message: message)
    }

    /// An experiment whose expectations read HTTP, so the judge parses the hostile responses.
    static let httpExperiment = Array("""
    {"title": "h", "trace": "trace9.pcap", "port": 12345,
     "server": ["accept", "close"], "client": ["connect", "close"],
     "expect": [{"request": "GET / HTTP/1.1"}, {"response": 200}, {"responseSegments": 1, "for": "GET / HTTP/1.1"},
                {"data": "server", "total": 5}, {"responses": [200]}]}
    """.utf8)

    static func capture(_ file: String) -> [UInt8] {
        Array((try? Data(contentsOf: URL(fileURLWithPath: fixtures + "/" + file))) ?? Data())
    }

    static let steps1001 = "[\"connect\"" + String(repeating: ", {\"send\": \"x\"}", count: 1_001) + ", \"close\"]"
    static let expect1001 = "[" + Array(repeating: "{\"handshake\": true}", count: 1_001).joined(separator: ", ") + "]"

    static let cases: [Case] = [
        // Experiment files: every value bounded, with file:line:col and the key.
        validate("a sleep of 1e12 s", "{\"recv\": 5}", "{\"sleep\": \"1e12s\"}", "e.json:2:33: server[1].sleep: expected a duration of at most 3600s, got \"1e12s\""),
        validate("a sleep past Double", "{\"recv\": 5}", "{\"sleep\": \"1e400s\"}", "server[1].sleep: expected a duration of at most 3600s"),
        validate("sleeps adding up past an hour", "{\"recv\": 5}", "{\"sleep\": \"3000s\"}, {\"sleep\": \"3000s\"}", "server: the server's sleeps add up to 6000s, more than 3600s"),
        validate("a step timeout of an hour", "\"title\": \"t\"", "\"title\": \"t\", \"stepTimeout\": \"3600s\"", "stepTimeout: expected a duration of at most 600s"),
        validate("a deadline of two hours", "\"title\": \"t\"", "\"title\": \"t\", \"deadline\": \"7200s\"", "deadline: expected a duration of at most 3600s"),
        validate("a sleep before each read of 1e12 s", "{\"recv\": 5}", "{\"echoLoop\": {\"recv\": 5, \"sleepBeforeRecv\": \"1e12s\"}}", "server[1].echoLoop.sleepBeforeRecv: expected a duration of at most 3600s"),
        validate("a gap of 1e12 s", "{\"handshake\": true}", "{\"gap\": [\"client syn\", \"server syn\"], \"about\": \"1e12s\"}", "expect[0].about: expected a duration of at most 3600s"),
        validate("a recv of a terabyte", "{\"recv\": 5}", "{\"recv\": 1000000000000}", "server[1].recv: expected a byte count of at most 16777216, got 1000000000000"),
        validate("a recvUntil of a terabyte", "{\"recv\": 5}", "{\"recvUntil\": 1000000000000}", "server[1].recvUntil: expected a byte count of at most 16777216"),
        validate("a stream of 2 GiB", "{\"send\": \"hello\"}", "{\"stream\": 2147483648}", "client[1].stream: expected a byte count of at most 1073741824"),
        validate("a repeat of two million", "{\"send\": \"hello\"}", "{\"send\": \"hello\", \"repeat\": 2000000}", "client[1].repeat: expected a repeat count of at most 1000000"),
        validate("one send of 20 MB", "{\"send\": \"hello\"}", "{\"send\": \"" + String(repeating: "x", count: 100) + "\", \"repeat\": 200000}", "client[1].repeat: one send of 100 bytes × 200000 is more than 16777216 bytes"),
        validate("an echo reply past 16 MiB", "{\"recv\": 5}", "{\"echoLoop\": {\"recv\": 1048576, \"repeat\": 100}}", "server[1].echoLoop.repeat: each reply could be 1048576 bytes × 100"),
        validate("a side sending 2 GiB", "{\"send\": \"hello\"}", "{\"stream\": 1073741824}, {\"stream\": 1073741824}", "client: the client would send 2147483648 bytes, more than 1073741824"),
        validate("a negative repeat", "{\"send\": \"hello\"}", "{\"send\": \"hello\", \"repeat\": -1}", "client[1].repeat: expected a positive repeat count, got -1"),
        validate("a recv of 1e400", "{\"recv\": 5}", "{\"recv\": 1e400}", "e.json:2:32: the number 1e400 is out of range"),
        validate("port 70000", "\"title\": \"t\"", "\"title\": \"t\", \"port\": 70000", "port: expected a port from 1 to 65535"),
        validate("a snaplen of 1e12", "\"title\": \"t\"", "\"title\": \"t\", \"snaplen\": 1000000000000", "snaplen: expected a capture length from 68"),
        validate("an MTU of a billion", "\"title\": \"t\"", "\"title\": \"t\", \"link\": {\"mtu\": 1000000000}", "link.mtu: expected an MTU from 576 to 65536"),
        validate("1001 steps", "[\"connect\", {\"send\": \"hello\"}, \"close\"]", steps1001, "client: 1003 steps, more than the 1000 a side may have"),
        validate("1001 expectations", "[{\"handshake\": true}]", expect1001, "expect: 1001 expectations, more than 1000"),
        validate("a 100 KB title", "\"title\": \"t\"", "\"title\": \"" + String(repeating: "t", count: 100_000) + "\"", "e.json:1:11: a string longer than 65536 bytes"),
        validate("an idle timeout past the step timeout", "\"server\": [\"accept\", {\"recv\": 5}, \"close\"]",
                 "\"server\": [{\"serveHTTP\": {\"root\": \"www\", \"idleTimeout\": \"3000s\"}}]",
                 "server[0].serveHTTP.idleTimeout: the idle timeout (3000s) must be shorter than the stepTimeout (15s)"),
        validate("null for the server", "\"server\": [\"accept\", {\"recv\": 5}, \"close\"]", "\"server\": null", "server: expected a list"),
        validate("an empty lab command", "\"title\": \"t\"", "\"title\": \"t\", \"labCode\": {\"server\": []}", "labCode.server: expected a command as a list of words"),
        Case(name: "nesting 100000 deep", files: ["e.json": Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)],
             arguments: ["validate", "e.json"], status: 65, message: "e.json:1:33: nested deeper than 32 levels"),
        Case(name: "a 2 MiB file", files: ["e.json": Array(base.utf8) + Array(repeating: UInt8(ascii: " "), count: 2 << 20)],
             arguments: ["validate", "e.json"], status: 65, message: "an experiment file may have at most 1048576"),
        Case(name: "bytes that are not UTF-8", files: ["e.json": [0x7b, 0xff, 0xfe, 0x7d]], arguments: ["validate", "e.json"],
             status: 65, message: "e.json:1:1: the file is not UTF-8 text"),
        // Captures: read to their end or refused with one line, never a crash.
        Case(name: "Content-Length Int64.max in show", files: ["c.pcap": capture("content-length-int64-max.pcap")],
             arguments: ["show", "c.pcap"], status: 0, message: "HTTP/1.1 200 OK"),
        Case(name: "Content-Length Int64.max in check", files: ["c.pcap": capture("content-length-int64-max.pcap"), "x/h.json": httpExperiment],
             arguments: ["check", "c.pcap", "--experiments", "x", "--experiment", "h"], status: 1, message: "response 200"),
        Case(name: "Content-Length -1000 in check", files: ["c.pcap": capture("content-length-negative.pcap"), "x/h.json": httpExperiment],
             arguments: ["check", "c.pcap", "--experiments", "x", "--experiment", "h"], status: 1, message: "response 200"),
        Case(name: "Content-Length of 18 digits in check", files: ["c.pcap": capture("content-length-18-digits.pcap"), "x/h.json": httpExperiment],
             arguments: ["check", "c.pcap", "--experiments", "x", "--experiment", "h", "--explain"], status: 1, message: "response 200"),
        Case(name: "an empty capture", files: ["c.pcap": []], arguments: ["show", "c.pcap"], status: 2, message: "c.pcap"),
        Case(name: "random bytes as a capture", files: ["c.pcap": (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 13) }],
             arguments: ["show", "c.pcap"], status: 2, message: "c.pcap"),
        Case(name: "a pcap record claiming 4 GiB", files: ["c.pcap": [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                                                      0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0,
                                                                      0, 0, 0, 0, 0, 0, 0, 0, 0xf0, 0xff, 0xff, 0xff, 0xf0, 0xff, 0xff, 0xff]],
             arguments: ["check", "c.pcap"], status: 2, message: "c.pcap"),
        Case(name: "a pcapng block claiming 4 GiB", files: ["c.pcapng": [0x0a, 0x0d, 0x0d, 0x0a, 0xf0, 0xff, 0xff, 0xff, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0]],
             arguments: ["show", "c.pcapng"], status: 2, message: "c.pcapng"),
        Case(name: "a folder given as a capture", files: [:], arguments: ["show", "."], status: 66, message: "."),
        Case(name: "a class of hostile files", files: ["class/s1/trace2.pcap": [], "class/s2/trace61.pcap": capture("content-length-int64-max.pcap"),
                                                       "class/s3/x.pcapng": [0x0a, 0x0d, 0x0d, 0x0a, 0xf0, 0xff, 0xff, 0xff]],
             arguments: ["grade", "class"], status: 2, message: "s2"),
        // Command-line values.
        Case(name: "--repeat=-1", arguments: ["run", "experiment-2", "--repeat=-1"], status: 64, message: "--repeat must be a whole number of runs, at least 1; got -1"),
        Case(name: "--repeat -1", arguments: ["run", "experiment-2", "--repeat", "-1"], status: 64, message: "--repeat must be a whole number of runs, at least 1; got -1"),
        Case(name: "--repeat past Int", arguments: ["run", "experiment-2", "--repeat", "99999999999999999999"], status: 64, message: "99999999999999999999"),
        Case(name: "--jobs 0", arguments: ["run", "experiment-2", "--jobs", "0"], status: 64, message: "--jobs must be at least 1, got 0"),
        Case(name: "--deadline 1e12s", arguments: ["run", "experiment-2", "--deadline", "1e12s"], status: 64, message: "invalid for '--deadline <duration>': expected a duration of at most 3600s, got \"1e12s\""),
        Case(name: "an unclosed quote in a command", arguments: ["run", "experiment-2", "--server-command", "python3 'x"], status: 64, message: "unclosed ' quote"),
        Case(name: "an empty client command", arguments: ["run", "experiment-2", "--client-command", ""], status: 64, message: "the command is empty"),
        Case(name: "a filter tcplab cannot read", files: ["c.pcap": capture("content-length-negative.pcap")],
             arguments: ["show", "c.pcap", "--filter", "tcp.port == ((("], status: 64, message: "filter"),
        Case(name: "grade --code on a missing folder", arguments: ["grade", "--code", "nothere", "--experiment", "experiment-2"], status: 66, message: "nothere: no such file or folder"),
        Case(name: "check against an unknown experiment", files: ["c.pcap": capture("content-length-negative.pcap")],
             arguments: ["check", "c.pcap", "--experiment", "nope"], status: 66, message: "nope"),
    ]

    @Test func thereAreAtLeastFortyCases() {
        #expect(Self.cases.count >= 40)
    }

    @Test(arguments: cases)
    func hostileInputGetsOneLineInBoundedTimeAndMemory(_ c: Case) throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, bytes) in c.files {
            let path = dir + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
        let before = Set(try FileManager.default.subpathsOfDirectory(atPath: dir))
        let measured = try execute("python3", [Self.fixtures + "/measure.py", "60", Repository.binary] + c.arguments, in: dir)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(measured.output.utf8)) as? [String: Any], "\(measured.error)")
        let timedOut = report["timedOut"] as? Bool ?? true
        #expect(!timedOut, "\(c.name): still running after 60 s")
        let status = report["status"] as? Int32 ?? -1
        let stderr = report["stderr"] as? String ?? "", stdout = report["stdout"] as? String ?? ""
        #expect(status == c.status, "\(c.name): exit \(status)\n\(stderr)\(stdout.suffix(600))")
        let firstLine = stderr.split(separator: "\n").first.map(String.init) ?? ""
        #expect(firstLine.contains(c.message) || (stderr.isEmpty && stdout.contains(c.message)),
                "\(c.name): expected \"\(c.message)\", got stderr \"\(firstLine)\"")
        #expect(!stderr.contains("Fatal error") && !stderr.contains("Program crashed"), "\(c.name) crashed:\n\(stderr)")
        let rss = report["maxRSSKiB"] as? Int ?? 0
        #expect(rss < 512 << 10, "\(c.name): peak RSS \(rss) KiB")
        print("hostile input \"\(c.name)\": exit \(status), \(rss) KiB peak RSS, \(String(format: "%.2f", report["seconds"] as? Double ?? 0)) s")
        // Nothing written: no trace, no partial file, no folder.
        let after = Set(try FileManager.default.subpathsOfDirectory(atPath: dir))
        #expect(after == before, "\(c.name) left \(after.subtracting(before).sorted())")
    }
}
