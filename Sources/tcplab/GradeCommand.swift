import ArgumentParser
import LabModel
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
        it. A file is matched to its experiment by its name (trace2.pcap, Trace2.PCAPNG, \
        trace3-drain.pcap), else by the experiment it matches best; the table says which. Copies \
        of one capture (the same ISNs and times) are flagged. Exit 0 when every file was read to \
        its end, whatever the verdicts; 2 when some file could not be read (not a capture, empty, \
        cut short, unreadable): its row says why, and the others are graded all the same.
        """)

    @Argument(help: "Capture files, or folders of them.")
    var paths: [String]

    @OptionGroup var options: ExperimentOptions

    @Option(help: "How many files are graded at once. Default: the number of cores.")
    var jobs: Int = OSThread.allowedProcessors

    @Option(help: "Write the grades as CSV here.")
    var csv: String?

    @Option(help: "Write the grades as JSON here (schema: Experiments/run-record.schema.json).")
    var json: String?

    @Option(help: "Write JUnit XML here: a testsuite per file, a testcase per expectation.")
    var junit: String?

    @Option(help: "Write the class summary here: Markdown, or HTML for a name ending in .html.")
    var summary: String?

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
    }

    func run() throws {
        let loader = try options.loader()
        var experiments: [Experiment] = []
        do throws(ExperimentError) {
            for name in try loader.names() { experiments.append(try loader.load(name).withInProcessClient()) }
        } catch {
            complain(error.description)
            throw ExitCode(error.exitCode)
        }
        let submissions: [(student: String, path: String)]
        do { submissions = try GradePipeline.submissions(paths) } catch {
            complain(error.description)
            throw ExitCode(error.exitCode)
        }
        guard !submissions.isEmpty else {
            complain("no files to grade in \(paths.joined(separator: ", "))")
            throw ExitCode(66)
        }
        let graded = GradePipeline.grade(submissions, experiments: experiments, jobs: jobs)
        let rows = graded.map(\.row)
        print(GradeReport.table(rows), terminator: "")
        do {
            try OutputWriter.writeGrades(rows, csv: csv, json: json, junit: junit, summary: summary)
        } catch {
            complain(error.description)
            throw ExitCode(error.exitCode)
        }
        let code = GradePipeline.exitCode(graded)
        if code != 0 { throw ExitCode(code) }
    }
}
