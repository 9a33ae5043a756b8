import ArgumentParser
import FoundationEssentials
import LabCapture
import LabExperiment
import LabPackets
import LabReport
import LabSystem

/// The files a run writes besides its packet list: the trace, its ladder diagram, a Markdown
/// report, and the CI records.
struct RunOutputs: ParsableArguments {
    enum TraceFormat: String, ExpressibleByArgument, CaseIterable { case pcap, pcapng }

    @Option(help: "The trace's format: pcap, or pcapng with a comment on every packet (the expectation it matched, and its explanation).")
    var format: TraceFormat = .pcap

    @Option(help: "Where the SVG ladder diagram goes (one experiment). Default: beside each trace, with .svg.")
    var ladder: String?

    @Option(help: "Write a Markdown lab report here (one experiment): lab text, packets, explanation, ladder, verdicts.")
    var report: String?

    @Option(help: "Write JUnit XML here: a testcase per run, a failure per failed expectation.")
    var junit: String?

    @Option(help: "Write the run record as JSON here (schema: Experiments/run-record.schema.json).")
    var json: String?

    static let version = TCPLab.configuration.version

    func validate(experimentCount: Int, repeats: Int) throws {
        if experimentCount > 1 || repeats > 1 {
            if ladder != nil { throw ValidationError("--ladder names one file: give one experiment and no --repeat (each trace still gets its .svg beside it)") }
            if report != nil { throw ValidationError("--report names one file: give one experiment and no --repeat") }
        }
    }

    /// The trace's path with the chosen format's extension.
    func tracePath(_ base: String) -> String {
        let stem = base.hasSuffix(".pcap") ? String(base.dropLast(5)) : base
        return stem + "." + format.rawValue
    }

    func ladderPath(forTrace trace: String) -> String {
        if let ladder { return ladder }
        let dot = trace.lastIndex(of: ".") ?? trace.endIndex
        return trace[..<dot] + ".svg"
    }

    /// Writes the trace in the chosen format, with comments when pcapng.
    func writeTrace(_ result: RunResult, to path: String) throws(CaptureError) {
        guard let record = result.record else { return }
        switch format {
        case .pcap:
            try PcapWriter.write(record.frames, linkType: record.linkType, snapLength: record.snapLength, to: path)
        case .pcapng:
            let comments = FrameComments.make(packets: result.packets, verdict: result.verdict, explanations: result.explanations)
            let section = PcapngSection(application: "tcplab \(Self.version)",
                                        comment: FrameComments.section(result.experiment, kernel: Kernel.release),
                                        os: Kernel.release)
            try PcapngWriter.write(record.frames, linkType: record.linkType, snapLength: record.snapLength,
                                   section: section, comments: comments, to: path)
        }
    }

    /// The ladder and the report of one run, beside (or instead of) the default paths.
    func writeDiagrams(_ result: RunResult, tracePath: String) throws(SystemError) {
        let ladderFile = ladderPath(forTrace: tracePath)
        let diagram = LadderDiagram(connections: result.connections, title: "\(result.experiment.name): \(result.experiment.title)")
        try AtomicFile.write(diagram.render(), to: ladderFile)
        if let report {
            let markdown = MarkdownReport(result: result,
                                          traceLink: relative(tracePath, from: report), ladderLink: relative(ladderFile, from: report),
                                          kernel: Kernel.release)
            try AtomicFile.write(markdown.render(), to: report)
        }
    }

    /// The CI records of every run, written once all are done.
    func writeRecords(_ results: [RunResult], explain: Bool) throws(SystemError) {
        if let junit { try AtomicFile.write(JUnitReport.render(results), to: junit) }
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let report = RunReport(tool: "tcplab \(Self.version)", kernel: Kernel.release, results: results, explain: explain)
            let data = (try? encoder.encode(report)) ?? Data("{}".utf8)
            try AtomicFile.write(Array(data) + [0x0a], to: json)
        }
    }

    /// `target` as seen from the folder of `file`, for links inside a report.
    private func relative(_ target: String, from file: String) -> String {
        let base = absolute(file).split(separator: "/").dropLast()
        let parts = absolute(target).split(separator: "/")
        var common = 0
        while common < base.count, common < parts.count - 1, base[base.startIndex + common] == parts[common] { common += 1 }
        let ups = Array(repeating: "..", count: base.count - common)
        return (ups + parts[common...].map(String.init)).joined(separator: "/")
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
