import ArgumentParser
import FoundationEssentials
import LabModel
import LabPipeline
import LabReport
import LabSystem

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run experiments on real sockets, write their traces, and check the packets.")

    @OptionGroup var options: ExperimentOptions

    @Argument(help: "Experiment names, e.g. experiment-2.", completion: experimentName)
    var names: [String] = []

    @Flag(help: "Run every experiment in the folder.")
    var all = false

    @Option(help: "Where traces are written.")
    var out: String = "traces"

    // Unconditional, so `--repeat -1` reaches validate() and its message instead of "missing value".
    @Option(parsing: .unconditional, help: "Run each experiment this many times (at most \(CommandLimits.runs)) and print the pass count.",
            transform: wholeNumber(atMost: CommandLimits.runs))
    var `repeat`: Int = 1

    enum Client: String, ExpressibleByArgument, CaseIterable { case inprocess, browser }

    @Option(help: "Who plays the client in Part 2: the in-process browser-like client, or headless Chromium (the expectations marked for it).")
    var client: Client = .inprocess

    @OptionGroup(title: "Programs") var programs: ProgramOptions

    @Flag(help: "Print only the summary line of each experiment.")
    var quiet = false

    @Flag(help: "With --repeat: print every run in full, instead of a line per run and one example run per pattern.")
    var verbose = false

    @Option(help: "How many experiments run at once (each in its own namespace; at most \(CommandLimits.jobs)). Default: the number of cores.",
            transform: wholeNumber(atMost: CommandLimits.jobs))
    var jobs: Int = min(ProcessInfo.processInfo.activeProcessorCount, CommandLimits.jobs)

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
        if `repeat` < 1 { throw ValidationError("--repeat must be a whole number of runs, at least 1; got \(`repeat`)") }
        try requireAtMost("--repeat", `repeat`, CommandLimits.runs, unit: "runs")
        if jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        try requireAtMost("--jobs", jobs, CommandLimits.jobs)
        try outputs.validate(experimentCount: all ? 2 : names.count, repeats: `repeat`)
        if updateGolden && (`repeat` > 1 || client == .browser || !programs.choice.isDefault) {
            throw ValidationError("--update-golden records one in-process run of the experiment's own steps: drop --repeat, --client browser and the program options")
        }
        if client == .browser && programs.clientCommand != nil {
            throw ValidationError("--client browser and --client-command both name the client; give one")
        }
    }

    func run() throws {
        let experiments = try chosenExperiments(try options.loader())
        if case let .unavailable(reason) = CapturePrivilege.startup {
            throw fail("cannot capture without root: \(reason); run as root, or enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)", .noPermission)
        }
        do {
            try OutputWriter.makeFolder(out)
            try OutputWriter.makeFolders(for: outputs.files)
        } catch {
            throw fail(error.description, ExitStatus(code: error.exitCode))
        }
        let isolation = programs.choice.isolation
        if !quiet && (isolation.network == .current || experiments.contains(where: { !$0.programs.isEmpty })) { print(isolation.header) }
        let status = StatusLine(enabled: StatusLine.wanted(quiet: quiet))
        let ticker = status.start()
        let series = RunSeries.runAll(experiments, plan: plan, jobs: max(1, min(jobs, experiments.count)), observer: status) { done in
            status.printing {
                if !done.text.isEmpty { print(done.text) }
                for line in done.errors { complain(line) }
            }
        }
        status.stop(ticker)
        if experiments.count > 1 {
            print(RunText.total(zip(experiments, series).map { ($0.name, $1.exitCode) }))
        }
        do {
            for line in try outputs.writeRecords(series.flatMap(\.results), explain: explain) { print(line) }
        } catch {
            throw fail(error.description, ExitStatus(code: error.exitCode))
        }
        let worst = series.map(\.exitCode).max { RunSeries.severity($0) < RunSeries.severity($1) } ?? 0
        if worst != 0 { throw ExitStatus(code: worst).exit }
    }

    /// The experiments named (or all), with the client and the sides' programs chosen; one that
    /// cannot be run as asked (no lab link, no lab code) is skipped, and said so.
    private func chosenExperiments(_ loader: ExperimentLoader) throws -> [Experiment] {
        var experiments: [Experiment]
        do {
            experiments = try (all ? loader.names() : names).map(loader.load)
        } catch {
            throw fail(error.description, ExitStatus(code: error.exitCode))
        }
        if client == .browser {
            let browserless = experiments.filter { $0.browser == nil }.map(\.name)
            if !browserless.isEmpty {
                throw fail("--client browser needs a \"browser\" section, which \(browserless.joined(separator: ", ")) lacks", .usage)
            }
        }
        experiments = experiments.compactMap { $0.with(client: client.kind) }
        do throws(CommandFailure) {
            let choice = programs.choice
            var chosen: [Experiment?] = []
            for experiment in experiments { chosen.append(try choice.apply(to: experiment, named: !all)) }
            for (experiment, kept) in zip(experiments, chosen) where kept == nil {
                complain("\(experiment.name): skipped, it has " + (choice.hosts == .lab && experiment.labLink == nil
                    ? "no lab link (no \"labLink\" in its file)" : "no lab code (no \"labCode\" in its file)"))
            }
            return chosen.compactMap { $0 }
        } catch {
            throw fail(error.description, ExitStatus(code: error.exitCode))
        }
    }

    /// What each run writes and prints, from the options.
    private var plan: RunPlan {
        var plan = RunPlan(out: out)
        plan.repeats = `repeat`
        plan.format = outputs.format
        plan.ladder = outputs.ladder
        plan.report = outputs.report
        plan.style = RunText.Style(quiet: quiet, explain: explain, color: StatusLine.colour)
        plan.timings = timings
        plan.verbose = verbose
        plan.updateGolden = updateGolden
        return plan
    }
}

extension RunCommand.Client {
    var kind: ClientKind {
        switch self {
        case .inprocess: .inprocess
        case .browser: .browser
        }
    }
}
