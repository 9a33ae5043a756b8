import Foundation
import Testing

/// Every subcommand that reads experiments, pointed at a folder without usable ones: empty,
/// missing, holding only non-JSON files, or holding a `.json` file that is not JSON. Each gets
/// one line on stderr and a documented exit code, never a trap (`check` once died of SIGILL here).
@Suite struct ExperimentsFolderTests {
    enum Folder: String, CaseIterable, Sendable {
        case empty, missing, nonJSONFiles, brokenJSON
    }

    /// The subcommands, each as its arguments after the name; `$C` is a capture, `$D` the test's folder.
    /// `show` reads no experiments, so it has no --experiments to point anywhere.
    static let commands: [[String]] = [
        ["list"],
        ["validate"],
        ["validate", "experiment-2"],
        ["run", "experiment-2", "--out", "$D/traces"],
        ["run", "--all", "--out", "$D/traces"],
        ["check", "$C"],
        ["check", "$C", "--experiment", "experiment-2"],
        ["check", "$C", "--explain"],
        ["grade", "$C"],
        ["grade", "--code", "$D/students", "--experiment", "experiment-2", "--out", "$D/graded"],
        ["serve", "experiment-61"],
        ["serve", "experiment-2", "--listen", "127.0.0.1:9"],
        ["client", "experiment-2", "--connect", "127.0.0.1:9"],
    ]

    static var cases: [(Folder, [String])] { Folder.allCases.flatMap { folder in commands.map { (folder, $0) } } }

    /// The one line each folder gets, by whether the command names an experiment.
    static func expected(_ folder: Folder, _ arguments: [String], experiments: String) -> (status: Int32, message: String) {
        let named = ["validate", "run", "serve", "client"].contains(arguments[0]) && arguments.count > 1 && arguments[1] != "--all"
            || arguments.contains("--experiment") && arguments[0] == "check"
        switch folder {
        case .missing:
            return (66, "\(experiments): no such directory of experiments")
        case .empty, .nonJSONFiles:
            if named { return (66, "unknown experiment '\(arguments.first { $0.hasPrefix("experiment-") }!)' in \(experiments)/; known: none") }
            return (66, "\(experiments): no experiment files (NAME.json) in this folder; pass --experiments with the folder that holds them")
        case .brokenJSON:
            // grade --code finds the folder's experiments first, then the one --experiment names.
            if named || arguments[0] == "grade" && arguments.contains("--code") { return (66, "unknown experiment '\(arguments.first { $0.hasPrefix("experiment-") }!)' in \(experiments)/; known: notes") }
            return (65, "\(experiments)/notes.json:1:1: expected a value, found 'T'")
        }
    }

    @Test(arguments: cases)
    func aFolderWithoutExperimentsGetsOneLineAndADocumentedExit(_ folder: Folder, _ arguments: [String]) throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let experiments = dir + "/experiments"
        switch folder {
        case .missing: break
        case .empty:
            try FileManager.default.createDirectory(atPath: experiments, withIntermediateDirectories: false)
        case .nonJSONFiles:
            try FileManager.default.createDirectory(atPath: experiments, withIntermediateDirectories: false)
            try "The experiments are in the other folder.\n".write(toFile: experiments + "/README.txt", atomically: true, encoding: .utf8)
            try FileManager.default.copyItem(atPath: Self.capture, toPath: experiments + "/trace2.pcap")
        case .brokenJSON:
            try FileManager.default.createDirectory(atPath: experiments, withIntermediateDirectories: false)
            try "TODO: write the experiment\n".write(toFile: experiments + "/notes.json", atomically: true, encoding: .utf8)
        }
        try FileManager.default.createDirectory(atPath: dir + "/students/alice", withIntermediateDirectories: true)
        let filled = arguments.map { $0.replacingOccurrences(of: "$C", with: Self.capture).replacingOccurrences(of: "$D", with: dir) }
        let result = try execute(Repository.binary, filled + ["--experiments", experiments])
        let want = Self.expected(folder, arguments, experiments: experiments)
        #expect(result.status == want.status, "exit \(result.status), stderr: \(result.error)")
        #expect(result.error == "tcplab: \(want.message)\n")
        #expect(result.output.isEmpty, "nothing is printed before the error: \(result.output)")
    }

    static let capture = Repository.root + "/Tests/IntegrationTests/Fixtures/corpus/lo-ipv4.pcap"

    /// `show` needs no experiments: a wrong folder in the environment does not stop it.
    @Test func showIgnoresAnEmptyExperimentsFolder() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try execute(Repository.binary, ["show", Self.capture, "--count-only"], environment: ["TCPLAB_EXPERIMENTS": dir])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.error.isEmpty)
    }
}
