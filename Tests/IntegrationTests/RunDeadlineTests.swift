import Foundation
import Testing

/// A run whose scripted endpoints keep making progress forever (two echo loops bouncing five
/// bytes) still ends, at its deadline of sleeps + 4 × stepTimeout, as a harness failure that
/// names the step each side was in, leaving nothing running.
@Suite(.enabled(if: getuid() == 0, "needs root to run experiments"))
struct RunDeadlineTests {
    static let runaway = """
    {"title": "ping-pong forever", "trace": "trace9.pcap", "stepTimeout": "1s",
     "server": ["accept", {"echoLoop": {"recv": 5, "send": "same"}}, "close"],
     "client": ["connect", {"send": "hello"}, {"echoLoop": {"recv": 5, "send": "same", "sleepBeforeRecv": "100ms"}}, "close"],
     "expect": [{"handshake": true}]}
    """

    @Test func aRunawayRunStopsAtItsDeadline() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/x", withIntermediateDirectories: true)
        try Self.runaway.write(toFile: dir + "/x/runaway.json", atomically: true, encoding: .utf8)
        let started = Date()
        let result = try execute(Repository.binary, ["run", "runaway", "--experiments", dir + "/x", "--out", dir + "/out"])
        let took = Date().timeIntervalSince(started)
        #expect(result.status == 70, "exit \(result.status)\n\(result.output.suffix(1500))\(result.error)")
        #expect(result.output.contains("HARNESS  the run passed its deadline of 4s: server was in step 2 (loop { recv 5; send same } until EOF) at the run's deadline; client was in step 3"),
                "\(result.output.suffix(1500))")
        // Stopped within the deadline plus the capture's 1 s poll, not after some longer timeout.
        #expect(took < 20, "took \(took) s")
        let leftovers = try execute("pgrep", ["-af", dir])
        #expect(leftovers.output.isEmpty, "processes left: \(leftovers.output)")
    }
}
