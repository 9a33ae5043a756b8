import Foundation
import Testing

/// `tcplab grade` on a class of 8 students × 5 files, as a TA gets them: named or renamed,
/// pcap and pcapng, one handed in twice, one cut short, one empty, and a text file beside them.
@Suite struct GradeTests {
    static let tools = Repository.root + "/Tests/IntegrationTests/Fixtures/corpus-tools"

    /// Each student's own captures (other ISNs and times), placed as students name them.
    static func makeClass() throws -> String {
        let root = try Repository.temporaryDirectory()
        let classDir = root + "/class"
        for n in 1...8 {
            let own = root + "/shapes\(n)"
            try FileManager.default.createDirectory(atPath: own, withIntermediateDirectories: true)
            let made = try execute("python3", [tools + "/labshapes.py", own, "--variant", String(n)])
            guard made.status == 0 else { throw Failed(made.error) }
            let student = classDir + "/s0\(n)"
            try FileManager.default.createDirectory(atPath: student, withIntermediateDirectories: true)
            func put(_ shape: String, _ name: String) throws { try FileManager.default.copyItem(atPath: own + "/" + shape, toPath: student + "/" + name) }
            try put("lab-trace0-nat-sll.pcap", "trace0.pcap")
            try put("lab-trace1-nat-sll.pcap", "trace1.pcap")
            try put("lab-trace2-any.pcapng", "trace2.pcapng")
            try put("lab-trace4-vms-eth.pcap", "trace4.pcap")
            switch n {
            case 1: try put("lab-trace3-vms-eth.pcap", "Trace3.PCAP")
            case 2: try FileManager.default.copyItem(atPath: classDir + "/s01/trace1.pcap", toPath: student + "/my capture.pcap")
            case 3:
                let converted = try execute("editcap", ["-F", "pcapng", own + "/lab-http-12345-sll.pcap", student + "/trace62.pcapng"])
                guard converted.status == 0 else { throw Failed(converted.error) }
            case 4: try put("lab-trace1-cut-sll.pcap", "trace1-stopped-early.pcap")
            case 5:
                let whole = try Data(contentsOf: URL(fileURLWithPath: own + "/lab-trace3-vms-eth.pcap"))
                try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: student + "/trace3.pcap"))
            case 6: _ = FileManager.default.createFile(atPath: student + "/trace3-drain.pcap", contents: Data())
            case 7: try "my answers are in the report".write(toFile: student + "/notes.txt", atomically: true, encoding: .utf8)
            default: try put("lab-trace1-late-sll.pcap", "trace1-late.pcap")
            }
        }
        return root
    }

    struct Failed: Error { var reason: String; init(_ r: String) { reason = r } }

    @Test func aClassOf40FilesGetsEveryOutputAndTheRightVerdicts() throws {
        let root = try Self.makeClass()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let out = root + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let result = try execute(Repository.binary, ["grade", root + "/class", "--experiments", Repository.experiments,
                                                     "--csv", out + "/g.csv", "--json", out + "/g.json", "--junit", out + "/g.xml",
                                                     "--summary", out + "/summary.md"])
        #expect(result.status == 2, "two files could not be read to their end: \(result.output)\(result.error)")
        let csv = try String(contentsOfFile: out + "/g.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(csv.count == 40, "the text file is skipped, not graded")
        func row(_ student: String, _ file: String) -> String { csv.first { $0.hasPrefix("\(student),\(root)/class/\(student)/\(file),") } ?? "(none)" }
        #expect(row("s01", "Trace3.PCAP").contains(",experiment-3,file name,passed,"))
        #expect(row("s02", "my capture.pcap").contains(",experiment-1,best match,passed,"))
        #expect(row("s02", "my capture.pcap").contains(",s01/trace1.pcap,"), "a copy of another student's capture is flagged")
        #expect(row("s01", "trace1.pcap").contains(",s02/my capture.pcap,"))
        #expect(row("s03", "trace1.pcap").hasSuffix(",passed,9,0,0,0,0,,,"), "two students' own captures are not copies: \(row("s03", "trace1.pcap"))")
        #expect(row("s03", "trace62.pcapng").contains(",experiment-62,file name,failed,"))
        #expect(row("s04", "trace1-stopped-early.pcap").contains(",experiment-1,file name,passed,5,0,0,4,"))
        #expect(row("s05", "trace3.pcap").contains("passed, file cut short"))
        #expect(row("s06", "trace3-drain.pcap").hasSuffix(",unreadable,,,,,,,,the file is empty"))
        #expect(row("s07", "notes.txt") == "(none)")
        #expect(row("s08", "trace1-late.pcap").contains(",experiment-1,file name,no match,"))
        for n in 1...8 { #expect(row("s0\(n)", "trace4.pcap").contains(",experiment-4,file name,passed,9,0,1,0,")) }

        let schema = try execute("python3", ["-c", """
            import json, sys, jsonschema
            jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))
            """, Repository.experiments + "/run-record.schema.json", out + "/g.json"])
        #expect(schema.status == 0, "\(schema.error)")
        let junit = try JUnitCounts.read(out + "/g.xml")
        #expect(junit.errors == 2, "\(junit)")
        let summary = try String(contentsOfFile: out + "/summary.md", encoding: .utf8)
        #expect(summary.contains("| experiment-4 | 8 | 8 | none |"))
        #expect(summary.contains("- s01/trace1.pcap = s02/my capture.pcap\n"))
        // The student × experiment table: each file's status under its experiment, both of s02's experiment-1 files, "–" for none.
        let students = summary.components(separatedBy: "## Students\n\n").last?.components(separatedBy: "\n\n").first ?? ""
        let columns = students.split(separator: "\n").first.map { $0.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        #expect(columns.prefix(4) == ["", "student", "experiment-0", "experiment-1"], "\(students)")
        func cell(_ student: String, _ experiment: String) -> String? {
            guard let i = columns.firstIndex(of: experiment),
                  let line = students.split(separator: "\n").first(where: { $0.hasPrefix("| \(student) |") }) else { return nil }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            return i < cells.count ? cells[i] : nil
        }
        #expect(cell("s02", "experiment-1") == "passed; passed", "\(students)")
        #expect(cell("s05", "experiment-3") == "passed, file cut short" && cell("s06", "experiment-3-drain") == "unreadable", "\(students)")
        #expect(cell("s07", "experiment-3") == "–" && cell("s03", "experiment-62") == "failed", "\(students)")
        #expect(students.split(separator: "\n").count == 2 + 8, "a header, its rule and a row per student: \(students)")
        #expect(result.output.contains("\n39 file(s): 38 graded, 1 could not be read; "))
        #expect(result.output.hasSuffix("\nskipped 1 file(s): 1 not a capture (s07/notes.txt)\n"), "\(result.output)")
    }

    @Test func anHTMLSummaryIsOneSelfContainedPage() throws {
        let root = try Self.makeClass()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let result = try execute(Repository.binary, ["grade", root + "/class/s01", "--experiments", Repository.experiments,
                                                     "--summary", root + "/s.html"])
        #expect(result.status == 0, "\(result.output)\(result.error)")
        let html = try String(contentsOfFile: root + "/s.html", encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<th scope=\"col\">experiment</th>") && !html.contains("http"))
        #expect(result.output.contains("s01      trace0.pcap"), "files directly in a folder belong to that folder's student")
    }
}
