import Foundation
import LabModel
import Testing

/// `check` without `--experiment` names the experiment a trace belongs to: for every trace tcplab's
/// experiments write, and for the same traces as another machine would have captured them
/// (other addresses, another port) and on an Ethernet-sized link (MSS 1460).
@Suite(.enabled(if: getuid() == 0, "needs root to run the experiments"))
struct ExperimentMatchTests {
    static let rewrite = Repository.root + "/Tests/IntegrationTests/Fixtures/corpus-tools/rewrite.py"

    /// Runs every experiment from `experiments` into a fresh folder; returns it and what `run` said.
    func runAll(_ experiments: String) throws -> (String, Finished) {
        let dir = try Repository.temporaryDirectory()
        let run = try execute(Repository.binary, ["run", "--all", "--experiments", experiments, "--out", dir, "--quiet"])
        return (dir, run)
    }

    func bestMatch(_ file: String) throws -> String {
        let check = try execute(Repository.binary, ["check", file, "--experiments", Repository.experiments])
        return check.output.split(separator: "\n").first.map(String.init) ?? check.error
    }

    func expectMatches(_ dir: String, label: String) throws {
        for name in Repository.experimentNames {
            let experiment = try ExperimentLoader(directory: Repository.experiments).load(name)
            let trace = dir + "/" + experiment.trace
            let own = try bestMatch(trace)
            #expect(own.hasPrefix("\(trace): best match \(name), "), "\(label): \(own)")
            let foreign = dir + "/foreign-" + experiment.trace
            let moved = try execute("python3", [Self.rewrite, trace, foreign, "--server-port", "\(experiment.port):23456",
                                                "--client-ip", "10.0.2.15", "--server-ip", "10.0.2.4"])
            #expect(moved.status == 0, "\(moved.error)")
            let moved2 = try bestMatch(foreign)
            #expect(moved2.hasPrefix("\(foreign): best match \(name), "), "\(label), moved: \(moved2)")
        }
    }

    @Test func everyTraceTcplabWritesIsMatchedToItsExperiment() throws {
        let (dir, run) = try runAll(Repository.experiments)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(run.status == 0, "\(run.output)\(run.error)")
        try expectMatches(dir, label: "lo")
    }

    @Test func theSameTracesOnAnEthernetSizedLinkAreMatchedToo() throws {
        // Part 1's experiments again with MTU 1500 and offloads off: MSS 1460, 1448-byte segments.
        let copy = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: copy) }
        for file in try FileManager.default.contentsOfDirectory(atPath: Repository.experiments) {
            let source = Repository.experiments + "/" + file
            guard file.hasSuffix(".json") && !file.contains("schema") else {
                try FileManager.default.createSymbolicLink(atPath: copy + "/" + file, withDestinationPath: source)
                continue
            }
            var text = try String(contentsOfFile: source, encoding: .utf8)
            if !text.contains("\"link\"") {
                text = text.replacingOccurrences(of: "\"port\": 12345,", with: "\"port\": 12345,\n  \"link\": {\"mtu\": 1500, \"offloads\": false},")
            }
            try text.write(toFile: copy + "/" + file, atomically: true, encoding: .utf8)
        }
        let (dir, run) = try runAll(copy)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // On this link the 13000-byte reply of experiment-3 is no longer one segment, which its
        // runs pin; the lesson's expectations still hold, and that is what the match rests on.
        #expect(run.output.contains("experiment-3: failed") && run.output.contains("experiment-2: passed"), "\(run.output)")
        try expectMatches(dir, label: "MTU 1500")
    }
}
