import ArgumentParser
import LabModel
import LabPackets
import LabPipeline
import LabReport
import LabSystem

struct GradeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grade",
        abstract: "Grade a class: every capture in the folders given, each matched to its experiment and checked.",
        discussion: """
        One folder per student is the usual layout (submissions/alice/trace2.pcap): the student is \
        the first folder below the one given, or that folder itself when the files lie directly in \
        it. In a folder, a file is taken by its name (.pcap, .pcapng, .cap) or by its first bytes; \
        tcplab's own outputs (.svg, .html, .md, .json, .xml, .csv), hidden files and other files are \
        skipped, and counted under the table. A path that does not exist is exit 66. A file is \
        matched to its experiment by its name (trace2.pcap, Trace2.PCAPNG, trace3-drain.pcap), else \
        by the experiment it matches best; the table says which (a file that cannot be read counts \
        under the experiment its name names). Copies of one capture (the same ISNs and times) are \
        listed once, as a group. Exit 0 when every file was read to its end, whatever the verdicts; \
        2 when some file could not be read (not a capture, empty, cut short, unreadable): its row \
        says why, and the others are graded all the same. With one student, the exit status is the \
        grade, as check gives it for those files: 0 when every file passed, 1 when an expectation \
        failed, 2 when a file was cut short.

        With --code, each student folder holds programs instead of traces: a tcplab.json naming \
        the commands per experiment ({"experiment-2": {"server": "python3 server.py {port}", \
        "client": "python3 client.py {host} {port}"}}), or a server.py and/or client.py played \
        against each --experiment. Every run has its own private namespace, so no two students' \
        programs ever share one; the table gives each student's pass rate and the patterns their \
        runs produced. --csv, --json, --junit and --summary write the same grades as files, with \
        what each program used at most (CPU, memory, processes) and any limit it hit. Exit 0 when every submission ran, 2 when some could not be run at all. A folder \
        that itself holds the programs (a server.py, client.py or tcplab.json, as Gradescope and \
        GitHub Classroom give one student's repository) is that one submission, and with one \
        student the exit status is the grade: 0 when every run passed, 1 when not.

        --shard K/N grades one of N parts of the class (each student in one part, by a fixed hash \
        of the name), so N CI runners can share it; --merge then reads the parts' --json files \
        and writes the table, CSV, JSON, JUnit and summary one run over the whole class would, \
        copies of one capture across parts included. Add --code to both for programs.
        """)

    @Argument(help: "Capture files, or folders of them.", completion: captureFile)
    var paths: [String]

    @OptionGroup var options: ExperimentOptions

    @OptionGroup(title: "Sandbox (with --code)") var sandbox: IsolationOptions

    @Option(help: "How many files are graded at once (at most \(CommandLimits.jobs)). Default: the number of cores.",
            transform: wholeNumber(atMost: CommandLimits.jobs))
    var jobs: Int = min(OSThread.allowedProcessors, CommandLimits.jobs)

    @Flag(help: "Grade programs, not traces: run each student's server and client against the experiments.")
    var code = false

    @Option(name: .customLong("experiment"), help: "With --code: the experiment a student's server.py and client.py are for (repeatable).",
            completion: experimentName)
    var codeExperiments: [String] = []

    @Option(parsing: .unconditional, help: "With --code: run each student's code this many times per experiment (at most \(CommandLimits.runs)).",
            transform: wholeNumber(atMost: CommandLimits.runs))
    var `repeat`: Int = 1

    @Option(help: "With --code: where each student's traces go (a folder per student).")
    var out: String = "graded"

    @Option(help: ArgumentHelp("With --code: the longest one run may take before the programs are killed (at most \(formatDuration(CommandLimits.deadline))).", valueName: "duration"),
            transform: positiveDuration)
    var deadline: Duration?

    @Option(help: "Write the grades as CSV here.")
    var csv: String?

    @Option(help: "Write the grades as JSON here (schema: Experiments/run-record.schema.json).")
    var json: String?

    @Option(help: "Write JUnit XML here: a testsuite per file (with --code, per student and experiment), a testcase per expectation.")
    var junit: String?

    @Option(help: "Write the class summary here: Markdown, or HTML for a name ending in .html.")
    var summary: String?

    @Option(help: ArgumentHelp("Grade only the K-th of N parts of the class, by a fixed hash of each student's name, "
                               + "so N runners of a CI matrix share a class (at most \(CommandLimits.shards) parts).", valueName: "K/N"),
            transform: shardOption)
    var shard: Shard?

    @Flag(help: "The paths are shards' --json files (of grade --shard, or with --code of grade --code --shard); write the table, CSV, JSON, JUnit and summary of the whole class from them.")
    var merge = false

    @Option(help: "Write Gradescope's results.json here for one submission: a test per expectation per experiment.")
    var gradescope: String?

    @Option(help: ArgumentHelp("With --gradescope: what each test is worth, per experiment or expectation (default 1 point a test).",
                               valueName: "points.json"))
    var points: String?

    func validate() throws {
        if merge && (shard != nil || gradescope != nil || !codeExperiments.isEmpty) {
            throw ValidationError("--merge joins shards' grades: it runs nothing, so --shard, --gradescope and --experiment do not apply")
        }
        if points != nil && gradescope == nil { throw ValidationError("--points scores Gradescope's tests: add --gradescope FILE") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        try requireAtMost("--jobs", jobs, CommandLimits.jobs)
        if `repeat` < 1 { throw ValidationError("--repeat must be a whole number of runs, at least 1; got \(`repeat`)") }
        try requireAtMost("--repeat", `repeat`, CommandLimits.runs, unit: "runs")
        if !code && (!codeExperiments.isEmpty || `repeat` != 1 || deadline != nil) {
            throw ValidationError("--experiment, --repeat and --deadline grade programs: add --code")
        }
    }

    func gradeCode(_ loader: ExperimentLoader, _ outputs: GradeOutputs) throws {
        if merge { return try finish { () throws(CommandFailure) in try CodeGradePipeline.merge(paths, outputs: outputs) } }
        if case let .unavailable(reason) = CapturePrivilege.startup {
            throw fail("cannot run students' code without root: \(reason)", .noPermission)
        }
        let isolation = sandbox.value
        // Where the network is shared the header says so before any student runs.
        if isolation.network == .current { print(isolation.header) }
        try finish { () throws(CommandFailure) in
            try CodeGradePipeline.run(paths, experiments: codeExperiments, loader: loader, repeats: `repeat`, out: out, deadline: deadline,
                                      jobs: jobs, outputs: outputs, isolation: isolation, shard: shard)
        }
    }

    func run() throws {
        let loader = try options.loader()
        do {
            try OutputWriter.makeFolders(for: [("--csv", csv), ("--json", json), ("--junit", junit), ("--summary", summary), ("--gradescope", gradescope)])
        } catch {
            throw fail(error.description, ExitStatus(code: error.exitCode))
        }
        let outputs = GradeOutputs(json: json, csv: csv, junit: junit, summary: summary, gradescope: gradescope, points: points)
        if code { return try gradeCode(loader, outputs) }
        if merge { return try finish { () throws(CommandFailure) in try GradePipeline.merge(paths, outputs: outputs) } }
        var experiments: [Experiment] = []
        do throws(ExperimentError) {
            for name in try loader.names() { experiments.append(try loader.load(name).withInProcessClient()) }
        } catch {
            throw fail(error.description, ExitStatus(code: error.exitCode))
        }
        try finish { () throws(CommandFailure) in try GradePipeline.run(paths, experiments: experiments, jobs: jobs, outputs: outputs, shard: shard) }
    }

    /// Prints a grading's table and exits with its status, or says in one line why it could not be made.
    func finish(_ grading: () throws(CommandFailure) -> (table: String, exitCode: Int32)) throws {
        let outcome: (table: String, exitCode: Int32)
        do { outcome = try grading() } catch {
            throw fail(error.description, ExitStatus(code: error.exitCode))
        }
        print(outcome.table, terminator: "")
        if outcome.exitCode != 0 { throw ExitStatus(code: outcome.exitCode).exit }
    }
}
