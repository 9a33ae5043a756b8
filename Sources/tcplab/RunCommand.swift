import ArgumentParser
import Foundation
import LabCapture
import LabExperiment
import LabPackets
import LabReport
import LabSystem

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run experiments on real sockets, write their traces, and check the packets.")

    @OptionGroup var options: ExperimentOptions

    @Argument(help: "Experiment names, e.g. experiment-2.")
    var names: [String] = []

    @Flag(help: "Run every experiment in the folder.")
    var all = false

    @Option(help: "Where traces are written.")
    var out: String = "traces"

    @Option(help: "Run each experiment this many times and print the pass count.")
    var `repeat`: Int = 1

    enum Client: String, ExpressibleByArgument, CaseIterable { case inprocess, browser }

    @Option(help: "Who plays the client in Part 2: the in-process browser-like client, or headless Chromium (the expectations marked for it).")
    var client: Client = .inprocess

    @Flag(help: "Print only the summary line of each experiment.")
    var quiet = false

    @Flag(help: "Print where each run's wall time went (namespace, capture start, experiment, teardown, writing).")
    var timings = false

    func validate() throws {
        if names.isEmpty && !all { throw ValidationError("name an experiment (see `tcplab list`) or pass --all") }
        if !names.isEmpty && all { throw ValidationError("give experiment names or --all, not both") }
        if `repeat` < 1 { throw ValidationError("--repeat must be at least 1, got \(`repeat`)") }
    }

    func run() throws {
        let loader = ExperimentLoader(directory: options.experiments)
        var experiments: [Experiment]
        do {
            experiments = try (all ? loader.names() : names).map(loader.load)
        } catch {
            complain(error.description)
            throw ExitCode(error.exitCode)
        }
        if client == .browser {
            let browserless = experiments.filter { $0.browser == nil }.map(\.name)
            if !browserless.isEmpty {
                complain("--client browser needs a \"browser\" section, which \(browserless.joined(separator: ", ")) lacks")
                throw ExitCode(64)
            }
            experiments = experiments.compactMap { $0.withBrowserClient() }
        } else {
            experiments = experiments.map { $0.withInProcessClient() }
        }
        if case let .unavailable(reason) = CapturePrivilege.startup {
            complain("cannot capture without root: \(reason); run as root, or enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)")
            throw ExitCode(77)
        }
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            complain("\(out): cannot create the output folder (\(error.localizedDescription))")
            throw ExitCode(73)
        }
        var worst: Int32 = 0
        for experiment in experiments {
            let code = try runRepeatedly(experiment)
            worst = severity(code) > severity(worst) ? code : worst
        }
        if worst != 0 { throw ExitCode(worst) }
    }

    private func severity(_ code: Int32) -> Int { code == 0 ? 0 : code == 1 ? 1 : 2 }

    private func runRepeatedly(_ experiment: Experiment) throws -> Int32 {
        var passed = 0
        var worst: Int32 = 0
        let tracePath = "\(out)/\(experiment.trace)"
        for attempt in 1...`repeat` {
            let record: RunRecord
            do {
                record = try Run.perform(experiment)
            } catch {
                complain("\(experiment.name): \(error)")
                throw ExitCode(error.exitCode)
            }
            let packets = record.frames.enumerated().map { Packet.decode($1, number: $0 + 1, linkType: record.linkType) }
            let connections = ConversationAnalyzer.analyze(packets)
            let verdict = Verdict.judge(experiment, packets: packets, connections: connections, record: record)
            let writeStart = ContinuousClock.now
            let keptPath = verdict.status == .passed || `repeat` == 1
                ? tracePath : "\(out)/\(experiment.trace.dropLast(5))-run\(attempt)-\(verdict.status == .failed ? "failed" : "harness").pcap"
            do {
                try PcapWriter.write(record.frames, linkType: record.linkType, snapLength: record.snapLength, to: keptPath)
            } catch {
                complain(error.description)
                throw ExitCode(73)
            }
            if timings {
                let phases = record.phases + [("write", ContinuousClock.now - writeStart)]
                print("\(experiment.name) timings: " + phases.map { "\($0.name) \(formatDuration($0.duration))" }.joined(separator: ", "))
            }
            if verdict.status == .passed { passed += 1 }
            if severity(verdict.exitCode) > severity(worst) { worst = verdict.exitCode }
            if `repeat` == 1 || verdict.status != .passed {
                report(experiment, record, packets, connections, verdict, keptPath, attempt: `repeat` == 1 ? nil : attempt)
            }
        }
        if `repeat` > 1 { print("\(experiment.name): \(passed)/\(`repeat`) passed") }
        return worst
    }

    private func report(_ experiment: Experiment, _ record: RunRecord, _ packets: [Packet], _ connections: [Connection],
                        _ verdict: Verdict, _ path: String, attempt: Int?) {
        if !quiet {
            print("== \(experiment.name)\(attempt.map { " (run \($0))" } ?? ""): \(experiment.title)")
            print(PacketList(packets: packets, connections: connections).render())
            print("")
            for endpoint in record.endpoints {
                let errors = endpoint.steps.compactMap { s in
                    s.error.map { "step \(s.index + 1) (\(s.label)): \($0)\(s.errorExpected ? ", as expected" : "")" }
                }
                for e in errors { print("\(endpoint.side) \(e)") }
            }
            print(VerdictText.render(verdict))
        }
        print("\(VerdictText.summary(experiment.name, verdict)) — \(path)")
    }
}
