import Foundation
import Testing

/// The live status line exists only on a terminal: under a pseudo-terminal (`script`) it is
/// redrawn in place and erased before the results; under NO_COLOR, or piped, no escape at all.
@Suite(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/script"),
                "needs root and util-linux's script"))
struct StatusLineTests {
    static func runOnTerminal(environment: String = "") throws -> String {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let command = "env -u NO_COLOR \(environment) \(Repository.binary) run experiment-61 --experiments \(Repository.experiments) --out \(dir)"
        let result = try execute("script", ["-qec", command, "/dev/null"])
        #expect(result.status == 0, "\(result.output)")
        return result.output
    }

    @Test func onATerminalTheStatusLineUpdatesAndIsErasedBeforeTheResults() throws {
        let output = try Self.runOnTerminal()
        let draws = output.components(separatedBy: "\r\u{1B}[K… experiment-61: ").dropFirst()
        #expect(draws.count >= 3, "the status line was drawn \(draws.count) time(s)")
        let phases = Set(draws.compactMap { $0.split(separator: ",").first?.split(separator: " ").first })
        #expect(phases.contains("experiment"), "phases seen: \(phases)")
        let elapsed = draws.compactMap { $0.split(separator: ",").first?.split(separator: " ").last.flatMap { Double($0.dropLast()) } }
        #expect(elapsed == elapsed.sorted() && (elapsed.last ?? 0) > (elapsed.first ?? 0), "elapsed times \(elapsed)")
        // Everything after the final erase is the report, with no status text left in it.
        let afterLastErase = output.components(separatedBy: "\r\u{1B}[K").last ?? ""
        #expect(afterLastErase.contains("experiment-61: passed") && !afterLastErase.contains("… experiment-61"))
        #expect(output.contains("\u{1B}[32mok"), "verdicts are coloured on a terminal")
    }

    @Test func anInterruptErasesTheStatusLine() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let typescript = dir + "/typescript"
        let command = "env -u NO_COLOR \(Repository.binary) run experiment-4 --experiments \(Repository.experiments) --out \(dir)/out"
        let script = Process()
        script.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        script.arguments = ["-qfec", command, typescript]
        script.standardOutput = FileHandle.nullDevice
        try script.run()
        // Wait (bounded) until the status line is on screen, then interrupt tcplab itself.
        let deadline = Date().addingTimeInterval(8)
        var drawn = false
        while !drawn && Date() < deadline {
            usleep(50_000)  // polling the typescript for a condition, not timing the experiment
            drawn = ((try? String(contentsOfFile: typescript, encoding: .utf8)) ?? "").contains("… experiment-4: experiment")
        }
        #expect(drawn, "the status line never appeared")
        // Only tcplab: `script`'s own command line names the folder too.
        _ = try execute("pkill", ["-INT", "-f", "^\(Repository.binary) run experiment-4 .*\(dir)/out"])
        script.waitUntilExit()
        let output = (try? String(contentsOfFile: typescript, encoding: .utf8)) ?? ""
        let afterLastDraw = output.components(separatedBy: "… experiment-4: ").last ?? ""
        #expect(afterLastDraw.contains("\r\u{1B}[K"), "the last status line was left on the terminal")
    }

    @Test func noColorMeansNoEscapesEvenOnATerminal() throws {
        let output = try Self.runOnTerminal(environment: "NO_COLOR=1")
        #expect(!output.contains("\u{1B}"))
        #expect(output.contains("experiment-61: passed"))
    }
}
