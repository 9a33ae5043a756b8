import LabModel
import LabPackets
import LabReport
import LabVerdict
import LabRunner
import LabSystem
import Synchronization

/// What a `run` writes and prints, beside the trace itself.
public struct RunPlan: Sendable {
    public var out: String
    public var repeats = 1
    public var format = OutputWriter.TraceFormat.pcap
    /// One ladder file instead of the default beside each trace (one experiment, one run).
    public var ladder: String?
    public var report: String?
    public var style = RunText.Style()
    public var timings = false
    public var updateGolden = false
    /// With `repeats` > 1: every run in full, instead of a line per run and one example per pattern.
    public var verbose = false

    public init(out: String) { self.out = out }

    /// The output folder as a program sees it in `{out}`, whatever its working folder.
    var absoluteOut: String { (try? FileSystem.realPath(out)) ?? out }

    /// The explanation is computed when printed and for the outputs that carry it (and for every
    /// run with a program: its failures say from it why its sends left merged).
    var explains: Bool { style.explain || report != nil || format == .pcapng }
}

/// One experiment's runs, as `run` reports them: the printed block, error lines, the exit
/// code, and every run's result.
public struct SeriesResult: Sendable {
    public var text: String
    public var errors: [String]
    public var exitCode: Int32
    public var results: [RunResult]
    /// The runs grouped by the pattern they produced (every run, when there were several).
    public var patterns = PatternHistogram()
}

/// Told when a run starts and ends, so a live display can follow it.
public protocol RunObserver: Sendable {
    func started(_ progress: RunProgress)
    func ended(_ progress: RunProgress)
}

public enum RunSeries {
    /// 0 passed; then not reproducible here (what ran passed, the rest could not run here); then
    /// an expectation failed; anything else worse.
    public static func severity(_ code: Int32) -> Int {
        code == 0 ? 0 : code == NetworkMode.notReproducibleExitCode ? 1 : code == 1 ? 2 : 3
    }

    /// Runs `experiment` `plan.repeats` times: each run judged, its files written, its block printed
    /// (every run when there is one, else only the runs that did not pass), then the tally.
    public static func run(_ experiment: Experiment, plan: RunPlan, observer: (any RunObserver)?) -> SeriesResult {
        let pool = RunHostPool()
        defer { pool.close() }
        return run(experiment, plan: plan, observer: observer, hosts: pool)
    }

    /// The same on a host from `hosts`, given back after, for the next series to reuse.
    static func run(_ original: Experiment, plan: RunPlan, observer: (any RunObserver)?, hosts: RunHostPool) -> SeriesResult {
        let experiment = original
        var lines: [String] = []
        var results: [RunResult] = []
        var counts: [Verdict.Status: Int] = [:]
        var worst: Int32 = 0
        var histogram = PatternHistogram()
        let repeats = plan.repeats
        let tracePath = OutputWriter.tracePath("\(plan.out)/\(experiment.trace)", format: plan.format)
        func stop(_ errors: [String], _ code: Int32) -> SeriesResult {
            SeriesResult(text: lines.joined(separator: "\n"), errors: errors, exitCode: code, results: results, patterns: histogram)
        }
        // One namespace and capture for the whole series, each run fenced on its own.
        guard let host = hosts.take() else {
            return stop(["\(experiment.name): cannot start the run thread"], RunError.harness("").exitCode)
        }
        defer { hosts.giveBack(host) }
        for attempt in 1...repeats {
            let started = ContinuousClock.now
            let experiment: Experiment
            do throws(Stop) { experiment = try onItsOwnPort(original) } catch { return stop(error.errors, error.exitCode) }
            let progress = RunProgress(experiment: repeats == 1 ? experiment.name : "\(experiment.name) \(attempt)/\(repeats)")
            observer?.started(progress)
            defer { observer?.ended(progress) }
            let record: RunRecord
            do {
                record = try host.perform(experiment, out: plan.absoluteOut, progress: progress)
            } catch {
                results.append(.harnessFailure(experiment, attempt: attempt, error: error.description, exitCode: error.exitCode,
                                               wallTime: ContinuousClock.now - started))
                return stop(["\(experiment.name): \(error)"], error.exitCode)
            }
            let judged = RunResult.judged(experiment: experiment, attempt: attempt, record: record,
                                          wallTime: ContinuousClock.now - started,
                                          explain: plan.explains || !experiment.programs.isEmpty)
            var result = judged.result
            let verdict = judged.verdict
            let writeStart = ContinuousClock.now
            let pattern = WirePattern(connections: result.connections, port: experiment.port)
            do throws(Stop) {
                try writeFiles(&result, verdict, attempt: attempt, plan: plan, seriesTrace: tracePath, pattern: pattern,
                               histogram: &histogram, lines: &lines)
            } catch {
                return stop(error.errors, error.exitCode)
            }
            result.wallTime = ContinuousClock.now - started
            results.append(result)
            if plan.timings { lines.append(RunText.timings(experiment.name, record, writing: ContinuousClock.now - writeStart)) }
            counts[verdict.status, default: 0] += 1
            if severity(verdict.exitCode) > severity(worst) { worst = verdict.exitCode }
            let number = histogram.entries.firstIndex { $0.pattern == pattern }.map { $0 + 1 } ?? 0
            lines += runLines(result, verdict, attempt: attempt, pattern: number, plan: plan)
        }
        if repeats > 1 {
            lines.append(RunText.tally(experiment.name, passed: counts[.passed] ?? 0, failed: counts[.failed] ?? 0,
                                       harness: counts[.harnessFailure] ?? 0, of: repeats))
            lines += closingLines(experiment, results: results, histogram: histogram, plan: plan)
        }
        return stop([], worst)
    }

    /// The experiment as one run plays it: in a shared namespace, on a port of its own, so no
    /// other run's capture sees its packets and no TIME_WAIT left by the run before holds its port.
    static func onItsOwnPort(_ experiment: Experiment) throws(Stop) -> Experiment {
        guard experiment.network == .current else { return experiment }
        var own = experiment
        do { own.port = try FreePort.pick(avoiding: [Experiment.fencePort]) } catch {
            throw Stop("\(experiment.name): cannot find a free port on lo: \(error)", RunError.harness("").exitCode)
        }
        return own
    }

    /// What ends a series early: its lines for standard error and its exit code.
    struct Stop: Error {
        var errors: [String]
        var exitCode: Int32
        init(_ error: OutputError) { (errors, exitCode) = ([error.description], error.exitCode) }
        init(_ line: String, _ exitCode: Int32) { (errors, self.exitCode) = ([line], exitCode) }
    }

    /// A run's trace, ladder and report; the golden summary when asked; and the run's trace as
    /// its pattern's example when it is the first run of a new pattern in a series.
    static func writeFiles(_ result: inout RunResult, _ verdict: Verdict, attempt: Int, plan: RunPlan, seriesTrace: String,
                           pattern: WirePattern, histogram: inout PatternHistogram, lines: inout [String]) throws(Stop) {
        let experiment = result.experiment
        result.tracePath = traceDestination(result, verdict, attempt: attempt, plan: plan, seriesTrace: seriesTrace)
        do { result.alsoWritten = try write(result, plan: plan) } catch { throw Stop(error) }
        if plan.updateGolden {
            guard verdict.status == .passed else {
                throw Stop("\(experiment.name): not updating the golden summary from a run that did not pass", verdict.exitCode)
            }
            do { lines.append("\(experiment.name): golden summary written to \(try OutputWriter.writeGolden(result))") } catch { throw Stop(error) }
        }
        guard histogram.add(pattern, attempt: attempt, passed: verdict.status == .passed), plan.repeats > 1, !result.packets.isEmpty else { return }
        let example = OutputWriter.tracePath("\(plan.out)/\(experiment.trace.dropLast(5))-pattern\(histogram.entries.count).pcap", format: plan.format)
        do { try OutputWriter.writeTrace(result, format: plan.format, to: example) } catch { throw Stop(error) }
        histogram.setExample(example, for: pattern)
    }

    /// Where a run's trace goes: the experiment's own trace for a single run or a pass, a file
    /// named for the run and how it failed otherwise. Nil for a run in which nothing was captured
    /// (a program that never started its part): writing an empty trace would replace a good one.
    static func traceDestination(_ result: RunResult, _ verdict: Verdict, attempt: Int, plan: RunPlan, seriesTrace: String) -> String? {
        if result.packets.isEmpty && (verdict.unjudged > 0 || verdict.rootCause != nil) { return nil }
        if verdict.status == .passed || plan.repeats == 1 { return seriesTrace }
        let kind = verdict.status == .failed ? "failed" : "harness"
        return OutputWriter.tracePath("\(plan.out)/\(result.experiment.trace.dropLast(5))-run\(attempt)-\(kind).pcap", format: plan.format)
    }

    /// What one run of a series prints: all of it for a single run or with --verbose; with
    /// --quiet, only a run that did not pass; else one line, so ten failing runs do not bury the
    /// patterns (their examples come in full at the end).
    static func runLines(_ result: RunResult, _ verdict: Verdict, attempt: Int, pattern: Int, plan: RunPlan) -> [String] {
        if plan.repeats == 1 || plan.verbose { return RunText.lines(result, attempt: plan.repeats == 1 ? nil : attempt, style: plan.style) }
        if plan.style.quiet { return verdict.status == .passed ? [] : RunText.lines(result, attempt: attempt, style: plan.style) }
        return [RunText.runLine(result.experiment.name, attempt: attempt, of: plan.repeats, pattern: pattern, verdict)]
    }

    /// After the tally: the patterns, the lab code's and fidelity's tallies, and unless --verbose
    /// or --quiet, the first run of each pattern in full (what it looks like, and why it failed).
    static func closingLines(_ experiment: Experiment, results: [RunResult], histogram: PatternHistogram, plan: RunPlan) -> [String] {
        var lines = histogram.lines(experiment.name, of: plan.repeats)
        lines += RunText.labCodeTally(experiment.name, results)
        if let fidelity = RunText.fidelityTally(experiment.name, results) { lines.append(fidelity) }
        guard !plan.verbose, !plan.style.quiet else { return lines }
        for (k, entry) in histogram.entries.enumerated() {
            guard let first = entry.runs.first, let example = results.first(where: { $0.attempt == first }) else { continue }
            lines.append("")
            lines.append("example of pattern \(k + 1) (\(entry.runs.count) of \(plan.repeats) runs): run \(first)")
            lines += RunText.lines(example, attempt: first, style: plan.style)
        }
        return lines
    }

    /// The trace, its ladder, and the report when asked for; returns the files besides the trace.
    static func write(_ result: RunResult, plan: RunPlan) throws(OutputError) -> [String] {
        guard let trace = result.tracePath else { return [] }
        try OutputWriter.writeTrace(result, format: plan.format, to: trace)
        let ladder = plan.ladder ?? OutputWriter.ladderPath(forTrace: trace)
        var diagram = LadderDiagram(connections: result.connections, title: "\(result.experiment.name): \(result.experiment.title)")
        diagram.tcplabCaused = Set(TcplabCaused.packets(result.record, connections: result.connections).keys)
        try OutputWriter.writeLadder(diagram, to: ladder)
        guard let report = plan.report else { return [ladder] }
        try OutputWriter.writeReport(result, to: report, tracePath: trace, ladderPath: ladder)
        return [ladder, report]
    }

    /// Runs the experiments on `jobs` threads at once. Each run has its own namespace, so runs
    /// cannot see each other's packets or ports. `deliver` gets each experiment's series when it
    /// is done, one at a time, so printed blocks never interleave. Results are in input order.
    public static func runAll(_ experiments: [Experiment], plan: RunPlan, jobs: Int, observer: (any RunObserver)?,
                              deliver: @escaping @Sendable (SeriesResult) -> Void) -> [SeriesResult] {
        let series = Mutex([SeriesResult?](repeating: nil, count: experiments.count))
        // Delivered in the experiments' order, whichever job finishes first: the next one due
        // goes out as soon as it is done, with every finished one after it.
        let delivered = Mutex(0)
        let hosts = RunHostPool()
        defer { hosts.close() }
        ParallelWork.forEach(experiments.count, jobs: jobs) { i in
            let result = run(experiments[i], plan: plan, observer: observer, hosts: hosts)
            series.withLock { $0[i] = result }
            delivered.withLock { next in
                while next < experiments.count, let done = series.withLock({ $0[next] }) {
                    deliver(done)
                    next += 1
                }
            }
        }
        return series.withLock { $0.compactMap { $0 } }
    }
}
