import ArgumentParser
import LabPipeline
import LabReport

/// The files a run writes besides its packet list: the trace, its ladder diagram, a Markdown
/// report, and the CI records.
struct RunOutputs: ParsableArguments {
    @Option(help: "The trace's format: pcap, or pcapng with a comment on every packet (the expectation it matched, and its explanation).")
    var format: OutputWriter.TraceFormat = .pcap

    @Option(help: "Where the SVG ladder diagram goes (one experiment). Default: beside each trace, with .svg.")
    var ladder: String?

    @Option(help: "Write the lab report here (one experiment): FILE.html is one self-contained page with Wireshark's packet list, details and bytes panes, the explanation, verdicts and ladder; any other name gets Markdown.")
    var report: String?

    @Option(help: "Write JUnit XML here: a testsuite per run, a testcase per expectation (failed, or skipped with why).")
    var junit: String?

    @Option(help: "Write the run record as JSON here (schema: Experiments/run-record.schema.json).")
    var json: String?

    /// Each file option with its path, for their folders to be made before the run.
    var files: [(option: String, path: String?)] { [("--ladder", ladder), ("--report", report), ("--junit", junit), ("--json", json)] }

    func validate(experimentCount: Int, repeats: Int) throws {
        if experimentCount > 1 || repeats > 1 {
            if ladder != nil { throw ValidationError("--ladder names one file: give one experiment and no --repeat (each trace still gets its .svg beside it)") }
            if report != nil { throw ValidationError("--report names one file: give one experiment and no --repeat") }
        }
    }

    /// The CI records of every run, written once all are done; returns a line naming each.
    func writeRecords(_ results: [RunResult], explain: Bool) throws(OutputError) -> [String] {
        var written: [String] = []
        if let junit {
            try OutputWriter.writeJUnit(results, to: junit)
            written.append("JUnit XML of \(results.count) run(s) written to \(junit)")
        }
        if let json {
            try OutputWriter.writeRecords(results, explain: explain, to: json)
            written.append("run record (JSON) of \(results.count) run(s) written to \(json)")
        }
        return written
    }
}

extension OutputWriter.TraceFormat: ExpressibleByArgument {}
