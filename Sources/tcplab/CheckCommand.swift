import ArgumentParser
import LabModel
import LabPipeline
import LabReport
import LabVerdict

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check captures (a student's Wireshark trace, say) against an experiment's expectations.",
        discussion: """
        The experiment's connections are found by their handshake: those to the experiment's port, or \
        else those whose opening was captured and that carry what the experiment is about (HTTP for \
        Part 2, a plain exchange for Part 1). Other traffic in the file is ignored. Without \
        --experiment, every experiment is tried and the best match is named and judged.

        Each expectation is held, failed, not applicable (it describes how tcplab's own run pins the \
        behaviour) or unobservable (the capture ends before it). Exit 0 when nothing failed, 1 when \
        an expectation failed or nothing in the file matches the experiment, 2 when a file is cut \
        short or corrupt (the packets before the damage are still judged), 66 when a file cannot be \
        read. An unobservable expectation does not fail a check, since the capture does not \
        contradict it; --strict makes it fail.
        """)

    @Argument(help: "One or more .pcap or .pcapng files.", completion: captureFile)
    var files: [String]

    @Option(help: "The experiment whose expectations apply, e.g. experiment-2. Default: the one that matches best.", completion: experimentName)
    var experiment: String?

    @Option(help: "The client's address and port (HOST:PORT), when the handshake alone cannot tell.")
    var client: String?

    @OptionGroup var options: ExperimentOptions

    @Flag(help: "After the packet list, explain every packet; causes taken from the experiment are only \"likely\" here.")
    var explain = false

    @Option(help: "Also draw the experiment's connections as an SVG ladder diagram in this file (one capture).")
    var ladder: String?

    @Flag(help: "Count an unobservable expectation as failed (exit 1).")
    var strict = false

    @Option(help: "Write the checks as JSON here (schema: Experiments/run-record.schema.json).")
    var json: String?

    @Option(help: "Write JUnit XML here: a testsuite per file, a testcase per expectation.")
    var junit: String?

    func validate() throws {
        if let client, ClientSelector(client) == nil {
            throw ValidationError("--client expects HOST:PORT, such as 10.0.2.15:51234 or [::1]:51234; got '\(client)'")
        }
        if files.count > 1, ladder != nil { throw ValidationError("--ladder draws one capture: give one file") }
        if files.count > 1, explain { throw ValidationError("--explain explains one capture's packets: give one file") }
    }

    func run() throws {
        let candidates = try experiments(try options.loader())
        do {
            try OutputWriter.makeFolders(for: [("--ladder", ladder), ("--json", json), ("--junit", junit)])
        } catch {
            throw fail(error.description, ExitStatus(code: error.exitCode))
        }
        let selector = client.flatMap(ClientSelector.init)
        var checks: [FileCheck] = []
        for file in files {
            // One file's packets are printed and a JSON record lists every file's: only then are rows kept.
            checks.append(FileCheck.run(file, candidates: candidates, given: experiment != nil, client: selector, explain: explain,
                                        list: files.count == 1 || json != nil, ladder: ladder != nil))
        }
        if files.count == 1, let check = checks.first { try printWhole(check) } else { for check in checks { print(check.line) } }
        try writeFiles(checks)
        let code = FileCheck.exitCode(checks, strict: strict)
        if code != 0 { throw ExitStatus(code: code).exit }
    }

    /// The experiment given, or every one to rank the files against.
    private func experiments(_ loader: ExperimentLoader) throws -> [Experiment] {
        var candidates: [Experiment] = []
        do throws(ExperimentError) {
            let names = if let experiment { [experiment] } else { try loader.names() }
            for name in names { candidates.append(try loader.load(name).withInProcessClient()) }
        } catch {
            throw fail(error.description, ExitStatus(code: error.exitCode))
        }
        return candidates
    }

    /// One file's packets, verdict and (with --explain) explanation.
    private func printWhole(_ check: FileCheck) throws {
        if let error = check.error {
            throw fail(error.description, ExitStatus(code: error.exitCode))
        }
        // Unreachable since the loader refuses a folder without experiments; said, not trapped, all the same.
        guard let result = check.result else {
            throw fail(check.line, .internalError)
        }
        var output = StandardOutputBuffer()
        if let ranking = check.ranking { output.append(ranking.line + "\n") }
        do {
            try result.write(explain: explain) { output.append($0 + "\n") }
        } catch {
            output.flush()
            throw fail("\(check.file): \(error)", .internalError)
        }
        output.flush()
    }

    /// The ladder, JSON and JUnit files asked for, each with a line that says where it went.
    private func writeFiles(_ checks: [FileCheck]) throws {
        do {
            // The check drew it from one more reading of the file, as it was asked for (`FileCheck.run`).
            if let ladder, let diagram = checks.first?.result?.ladder {
                try OutputWriter.writeLadder(diagram, to: ladder)
                print("ladder diagram written to \(ladder)")
            }
            if let json {
                try OutputWriter.writeChecks(checks, strict: strict, explain: explain, to: json)
                print("checks (JSON) of \(checks.count) file(s) written to \(json)")
            }
            if let junit {
                let cases = checks.map { JUnitReport.CheckCase(suite: $0.file, entry: $0.entry(strict: strict, explain: false, listed: false)) }
                try OutputWriter.writeJUnit(checks: cases, to: junit)
                print("JUnit XML of \(checks.count) file(s) written to \(junit)")
            }
        } catch {
            throw fail(error.description, ExitStatus(code: error.exitCode))
        }
    }
}
