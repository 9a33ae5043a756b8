import Foundation
import Testing
@testable import LabModel
import LabPackets

@Suite struct ExperimentLoaderTests {
    static let valid = """
    {
      "title": "t",
      "trace": "trace9.pcap",
      "server": ["accept", {"echoLoop": {"recv": 5, "send": "upper"}}, "close"],
      "client": ["connect", {"send": "Hello"}, {"recvUntil": 5}, "close"],
      "expect": [{"handshake": true}, {"data": "server", "sizes": [5]}]
    }
    """

    /// Writes `text` to a fresh file and loads it; returns the error's message.
    static func problem(_ text: String) -> String? {
        let path = NSTemporaryDirectory() + "tcplab-\(UUID().uuidString).json"
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try ExperimentLoader.load(path: path, name: "x")
            return nil
        } catch {
            #expect(error.exitCode == 65)
            return error.description.replacingOccurrences(of: path, with: "FILE")
        }
    }

    @Test func loadsAValidFile() throws {
        #expect(Self.problem(Self.valid) == nil)
    }

    @Test(arguments: [
        ("{\n  \"title\": \"t\",\n  \"trace\" \"x\"\n}", "FILE:3:11: expected ':' after key 'trace', found '\"'"),
        ("", "FILE:1:1: the file is empty"),
        ("{\"title\": \"t\",}", "FILE:1:15: expected a key in double quotes, found '}'"),
        ("{\"a\": 1, \"a\": 2}", "FILE:1:10: duplicate key 'a'"),
    ])
    func syntaxErrorsGiveLineAndColumn(text: String, message: String) {
        #expect(Self.problem(text) == message)
    }

    @Test(arguments: [
        ("{\"recvUntil\": 5}", "{\"recv\": -5}", "FILE:5:53: client[2].recv: expected a positive byte count, got -5"),
        ("\"title\": \"t\"", "\"titel\": \"t\"", "FILE:2:3: titel: unknown key 'titel' in an experiment (did you mean 'title'?)"),
        ("{\"send\": \"Hello\"}", "{\"sned\": \"Hello\"}", "FILE:5:26: client[1].sned: unknown step 'sned' (did you mean 'send'?)"),
        ("\"sizes\": [5]", "\"sizes\": [5], \"total\": 6", "FILE:6:77: expect[1].total: contradicts sizes: 6 bytes, but sizes add up to 5"),
        ("\"sizes\": [5]", "\"sizes\": \"5\"", "FILE:6:63: expect[1].sizes: expected a list"),
        ("{\"handshake\": true}", "{\"handshake\": true, \"rst\": \"none\"}", "FILE:6:34: expect[0].rst: one expectation checks one thing, but this one has handshake and rst"),
        ("\"trace9.pcap\"", "\"trace9.txt\"", "FILE:3:12: trace: expected a file name ending in .pcap, such as \"trace2.pcap\", got \"trace9.txt\""),
        ("\"server\": [\"accept\", ", "\"server\": [", "FILE:4:13: server: the server must accept before using its socket; add \"accept\""),
        ("{\"handshake\": true}", "{\"segment\": \"server dat 1\", \"len\": 5}", "FILE:6:26: expect[0].segment: cannot read segment \"server dat 1\"; write it as \"server data 2\", \"client fin\", \"client syn\", \"server rst\" or \"server last\""),
    ])
    func schemaProblemsPointAtTheKey(original: String, replacement: String, message: String) {
        let text = Self.valid.replacingOccurrences(of: original, with: replacement)
        #expect(text != Self.valid)
        #expect(Self.problem(text) == message)
    }

    @Test(arguments: ["{\"data\": null, \"count\": 1}", "{\"payload\": null, \"text\": \"x\"}",
                      "{\"payload\": \"client\", \"text\": null}", "{\"payload\": \"client\", \"upperOf\": null}"])
    func nullWhereASideBelongsIsAnErrorNotACrash(expectation: String) {
        let text = Self.valid.replacingOccurrences(of: "{\"handshake\": true}", with: expectation)
        #expect(Self.problem(text)?.contains("got null") == true)
    }

    @Test func aBarrierMustNameAStepOfTheOtherSide() {
        let text = Self.valid.replacingOccurrences(of: "\"connect\", ", with: "\"connect\", {\"waitFor\": \"ready\"}, ")
        #expect(Self.problem(text) == "FILE:5:37: client[1].waitFor: no server step is named \"ready\"; give that step a \"name\"")
    }

    @Test func contradictoryExpectationsAreRejected() {
        let text = Self.valid.replacingOccurrences(
            of: "{\"handshake\": true}", with: "{\"rst\": \"none\"}, {\"segment\": \"client rst\", \"seq\": 1}")
        #expect(Self.problem(text)?.contains("expect[1]: refers to client rst, which contradicts expect[0] (rst: none)") == true)
    }

    @Test func netemKeysAreRejectedWithTheReason() {
        let text = Self.valid.replacingOccurrences(of: "\"title\": \"t\",", with: "\"title\": \"t\", \"link\": {\"delay\": \"10ms\"},")
        #expect(Self.problem(text)?.contains("link.delay: this kernel has no netem") == true)
    }

    @Test(arguments: [("experiment2", "experiment-2"), ("2", "experiment-2"), ("trace2", "experiment-2"), ("Experiment_2", "experiment-2"),
                      ("trace2.pcap", "experiment-2"), ("exp-3-drian", "experiment-3-drain"), ("3drain", "experiment-3-drain"),
                      ("experment-2", "experiment-2"), ("expriment-3-drain", "experiment-3-drain"), ("Exprement-61", "experiment-61")])
    func aMistypedNameIsPointedAtTheExperiment(typed: String, meant: String) {
        let known = ["experiment-0", "experiment-1", "experiment-2", "experiment-3", "experiment-3-drain", "experiment-61"]
        #expect(ExperimentLoader.suggestion(for: typed, in: known) == meant)
    }

    @Test(arguments: ["experiment-7", "7", "100", "trace", "", "zzzzzz"])
    func anotherNumberOrNoNameSuggestsNothing(typed: String) {
        #expect(ExperimentLoader.suggestion(for: typed, in: ["experiment-1", "experiment-2", "experiment-61"]) == nil)
    }

    @Test func anUnknownExperimentListsTheKnownOnes() throws {
        let dir = NSTemporaryDirectory() + "tcplab-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in ["experiment-10", "experiment-2"] {
            _ = FileManager.default.createFile(atPath: "\(dir)/\(name).json", contents: Data(Self.valid.utf8))
        }
        let loader = ExperimentLoader(directory: dir)
        #expect(try loader.names() == ["experiment-2", "experiment-10"])
        do {
            _ = try loader.load("experiment-7")
            Issue.record("loading an unknown experiment must fail")
        } catch {
            #expect(error.exitCode == 66)
            #expect(error.description == "unknown experiment 'experiment-7' in \(dir)/; known: experiment-2, experiment-10")
        }
    }

    @Test func everyShippedExperimentLoads() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Experiments").path
        let loader = ExperimentLoader(directory: dir)
        let names = try loader.names()
        #expect(names.count >= 6)
        for name in names { _ = try loader.load(name) }
    }

    @Test(arguments: [("5s", 5_000_000_000), ("40ms", 40_000_000), ("1.5s", 1_500_000_000), ("250us", 250_000)] as [(String, Int64)])
    func parsesDurationsAsStudentsWriteThem(text: String, nanoseconds: Int64) {
        #expect(parseDuration(text) == .nanoseconds(nanoseconds))
    }

    @Test func refusesDurationsWithoutAUnit() {
        #expect(parseDuration("5") == nil)
        #expect(parseDuration("-1s") == nil)
    }
}
