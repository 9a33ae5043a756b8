import Foundation
import LabModel
import LabPackets
import LabReport
import LabRunner
import Testing

/// Runs in bulk share one namespace and one capture (`RunHost`): each run must still be fenced on
/// its own, hold only its own packets, and look exactly as a run on its own does.
@Suite(.enabled(if: getuid() == 0, "needs root for namespaces and CAP_NET_RAW"))
struct RunHostTests {
    static let loader = ExperimentLoader(directory: Repository.experiments)
    /// experiment-4 sleeps 10 s a run; the rest take milliseconds or about 2 s.
    static let quick = Repository.experimentNames.filter { $0 != "experiment-4" }

    @Test(arguments: quick)
    func everyRunInABatchMatchesItsGoldenSummary(name: String) throws {
        let experiment = try Self.loader.load(name).withInProcessClient()
        let golden = try String(contentsOfFile: GoldenSummary.path(for: experiment), encoding: .utf8)
        let host = try RunHost()
        defer { host.close() }
        var clientPorts: Set<UInt16> = []
        for attempt in 1...4 {
            let record = try host.perform(experiment)
            let result = RunResult(experiment: experiment, attempt: attempt, record: record, wallTime: .zero, explain: false)
            #expect(result.verdict?.status == .passed, "run \(attempt): \(result.verdict?.outcomes.filter(\.failed).map(\.detail) ?? []) \(record.captureProblems)")
            #expect(record.startFenceSeen && record.endFenceSeen && record.drops == 0, "run \(attempt)")
            let summary = GoldenSummary.render(experiment, connections: result.connections)
            #expect(summary == golden, "run \(attempt) of a batch differs from the golden summary:\n\(summary)")
            // Only this run's connections: every one starts with its SYN, none is the run before's.
            for connection in result.connections {
                #expect(connection.segments.first?.flags.contains(.syn) == true, "run \(attempt), connection \(connection.index)")
                #expect(!clientPorts.contains(connection.client.port), "run \(attempt) holds a connection of an earlier run")
            }
            clientPorts.formUnion(result.connections.map(\.client.port))
        }
    }

    /// The lab's two hosts are reused too, and a change of link between runs builds a new network.
    @Test func aBatchOnTheLabHostsAndThenOnLoKeepsEachTopology() throws {
        let host = try RunHost()
        defer { host.close() }
        let lab = try #require(try Self.loader.load("experiment-1").on(.lab))
        let lo = try Self.loader.load("experiment-1")
        for (attempt, experiment) in [lab, lab, lo, lab].enumerated() {
            let record = try host.perform(experiment)
            let result = RunResult(experiment: experiment, attempt: attempt + 1, record: record, wallTime: .zero, explain: false)
            #expect(result.verdict?.status == .passed, "run \(attempt + 1)")
            let source = result.packets.first?.source.map(String.init(describing:))
            #expect(source == (experiment.link.hosts == nil ? "127.0.0.1" : "10.0.2.15"), "run \(attempt + 1) from \(source ?? "nowhere")")
            if experiment.link.hosts != nil { #expect(result.fidelity?.allEqual == true, "run \(attempt + 1)") }
        }
    }
}
