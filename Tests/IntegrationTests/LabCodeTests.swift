import Foundation
import Testing

/// The lab's own Python code, shipped in Experiments/lab, run with `--endpoints lab`; the
/// pattern histogram of `--repeat`; and `grade --code` over a class of programs.
@Suite(.enabled(if: getuid() == 0, "needs root to run experiments"),
       .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs python3 for the lab's code"))
struct LabCodeTests {
    func run(_ arguments: [String], in dir: String) throws -> Finished {
        try execute(Repository.binary, ["run"] + arguments + ["--experiments", Repository.experiments, "--out", dir + "/out"], in: dir)
    }

    /// Every experiment with lab code passes with it: the expectations the lab's code does not
    /// meet deterministically are marked in the file and reported as not applicable, with why.
    @Test func everyExperimentPassesWithTheLabsOwnCode() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try run(["--all", "--endpoints", "lab", "--quiet"], in: dir)
        #expect(result.status == 0, "exit \(result.status)\n\(result.output)\(result.error)")
        for name in Repository.experimentNames {
            #expect(result.output.contains("\(name): passed"), "\(name)\n\(result.output)")
        }
        let zero = try run(["experiment-0", "--endpoints", "lab"], in: dir)
        #expect(zero.output.contains("server program (lab code): python3 lab/server0.py 12345"))
        #expect(zero.output.contains("n/a      server data 1 is [FIN,PSH,ACK] Seq=1"))
        #expect(zero.output.contains("the lab's own code does not give this deterministically: the lab's server sets no TCP_CORK"))
    }

    @Test func repeatingTheNaiveVersionTwoClientPrintsItsPatterns() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try run(["experiment-2", "--endpoints", "lab", "--repeat", "20", "--quiet"], in: dir)
        #expect([0, 1].contains(result.status), "exit \(result.status)\n\(result.error)")
        let lines = result.output.split(separator: "\n").map(String.init)
        let header = try #require(lines.firstIndex { $0.hasPrefix("experiment-2: ") && $0.contains(" in 20 runs:") }, "\(result.output)")
        let rows = lines[(header + 1)...].filter { $0.hasPrefix("  ") }
        var total = 0
        for row in rows {
            let count = try #require(Int(row.drop { $0 == " " }.prefix { $0.isNumber }), "\(row)")
            total += count
            #expect(row.contains("client one 20-byte segment") && row.contains("server "), "\(row)")
            // One example trace kept per pattern, and it is there.
            let example = try #require(row.components(separatedBy: " — e.g. ").last, "\(row)")
            #expect(FileManager.default.fileExists(atPath: example.hasPrefix("/") ? example : dir + "/" + example), "\(example)")
        }
        #expect(total == 20, "\(result.output)")
        #expect(!rows.isEmpty)
    }

    @Test func gradingCodeGivesEachStudentAPassRate() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lab = Repository.experiments + "/lab"
        let fm = FileManager.default
        for student in ["ada", "bob", "cy", "dan"] { try fm.createDirectory(atPath: "\(dir)/class/\(student)", withIntermediateDirectories: true) }
        // ada: the lab's version 2, as server.py and client.py.
        try fm.copyItem(atPath: "\(lab)/client2_full.py", toPath: "\(dir)/class/ada/client.py")
        // Its own copy: a sandboxed program sees its own folder, not the checkout's.
        try fm.copyItem(atPath: "\(lab)/server.py", toPath: "\(dir)/class/ada/labserver.py")
        try "import runpy, sys\nsys.argv = [sys.argv[0], sys.argv[1], '5']\nrunpy.run_path('labserver.py', run_name='__main__')\n"
            .write(toFile: "\(dir)/class/ada/server.py", atomically: true, encoding: .utf8)
        // bob: a server that never listens.
        try "import time\ntime.sleep(30)\n".write(toFile: "\(dir)/class/bob/server.py", atomically: true, encoding: .utf8)
        // cy: a manifest, and a program that is not there.
        try #"{"experiment-2": {"server": "./missing {port}"}}"#.write(toFile: "\(dir)/class/cy/tcplab.json", atomically: true, encoding: .utf8)
        // dan: a manifest that is not JSON, which is dan's row, not the end of the class's grading.
        try #"{"experiment-2": {"server": "python3 server.py {port}"}"#.write(toFile: "\(dir)/class/dan/tcplab.json", atomically: true, encoding: .utf8)
        let result = try execute(Repository.binary, ["grade", "--code", "class", "--experiment", "experiment-2", "--repeat", "3",
                                                     "--deadline", "3s", "--json", "grades.json", "--out", "graded",
                                                     "--csv", "grades.csv", "--junit", "grades.xml", "--summary", "summary.md",
                                                     "--experiments", Repository.experiments], in: dir)
        #expect(result.status == 2, "exit \(result.status)\n\(result.output)\(result.error)")
        let rows = result.output.split(separator: "\n").map(String.init)
        #expect(rows.contains { $0.hasPrefix("ada ") && $0.contains("3/3") }, "\(result.output)")
        #expect(rows.contains { $0.hasPrefix("bob ") && $0.contains("0/3") && $0.contains("never listened") }, "\(result.output)")
        #expect(rows.contains { $0.hasPrefix("cy ") && $0.contains("./missing is not an executable file") }, "\(result.output)")
        #expect(rows.contains { $0.hasPrefix("dan ") && $0.contains("experiment-2") && $0.contains("tcplab.json: line 1:") }, "\(result.output)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/grades.json"))) as? [String: Any]
        let grades = json?["codeGrades"] as? [[String: Any]] ?? []
        #expect(grades.map { $0["passed"] as? Int } == [3, 0, 0, 0])
        // ada's server ran sandboxed in every run, and what it used is there; bob's never listening is the root cause of each run.
        let adaServer = (grades.first?["programs"] as? [[String: Any]])?.first
        #expect(adaServer?["side"] as? String == "server" && adaServer?["runs"] as? Int == 3, "\(grades.first ?? [:])")
        #expect((adaServer?["maxProcesses"] as? Int ?? 0) >= 1, "\(adaServer ?? [:])")
        #expect(grades.dropFirst().first?["rootCauseRuns"] as? Int == 3, "\(grades)")
        let adaTallies = grades.first?["expectations"] as? [[String: Any]] ?? []
        #expect(!adaTallies.isEmpty && adaTallies.allSatisfy { ($0["held"] as? Int ?? 0) + ($0["notApplicable"] as? Int ?? 0) == 3 }, "\(adaTallies)")

        let csv = try String(contentsOfFile: dir + "/grades.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(csv.count == 5 && csv[0].hasPrefix("student,experiment,runs,passed,problem,root_cause_runs,"), "\(csv)")
        #expect(csv[1].hasPrefix("ada,experiment-2,3,3,,0,,") && csv[2].hasPrefix("bob,experiment-2,3,0,") && csv[3].hasPrefix("cy,experiment-2,0,0,"), "\(csv)")
        let junit = try String(contentsOfFile: dir + "/grades.xml", encoding: .utf8)
        let bobSuite = try #require(junit.components(separatedBy: "<testsuite name=\"bob/experiment-2\"").last)
        #expect(bobSuite.contains("name=\"root cause\">\n      <failure type=\"root cause\"") && bobSuite.contains("the server program had no connection on port"), "\(junit)")
        #expect(junit.contains("<testsuite name=\"cy/experiment-2\" tests=\"1\" failures=\"0\" errors=\"1\""), "\(junit)")
        let parses = try execute("python3", ["-c", "import sys, xml.etree.ElementTree as T; T.parse(sys.argv[1])", dir + "/grades.xml"])
        #expect(parses.status == 0, "\(parses.error)")
        let summary = try String(contentsOfFile: dir + "/summary.md", encoding: .utf8)
        #expect(summary.contains("| ada | 3/3 |\n| bob | 0/3 |\n| cy | not run |\n| dan | not run |"), "\(summary)")
        let schema = try execute("python3", ["-c", """
            import json, sys, jsonschema
            jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))
            """, Repository.experiments + "/run-record.schema.json", dir + "/grades.json"])
        #expect(schema.status == 0, "\(schema.error)")
        #expect(fm.fileExists(atPath: dir + "/graded/ada/trace2.pcap"))
        let leftovers = try execute("pgrep", ["-af", dir])
        #expect(leftovers.output.isEmpty, "processes left: \(leftovers.output)")
    }
}
