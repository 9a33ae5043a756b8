import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import LabCapture
import LabModel
import LabPipeline
import LabPackets
import LabReport
import Testing

/// Every experiment with every report asked for: the five files exist and are what they claim,
/// checked by the tools that read them (tshark, an XML parser, rsvg-convert, jsonschema).
@Suite(.enabled(if: getuid() == 0, "needs root for namespaces and CAP_NET_RAW"))
struct ReportFilesTests {
    struct Files {
        var dir: String
        var run: Finished
        var trace: String
        var report: String { dir + "/r.md" }
        var ladder: String { dir + "/l.svg" }
        var junit: String { dir + "/j.xml" }
        var json: String { dir + "/r.json" }
    }

    static func runWithEveryReport(_ name: String, experiments: String = Repository.experiments, extra: [String] = []) throws -> Files {
        let dir = try Repository.temporaryDirectory()
        let run = try execute(Repository.binary, [
            "run", name, "--experiments", experiments, "--out", dir, "--explain", "--report", dir + "/r.md",
            "--ladder", dir + "/l.svg", "--format", "pcapng", "--junit", dir + "/j.xml", "--json", dir + "/r.json",
        ] + extra)
        let experiment = try ExperimentLoader(directory: experiments).load(name)
        return Files(dir: dir, run: run, trace: dir + "/" + experiment.trace.dropLast(5) + ".pcapng")
    }

    @Test(arguments: Repository.experimentNames)
    func everyReportIsWrittenAndReadable(name: String) throws {
        let files = try Self.runWithEveryReport(name)
        defer { try? FileManager.default.removeItem(atPath: files.dir) }
        #expect(files.run.status == 0, "\(files.run.output)\n\(files.run.error)")
        for path in [files.trace, files.report, files.ladder, files.junit, files.json] {
            #expect(FileManager.default.fileExists(atPath: path), "\(path) missing")
        }
        #expect(!files.run.output.contains("\u{1B}") && !files.run.output.contains("\r"), "control characters in piped output")
        // The run names every file it wrote: the summary line its trace, ladder and report, then the records.
        #expect(files.run.output.contains(" — \(files.trace), \(files.ladder), \(files.report)\n"), "\(files.run.output.suffix(400))")
        #expect(files.run.output.contains("JUnit XML of 1 run(s) written to \(files.junit)\n"))
        #expect(files.run.output.contains("run record (JSON) of 1 run(s) written to \(files.json)\n"))

        // tshark reads the pcapng and every frame carries a comment.
        let tshark = try execute("tshark", ["-r", files.trace, "-T", "fields", "-e", "frame.number", "-e", "frame.comment"])
        #expect(tshark.status == 0, "\(tshark.error)")
        let rows = tshark.output.split(separator: "\n").map { $0.split(separator: "\t", maxSplits: 1).map(String.init) }
        #expect(!rows.isEmpty)
        for row in rows { #expect(row.count == 2 && !row[1].isEmpty, "frame \(row.first ?? "?") has no comment") }

        // The ladder has one arrow per packet and renders.
        let svg = try String(contentsOfFile: files.ladder, encoding: .utf8)
        let arrows = try XMLElementCounter.count(svg, elementClass: "arrow")
        #expect(arrows == rows.count, "\(arrows) arrows for \(rows.count) packets")

        // JUnit: a testcase per expectation, none failed; the JSON record validates against its schema.
        let junit = try JUnitCounts.read(files.junit)
        let verdicts = try execute("python3", ["-c", "import json, sys; print(len(json.load(open(sys.argv[1]))['runs'][0]['verdicts']))", files.json])
        #expect(junit.testcases == Int(verdicts.output.trimmingCharacters(in: .whitespacesAndNewlines)) && junit.testcases > 0
                && junit.failures == 0 && junit.errors == 0, "\(junit); \(verdicts.output) verdicts")
        let schema = try execute("python3", ["-c", """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1])); jsonschema.Draft202012Validator.check_schema(schema)
            record = json.load(open(sys.argv[2])); jsonschema.validate(record, schema)
            assert record["runs"][0]["status"] == "passed" and record["runs"][0]["explanation"]
            """, Repository.experiments + "/run-record.schema.json", files.json])
        #expect(schema.status == 0, "\(schema.error)")

        // The report links the ladder and the trace, and carries the explanation.
        let report = try String(contentsOfFile: files.report, encoding: .utf8)
        #expect(report.contains("](l.svg)") && report.contains("## What happens, packet by packet") && report.contains("| ok |"))

        // Golden summary: a change in tcplab's own behaviour shows up as a readable diff.
        let experiment = try ExperimentLoader(directory: Repository.experiments).load(name)
        let summary = GoldenSummary.render(experiment, connections: try CheckPipeline.read(files.trace).trace.connections)
        let golden = try String(contentsOfFile: GoldenSummary.path(for: experiment), encoding: .utf8)
        #expect(summary == golden, "golden summary differs:\n\(lineDiff(golden, summary))")
    }

    @Test(arguments: [
        ("experiment-0", ["FIN piggybacked on the data", "TCP_CORK held the reply"]),
        ("experiment-3", ["closed with 10952 bytes unread, so the kernel sent RST instead of FIN"]),
        ("experiment-4", ["Nagle", "delayed ACK came", "sleeps 5.0 s before each read"]),
    ])
    func explanationNamesTheCause(name: String, phrases: [String]) throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try execute(Repository.binary, ["run", name, "--experiments", Repository.experiments, "--out", dir, "--explain"])
        #expect(run.status == 0)
        for phrase in phrases { #expect(run.output.contains(phrase), "\(name)'s explanation lacks \"\(phrase)\"") }
    }

    /// A run's ladder renders as a PNG; where rsvg-convert is missing the test says it is skipped.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/rsvg-convert"), "needs rsvg-convert (apt-get install librsvg2-bin)"),
          arguments: ["experiment-2", "experiment-62"])
    func theLadderRendersAsAPicture(name: String) throws {
        let files = try Self.runWithEveryReport(name)
        defer { try? FileManager.default.removeItem(atPath: files.dir) }
        let png = files.dir + "/l.png"
        let render = try execute("rsvg-convert", [files.ladder, "-o", png])
        #expect(render.status == 0, "\(render.error)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(bytes.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
    }

    @Test func aFailingExperimentGivesOneFailureElementPerFailedExpectation() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let original = try String(contentsOfFile: Repository.experiments + "/experiment-2.json", encoding: .utf8)
        let broken = original
            .replacingOccurrences(of: "\"sizes\": [5, 5, 5, 5]", with: "\"sizes\": [6, 6, 6, 2]")
            .replacingOccurrences(of: "{\"rst\": \"none\"", with: "{\"rst\": \"client\"")
        #expect(broken != original)
        try broken.write(toFile: dir + "/experiment-2.json", atomically: true, encoding: .utf8)
        let files = try Self.runWithEveryReport("experiment-2", experiments: dir, extra: ["--repeat", "1"])
        defer { try? FileManager.default.removeItem(atPath: files.dir) }
        #expect(files.run.status == 1)
        let junit = try JUnitCounts.read(files.junit)
        #expect(junit.testcases == 11 && junit.failures == 2 && junit.suiteFailures == 2, "a testcase per expectation: \(junit)")

        let repeated = try execute(Repository.binary, ["run", "experiment-2", "--experiments", dir, "--out", dir, "--repeat", "3",
                                                       "--junit", dir + "/j3.xml", "--quiet"])
        #expect(repeated.status == 1)
        let three = try JUnitCounts.read(dir + "/j3.xml")
        #expect(three.testcases == 33 && three.failures == 6 && three.suiteFailures == 6, "\(three)")
        let suites = try String(contentsOfFile: dir + "/j3.xml", encoding: .utf8).split(separator: "\n").filter { $0.contains("<testsuite ") }
        #expect(suites.map { $0.contains("name=\"experiment-2 run \(suites.firstIndex(of: $0)! + 1)\"") } == [true, true, true], "a testsuite per run: \(suites)")
    }
}

/// Counts elements in an SVG with Foundation's XML parser, which also proves it well-formed.
final class XMLElementCounter: NSObject, XMLParserDelegate {
    struct Malformed: Error { var reason: String }
    private let elementClass: String
    private var count = 0

    private init(elementClass: String) { self.elementClass = elementClass }

    static func count(_ xml: String, elementClass: String) throws -> Int {
        let counter = XMLElementCounter(elementClass: elementClass)
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = counter
        guard parser.parse() else { throw Malformed(reason: parser.parserError.map { "\($0)" } ?? "unknown") }
        return counter.count
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if attributes["class"] == elementClass { count += 1 }
    }
}

/// What python3's xml.etree, as CI tools use it, finds in a JUnit file.
struct JUnitCounts: CustomStringConvertible {
    var testcases = 0, failures = 0, errors = 0, suiteFailures = 0

    static func read(_ path: String) throws -> JUnitCounts {
        let result = try execute("python3", ["-c", """
            import sys, xml.etree.ElementTree as ET
            root = ET.parse(sys.argv[1]).getroot()
            suites = root.findall("testsuite")
            print(len(root.findall(".//testcase")), len(root.findall(".//failure")), len(root.findall(".//error")),
                  sum(int(s.get("failures")) for s in suites))
            """, path])
        let numbers = result.output.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        guard result.status == 0, numbers.count == 4 else { throw XMLElementCounter.Malformed(reason: result.error) }
        return JUnitCounts(testcases: numbers[0], failures: numbers[1], errors: numbers[2], suiteFailures: numbers[3])
    }

    var description: String { "\(testcases) testcases, \(failures) failures, \(errors) errors, suites say \(suiteFailures) failed" }
}

/// The lines that differ, marked - (golden) and + (this run).
func lineDiff(_ old: String, _ new: String) -> String {
    let a = old.split(separator: "\n", omittingEmptySubsequences: false), b = new.split(separator: "\n", omittingEmptySubsequences: false)
    var out: [String] = []
    for i in 0..<max(a.count, b.count) {
        let x = i < a.count ? String(a[i]) : nil, y = i < b.count ? String(b[i]) : nil
        if x != y {
            if let x { out.append("- \(x)") }
            if let y { out.append("+ \(y)") }
        }
    }
    return out.joined(separator: "\n")
}
