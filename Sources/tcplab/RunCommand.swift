import ArgumentParser
import FoundationEssentials
import LabCapture
import LabExperiment
import LabPackets
import LabReport
import LabSystem
import Synchronization

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

    @Option(help: "How many experiments run at once (each in its own namespace). Default: the number of cores.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @OptionGroup(title: "Reports") var outputs: RunOutputs

    @Flag(help: "Write each experiment's golden summary (Experiments/golden/NAME.txt) from this run, for the regression test.")
    var updateGolden = false

    @Flag(help: "After the packet list, explain every packet: the handshake, the seq/ack arithmetic, who closes first, and why each segment has its size.")
    var explain = false

    @Flag(help: "Print where each run's wall time went (namespace, capture start, experiment, teardown, writing).")
    var timings = false

    func validate() throws {
        if names.isEmpty && !all { throw ValidationError("name an experiment (see `tcplab list`) or pass --all") }
        if !names.isEmpty && all { throw ValidationError("give experiment names or --all, not both") }
        if `repeat` < 1 { throw ValidationError("--repeat must be at least 1, got \(`repeat`)") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        try outputs.validate(experimentCount: all ? 2 : names.count, repeats: `repeat`)
        if updateGolden && (`repeat` > 1 || client == .browser) {
            throw ValidationError("--update-golden records one in-process run: drop --repeat and --client browser")
        }
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
            try FileSystem.makeDirectories(out)
        } catch {
            complain("\(out): cannot create the output folder: \(SystemError.describe(error.errno)) (at \(error.subject))")
            throw ExitCode(73)
        }
        let status = StatusLine(enabled: StatusLine.wanted(quiet: quiet))
        let ticker = status.start()
        let (outcomes, results) = runAll(experiments, jobs: max(1, min(jobs, experiments.count)), status: status)
        status.stop(ticker)
        do {
            try outputs.writeRecords(results, explain: explain)
        } catch {
            complain("\(error.subject): cannot write: \(SystemError.describe(error.errno))")
            throw ExitCode(73)
        }
        let worst = outcomes.max { severity($0) < severity($1) } ?? 0
        if worst != 0 { throw ExitCode(worst) }
    }

    private func severity(_ code: Int32) -> Int { code == 0 ? 0 : code == 1 ? 1 : 2 }

    /// Runs the experiments on `jobs` threads at once. Each run has its own namespace, so runs
    /// cannot see each other's packets or ports. Each experiment's output is printed in one
    /// piece when it is done, so blocks never interleave.
    private func runAll(_ experiments: [Experiment], jobs: Int, status: StatusLine) -> ([Int32], [RunResult]) {
        let next = Mutex(0)
        let codes = Mutex([Int32](repeating: 0, count: experiments.count))
        let results = Mutex([[RunResult]](repeating: [], count: experiments.count))
        let printing = Mutex(())
        let command = self
        let work: @Sendable () -> Void = {
            while true {
                let i = next.withLock { n -> Int in defer { n += 1 }; return n }
                guard i < experiments.count else { return }
                let (text, errors, code, runs) = command.runRepeatedly(experiments[i], status: status)
                results.withLock { $0[i] = runs }
                printing.withLock { _ in
                    status.printing {
                        if !text.isEmpty { print(text) }
                        for line in errors { complain(line) }
                    }
                }
                codes.withLock { $0[i] = code }
            }
        }
        if jobs == 1 {
            work()
        } else {
            let threads = (0..<jobs).compactMap { _ in try? OSThread.spawn(work) }
            if threads.isEmpty { work() }
            threads.forEach { $0.join() }
        }
        return (codes.withLock { $0 }, results.withLock { $0.flatMap { $0 } })
    }

    /// One experiment, `repeat` times: its printed block, its error lines, its exit code, and its runs.
    private func runRepeatedly(_ experiment: Experiment, status: StatusLine) -> (String, [String], Int32, [RunResult]) {
        var lines: [String] = []
        var results: [RunResult] = []
        var passed = 0, failed = 0, harness = 0
        var worst: Int32 = 0
        let tracePath = outputs.tracePath("\(out)/\(experiment.trace)")
        for attempt in 1...`repeat` {
            let record: RunRecord
            let started = ContinuousClock.now
            let progress = RunProgress(experiment: `repeat` == 1 ? experiment.name : "\(experiment.name) \(attempt)/\(`repeat`)")
            status.track(progress)
            defer { status.untrack(progress) }
            do {
                record = try Run.perform(experiment, progress: progress)
            } catch {
                results.append(RunResult(experiment: experiment, attempt: attempt, record: nil, packets: [], connections: [],
                                         verdict: nil, harnessError: error.description, exitCode: error.exitCode, tracePath: nil,
                                         wallTime: ContinuousClock.now - started))
                return (lines.joined(separator: "\n"), ["\(experiment.name): \(error)"], error.exitCode, results)
            }
            let packets = record.frames.enumerated().map { Packet.decode($1, number: $0 + 1, linkType: record.linkType) }
            let connections = ConversationAnalyzer.analyze(packets)
            let verdict = Verdict.judge(experiment, packets: packets, connections: connections, record: record)
            let writeStart = ContinuousClock.now
            let keptPath = verdict.status == .passed || `repeat` == 1
                ? tracePath : outputs.tracePath("\(out)/\(experiment.trace.dropLast(5))-run\(attempt)-\(verdict.status == .failed ? "failed" : "harness").pcap")
            var result = RunResult(experiment: experiment, attempt: attempt, record: record, packets: packets, connections: connections,
                                   verdict: verdict, harnessError: nil, exitCode: verdict.exitCode, tracePath: keptPath,
                                   wallTime: ContinuousClock.now - started)
            let explanations = explain || outputs.report != nil || outputs.format == .pcapng
                ? Explainer(connections: connections, source: ExplanationSource(experiment: experiment, record: record)).explain() : []
            result.explanations = explanations
            do {
                try outputs.writeTrace(result, to: keptPath)
                try outputs.writeDiagrams(result, tracePath: keptPath)
            } catch let error as CaptureError {
                return (lines.joined(separator: "\n"), [error.description], 73, results)
            } catch let error as SystemError {
                return (lines.joined(separator: "\n"), ["\(error.subject): cannot write: \(SystemError.describe(error.errno))"], 73, results)
            } catch {
                return (lines.joined(separator: "\n"), ["\(error)"], 73, results)
            }
            if updateGolden {
                guard verdict.status == .passed else {
                    return (lines.joined(separator: "\n"), ["\(experiment.name): not updating the golden summary from a run that did not pass"], verdict.exitCode, results)
                }
                let golden = GoldenSummary.path(for: experiment)
                do {
                    try FileSystem.makeDirectories(String(golden[..<(golden.lastIndex(of: "/") ?? golden.endIndex)]))
                    try AtomicFile.write(GoldenSummary.render(experiment, connections: connections), to: golden)
                } catch {
                    return (lines.joined(separator: "\n"), ["\(error.subject): cannot write: \(SystemError.describe(error.errno))"], 73, results)
                }
                lines.append("\(experiment.name): golden summary written to \(golden)")
            }
            result.wallTime = ContinuousClock.now - started
            results.append(result)
            if timings {
                let phases = record.phases + [("write", ContinuousClock.now - writeStart)]
                lines.append("\(experiment.name) timings: " + phases.map { "\($0.name) \(formatDuration($0.duration))" }.joined(separator: ", ")
                             + "; \(record.frames.count) frames, \(record.drops) dropped")
            }
            switch verdict.status {
            case .passed: passed += 1
            case .failed: failed += 1
            case .harnessFailure: harness += 1
            }
            if severity(verdict.exitCode) > severity(worst) { worst = verdict.exitCode }
            if `repeat` == 1 || verdict.status != .passed {
                lines += report(experiment, record, packets, connections, verdict, keptPath, explanations, attempt: `repeat` == 1 ? nil : attempt)
            }
        }
        if `repeat` > 1 {
            // A failed expectation is the experiment's; a harness failure (capture incomplete) is tcplab's.
            let detail = passed == `repeat` ? "" : " (\(failed) expectation failure(s), \(harness) harness failure(s))"
            lines.append("\(experiment.name): \(passed)/\(`repeat`) passed\(detail)")
        }
        return (lines.joined(separator: "\n"), [], worst, results)
    }

    private func report(_ experiment: Experiment, _ record: RunRecord, _ packets: [Packet], _ connections: [Connection],
                        _ verdict: Verdict, _ path: String, _ explanations: [Explanation], attempt: Int?) -> [String] {
        var lines: [String] = []
        if !quiet {
            lines.append("== \(experiment.name)\(attempt.map { " (run \($0))" } ?? ""): \(experiment.title)")
            lines.append(PacketList(packets: packets, connections: connections).render())
            lines.append("")
            if explain {
                lines.append(Explanation.render(explanations))
                lines.append("")
            }
            for endpoint in record.endpoints {
                for s in endpoint.steps {
                    guard let error = s.error else { continue }
                    lines.append("\(endpoint.side) step \(s.index + 1) (\(s.label)): \(error)\(s.errorExpected ? ", as expected" : "")")
                }
            }
            lines.append(VerdictText.render(verdict, color: StatusLine.colour))
        }
        lines.append("\(VerdictText.summary(experiment.name, verdict)) — \(path)")
        return lines
    }
}
