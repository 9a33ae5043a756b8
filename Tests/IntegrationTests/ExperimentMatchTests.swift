import Foundation
import LabModel
import Testing

/// `check` without `--experiment` names the experiment a trace belongs to: for every trace tcplab's
/// experiments write (Fixtures/runs, recorded by make_run_traces.sh), on lo and on an
/// Ethernet-sized link (MSS 1460), and for the same traces as another machine would have captured
/// them: other addresses, another port.
@Suite struct ExperimentMatchTests {
    static let runs = Repository.root + "/Tests/IntegrationTests/Fixtures/runs"
    static let rewrite = Repository.root + "/Tests/IntegrationTests/Fixtures/corpus-tools/rewrite.py"

    func bestMatch(_ file: String) throws -> String {
        let check = try execute(Repository.binary, ["check", file, "--experiments", Repository.experiments])
        return check.output.split(separator: "\n").first.map(String.init) ?? check.error
    }

    @Test(arguments: ["lo", "mtu1500"])
    func everyTraceTcplabWritesIsMatchedToItsExperimentAlsoFromAnotherMachine(link: String) throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in Repository.experimentNames {
            let experiment = try ExperimentLoader(directory: Repository.experiments).load(name)
            let trace = Self.runs + "/" + link + "/" + experiment.trace
            #expect(FileManager.default.fileExists(atPath: trace), "\(trace) is missing; run make_run_traces.sh")
            let own = try bestMatch(trace)
            #expect(own.hasPrefix("\(trace): best match \(name), "), "\(link): \(own)")
            let foreign = dir + "/foreign-" + experiment.trace
            let moved = try execute("python3", [Self.rewrite, trace, foreign, "--server-port", "\(experiment.port):23456",
                                                "--client-ip", "10.0.2.15", "--server-ip", "10.0.2.4"])
            #expect(moved.status == 0, "\(moved.error)")
            let other = try bestMatch(foreign)
            #expect(other.hasPrefix("\(foreign): best match \(name), "), "\(link), moved: \(other)")
        }
    }
}
