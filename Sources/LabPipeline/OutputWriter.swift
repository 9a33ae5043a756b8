import FoundationEssentials
import LabCapture
import LabModel
import LabPackets
import LabReport
import LabSystem

/// A file tcplab was asked to write and could not. Exit 73.
public struct OutputError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public var exitCode: Int32 { 73 }

    init(_ error: SystemError, what: String? = nil) {
        let reason = SystemError.describe(error.errno)
        description = what.map { "\(error.subject): cannot write \($0): \(reason)" } ?? "\(error.subject): cannot write: \(reason)"
    }

    init(_ error: CaptureError) { description = error.description }
}

/// The one place every command writes its files through: traces, ladders, reports, records.
/// Each file appears under its name only when whole.
public enum OutputWriter {
    public enum TraceFormat: String, Sendable, CaseIterable { case pcap, pcapng }

    /// The trace's path with the format's extension.
    public static func tracePath(_ base: String, format: TraceFormat) -> String {
        let stem = base.hasSuffix(".pcap") ? String(base.dropLast(5)) : base
        return stem + "." + format.rawValue
    }

    /// The ladder beside a trace: the trace's name with `.svg`.
    public static func ladderPath(forTrace trace: String) -> String {
        let dot = trace.lastIndex(of: ".") ?? trace.endIndex
        return trace[..<dot] + ".svg"
    }

    /// A run's frames as pcap, or as pcapng with a comment on every frame.
    public static func writeTrace(_ result: RunResult, format: TraceFormat, to path: String) throws(OutputError) {
        guard let record = result.record else { return }
        do {
            switch format {
            case .pcap:
                try PcapWriter.write(record.mergedFrames ?? record.frames, linkType: record.linkType, snapLength: record.snapLength, to: path)
            case .pcapng where record.mergedFrames != nil:
                // Each comment belongs to a packet of the checked capture; the merged trace has both hosts' copies.
                let section = PcapngSection(application: Tool.label,
                                            comment: FrameComments.section(result.experiment, kernel: Kernel.release)
                                                + "\nBoth hosts' captures merged; checked on the client's, whose packets the report numbers.",
                                            os: Kernel.release)
                try PcapngWriter.write(record.mergedFrames ?? record.frames, linkType: record.linkType, snapLength: record.snapLength,
                                       section: section, comments: [], to: path)
            case .pcapng:
                let comments = FrameComments.make(packets: result.packets, verdict: result.verdict, explanations: result.explanations)
                let section = PcapngSection(application: Tool.label,
                                            comment: FrameComments.section(result.experiment, kernel: Kernel.release),
                                            os: Kernel.release)
                try PcapngWriter.write(record.frames, linkType: record.linkType, snapLength: record.snapLength,
                                       section: section, comments: comments, to: path)
            }
        } catch {
            throw OutputError(error)
        }
    }

    public static func writeLadder(_ connections: [Connection], title: String, to path: String) throws(OutputError) {
        try writeLadder(LadderDiagram(connections: connections, title: title), to: path)
    }

    public static func writeLadder(_ diagram: LadderDiagram, to path: String) throws(OutputError) {
        try write(diagram.render(), to: path, what: "the ladder diagram")
    }

    /// A run's lab report: HTML with the packet list, details and bytes panes when `path` ends in
    /// `.html`, else Markdown; either links its trace (and the Markdown its ladder) relative to its folder.
    public static func writeReport(_ result: RunResult, to path: String, tracePath: String, ladderPath: String) throws(OutputError) {
        if path.lowercased().hasSuffix(".html") || path.lowercased().hasSuffix(".htm") {
            var ladder = LadderDiagram(connections: result.connections, title: "\(result.experiment.name): \(result.experiment.title)")
            ladder.tcplabCaused = Set(TcplabCaused.packets(result.record, connections: result.connections).keys)
            let html = HTMLReport(result: result, ladderSVG: ladder.render(), traceLink: relative(tracePath, from: path), kernel: Kernel.release)
            try write(html.render(), to: path)
            return
        }
        let markdown = MarkdownReport(result: result, traceLink: relative(tracePath, from: path),
                                      ladderLink: relative(ladderPath, from: path), kernel: Kernel.release)
        try write(markdown.render(), to: path)
    }

    public static func writeJUnit(_ results: [RunResult], to path: String) throws(OutputError) {
        try write(JUnitReport.render(results), to: path)
    }

    /// The JSON record of runs (Experiments/run-record.schema.json).
    public static func writeRecords(_ results: [RunResult], explain: Bool, to path: String) throws(OutputError) {
        let report = RunReport(tool: Tool.label, kernel: Kernel.release, results: results, explain: explain)
        try write(try encodeJSON(report), to: path)
    }

    /// The JSON record of checks, each check's packets and explanation streamed in from its
    /// result's stores: a check of a big file lists a million packets, too many to encode at once.
    /// The bytes are those of encoding the whole record (`encodeJSON`).
    public static func writeChecks(_ checks: [FileCheck], strict: Bool, explain: Bool, to path: String) throws(OutputError) {
        let report = CheckReport(tool: Tool.label, checks: checks.map { $0.entry(strict: strict, explain: explain, listed: false) })
        let lines = String(decoding: try encodeJSON(report), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        do {
            let file = try AtomicFileWriter(path)
            var entry = -1
            var i = 0
            while i < lines.count {
                let line = lines[i]
                let last = i == lines.count - 1
                try file.append(String(line) + (last ? "" : "\n"))
                i += 1
                // Each check is an object of the `checks` array, its fields two spaces further in.
                if line == "    {" { entry += 1 }
                guard line == "      \"packets\" : [" || line == "      \"explanation\" : [", i + 1 < lines.count, lines[i].isEmpty,
                      entry >= 0, entry < checks.count, let result = checks[entry].result else { continue }
                // An empty array, as encoded: stream the elements in its place.
                var element: [UInt8] = []
                func add(_ write: (inout [UInt8]) -> Void) throws {
                    // The element before, if any, left its bytes here; the buffer is reused.
                    let separated = !element.isEmpty
                    element.removeAll(keepingCapacity: true)
                    if separated { element += ",\n".utf8 }
                    write(&element)
                    try file.append(element)
                }
                if line.hasSuffix("\"packets\" : [") {
                    try result.rows?.forEach { row in try add { PrettyJSON.write(row, indent: 8, into: &$0) } }
                } else {
                    try result.explanations?.forEach { e in try add { PrettyJSON.write(e, indent: 8, into: &$0) } }
                }
            }
            try file.commit()
        } catch let error as SystemError {
            throw OutputError(error)
        } catch {
            throw OutputError(description: "\(path): cannot write: \(error)")
        }
    }

    public static func writeJUnit(checks: [JUnitReport.CheckCase], to path: String) throws(OutputError) {
        try write(JUnitReport.render(checks: checks), to: path)
    }

    /// Rewrites an experiment's golden summary from a run; returns where it went.
    public static func writeGolden(_ result: RunResult) throws(OutputError) -> String {
        let path = GoldenSummary.path(for: result.experiment)
        do {
            try FileSystem.makeDirectories(String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)]))
        } catch {
            throw OutputError(error)
        }
        try write(GoldenSummary.render(result.experiment, connections: result.connections), to: path)
        return path
    }

    /// Creates an output folder and its parents; `option` names the flag that moves it, for the error's advice.
    public static func makeFolder(_ path: String, option: String = "--out") throws(OutputError) {
        try makeWritable(path, what: "\(path): the output folder", advice: "pass \(option) with a folder you can write to")
    }

    /// Creates the folders the named output files go in, as `--out` is created, before any run
    /// starts: a report that could not be written would otherwise be found out only at the end.
    public static func makeFolders(for files: [(option: String, path: String?)]) throws(OutputError) {
        for case let (option, path?) in files {
            guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { continue }
            let folder = String(path[..<slash])
            try makeWritable(folder, what: "\(path): its folder for \(option)", advice: "give \(option) a path in a folder you can write to")
        }
    }

    /// Makes `folder` and its parents and checks files can be made in it; `what` names it in the error.
    private static func makeWritable(_ folder: String, what: String, advice: String) throws(OutputError) {
        do {
            try FileSystem.makeDirectories(folder)
        } catch {
            throw OutputError(description: "\(what) cannot be created: \(SystemError.describe(error.errno)) (at \(error.subject)); \(advice)")
        }
        guard FileSystem.isWritableDirectory(folder) else { throw OutputError(description: "\(what) is not writable; \(advice)") }
    }

    public static func write(_ text: String, to path: String, what: String? = nil) throws(OutputError) {
        try write(Array(text.utf8), to: path, what: what)
    }

    public static func write(_ bytes: [UInt8], to path: String, what: String? = nil) throws(OutputError) {
        do {
            try AtomicFile.write(bytes, to: path)
        } catch {
            throw OutputError(error, what: what)
        }
    }

    /// Pretty, sorted, slashes unescaped, with a final newline: stable bytes for stable input.
    /// A value that cannot be encoded (a number JSON has no way to write) is an error, never `{}`.
    static func encodeJSON<T: Encodable>(_ value: T) throws(OutputError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do { return Array(try encoder.encode(value)) + [0x0a] } catch {
            throw OutputError(description: "cannot encode the JSON record: \(error)")
        }
    }

    /// `target` as seen from the folder of `file`, for links inside a report.
    static func relative(_ target: String, from file: String) -> String {
        let base = absolute(file).split(separator: "/").dropLast()
        let parts = absolute(target).split(separator: "/")
        var common = 0
        while common < base.count, common < parts.count - 1, base[base.startIndex + common] == parts[common] { common += 1 }
        let ups = Array(repeating: "..", count: base.count - common)
        return (ups + parts[common...].map(String.init)).joined(separator: "/")
    }

    private static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}

extension OutputError {
    init(description: String) { self.description = description }
}
