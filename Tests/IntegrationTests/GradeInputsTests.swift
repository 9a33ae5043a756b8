import Foundation
import Testing

/// What `grade` takes from a class's folders: captures by name or by their first bytes, never
/// tcplab's own outputs or hidden files (counted in the footer instead); copies as one group; a
/// broken capture under the experiment its name names; a mistyped path as exit 66 with a guess.
@Suite struct GradeInputsTests {
    static let lab = Repository.root + "/Tests/IntegrationTests/Fixtures/lab"

    /// alice's folder as `tcplab run --out` leaves it, bob's and carol's with copies of her trace.
    static func makeClass() throws -> String {
        let root = try Repository.temporaryDirectory()
        let fm = FileManager.default
        for student in ["alice", "bob", "carol"] { try fm.createDirectory(atPath: root + "/class/" + student, withIntermediateDirectories: true) }
        try fm.createDirectory(atPath: root + "/class/.git", withIntermediateDirectories: true)
        func write(_ text: String, _ path: String) throws { try text.write(toFile: root + "/class/" + path, atomically: true, encoding: .utf8) }
        let trace1 = lab + "/lab-trace1-nat-sll.pcap"
        try fm.copyItem(atPath: trace1, toPath: root + "/class/alice/trace1.pcap")
        try write("<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n", "alice/trace1.svg")
        try write("<!DOCTYPE html>\n", "alice/report.html")
        try write("{}\n", "alice/run.json")
        try write("", "alice/.DS_Store")
        try write("ref: refs/heads/main\n", ".git/HEAD")
        // Saved without an extension: only its first bytes say it is a capture.
        try fm.copyItem(atPath: trace1, toPath: root + "/class/bob/mine")
        try write("see my report\n", "bob/notes.txt")
        try fm.copyItem(atPath: trace1, toPath: root + "/class/carol/trace1.pcap")
        try write("not a capture\n", "carol/trace2.pcap")
        return root
    }

    @Test func aFolderThatRunWroteIsGradedWithoutItsOwnOutputs() throws {
        let root = try Self.makeClass()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let result = try execute(Repository.binary, ["grade", root + "/class", "--experiments", Repository.experiments,
                                                     "--csv", root + "/g.csv", "--summary", root + "/s.md"])
        #expect(result.status == 2, "carol's trace2.pcap is not a capture: \(result.output)\(result.error)")
        let lines = result.output.split(separator: "\n").map(String.init)
        let files = lines.dropFirst().prefix { !$0.hasPrefix("identical:") }.map { $0.split(separator: " ").prefix(2).joined(separator: "/") }
        #expect(files == ["alice/trace1.pcap", "bob/mine", "carol/trace1.pcap", "carol/trace2.pcap"])
        #expect(lines.suffix(3) == [
            "identical: alice/trace1.pcap, bob/mine and carol/trace1.pcap are the same capture",
            "4 file(s): 3 graded, 1 could not be read; 3 passed",
            "skipped 6 file(s): 3 of tcplab's outputs (svg, html, md, json, xml, csv), 2 hidden, 1 not a capture (bob/notes.txt)",
        ], "\(result.output)")
        let broken = try #require(lines.first { $0.hasPrefix("carol ") && $0.contains("trace2.pcap") })
        #expect(broken.contains("experiment-2  file name"), "\(broken)")
        let csv = try String(contentsOfFile: root + "/g.csv", encoding: .utf8)
        #expect(csv.contains("carol,\(root)/class/carol/trace2.pcap,experiment-2,file name,unreadable,"))
        let summary = try String(contentsOfFile: root + "/s.md", encoding: .utf8)
        #expect(summary.contains("| experiment-2 | 1 | 0 | none |"), "the broken trace2.pcap counts under experiment-2: \(summary)")
        #expect(summary.contains("| experiment-1 | 3 | 3 | none |"))
        #expect(summary.contains("## Identical submissions\n\n- alice/trace1.pcap = bob/mine = carol/trace1.pcap\n\n"))
    }

    @Test(arguments: [
        ("class/alcie", "class/alcie: no such file or folder (did you mean 'class/alice'?)"),
        ("clas", "clas: no such file or folder (did you mean 'class'?)"),
        ("class/zzzzzzzzzz", "class/zzzzzzzzzz: no such file or folder"),
        ("nowhere/alice", "nowhere/alice: no such file or folder"),
    ])
    func aPathThatDoesNotExistExits66WithTheNameItLikelyMeant(_ path: String, _ message: String) throws {
        let root = try Self.makeClass()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for code in [[], ["--code", "--experiment", "experiment-1", "--out", root + "/graded"]] {
            let result = try execute(Repository.binary, ["grade", path, "--experiments", Repository.experiments] + code, in: root)
            #expect(result.status == 66, "\(code)")
            #expect(result.error == "tcplab: \(message)\n", "\(code)")
            #expect(result.output.isEmpty, "no student named after the current folder: \(result.output)")
        }
    }

    @Test func aFolderWithoutCapturesSaysWhatItSkipped() throws {
        let root = try Self.makeClass()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.removeItem(atPath: root + "/class/alice/trace1.pcap")
        let result = try execute(Repository.binary, ["grade", root + "/class/alice", "--experiments", Repository.experiments])
        #expect(result.status == 66)
        #expect(result.error == "tcplab: no files to grade in \(root)/class/alice "
                + "(skipped 4 file(s): 3 of tcplab's outputs (svg, html, md, json, xml, csv), 1 hidden)\n")
    }

    /// A file named on the command line is graded as given, whatever its name.
    @Test func aFileNamedOnTheCommandLineIsGradedAsGiven() throws {
        let root = try Self.makeClass()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let result = try execute(Repository.binary, ["grade", root + "/class/bob/notes.txt", "--experiments", Repository.experiments])
        #expect(result.status == 2)
        #expect(result.output.contains("bob      notes.txt  -           -           -     -       -    -       unreadable"), "\(result.output)")
    }
}
