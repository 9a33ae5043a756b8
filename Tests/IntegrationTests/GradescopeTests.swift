import Foundation
import Testing

/// `grade --gradescope` and contrib/gradescope: Gradescope's results.json for one passing and one
/// failing submission, of captures and of code, each valid against the format's schema
/// (Fixtures/gradescope/results.schema.json) with a score that is the sum of its tests; the
/// points file's mistakes; and `run_autograder` in a temporary root laid out like /autograder.
@Suite(.serialized) struct GradescopeTests {
    static let lab = Repository.root + "/Tests/IntegrationTests/Fixtures/lab"
    static let jsonschema = (try? execute("python3", ["-c", "import jsonschema"]).status == 0) ?? false

    /// What a results.json holds, once it is proven valid and its score the sum of its tests.
    struct Results {
        var score: Double, maxScore: Double, tests: Int, failed: [String], output: String, testOutputs: [String]
    }

    static func results(_ path: String) throws -> Results {
        let check = try execute("python3", ["-c", """
            import json, sys, jsonschema
            d = json.load(open(sys.argv[2]))
            jsonschema.validate(d, json.load(open(sys.argv[1])))
            total = sum(t["score"] for t in d["tests"])
            assert abs(d["score"] - total) < 1e-9, f"score {d['score']} is not the sum of the tests, {total}"
            for t in d["tests"]:
                assert t["score"] in (0, t["max_score"]), t
                assert (t["score"] == t["max_score"]) == (t["status"] == "passed") or t["max_score"] == 0, t
            print(json.dumps({"score": d["score"], "max": sum(t["max_score"] for t in d["tests"]), "tests": len(d["tests"]),
                              "failed": [t["name"] for t in d["tests"] if t["status"] == "failed"], "output": d["output"],
                              "testOutputs": [t["output"] for t in d["tests"]]}))
            """, Repository.root + "/Tests/IntegrationTests/Fixtures/gradescope/results.schema.json", path])
        guard check.status == 0 else { throw Failed("\(path) is not a valid results.json: \(check.error)") }
        let d = try JSONSerialization.jsonObject(with: Data(check.output.utf8)) as? [String: Any] ?? [:]
        return Results(score: d["score"] as? Double ?? -1, maxScore: d["max"] as? Double ?? -1, tests: d["tests"] as? Int ?? 0,
                       failed: d["failed"] as? [String] ?? [], output: d["output"] as? String ?? "", testOutputs: d["testOutputs"] as? [String] ?? [])
    }

    struct Failed: Error, CustomStringConvertible { var description: String; init(_ d: String) { description = d } }

    /// Two students' folders: one hands in the lab's trace 2 (passes experiment-2), one trace 1 as trace2.pcap (fails it).
    static func captures(in root: String) throws {
        for (student, fixture) in [("passing", "lab-trace2-any.pcapng"), ("failing", "lab-trace1-nat-sll.pcap")] {
            try FileManager.default.createDirectory(atPath: root + "/" + student, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: lab + "/" + fixture, toPath: root + "/\(student)/trace2.pcap")
        }
    }

    @Test(.enabled(if: jsonschema, "needs python3 with jsonschema (make test-deps installs it)"))
    func aPassingAndAFailingSubmissionOfCapturesGetValidResults() throws {
        let root = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.captures(in: root)
        let passing = try execute(Repository.binary, ["grade", root + "/passing", "--experiments", Repository.experiments, "--gradescope", root + "/p.json"])
        #expect(passing.status == 0, "\(passing.output)\(passing.error)")
        let p = try Self.results(root + "/p.json")
        #expect(p.tests >= 10 && p.failed.isEmpty && p.score == p.maxScore && p.score == Double(p.tests), "\(p)")
        #expect(p.output.hasPrefix("\(p.tests) of \(p.tests) test(s) passed"), "\(p.output)")

        let failing = try execute(Repository.binary, ["grade", root + "/failing", "--experiments", Repository.experiments, "--gradescope", root + "/f.json"])
        #expect(failing.status == 1, "the exit status is still the grade: \(failing.output)\(failing.error)")
        let f = try Self.results(root + "/f.json")
        #expect(!f.failed.isEmpty && f.score < f.maxScore && f.failed.allSatisfy { $0.hasPrefix("experiment-2: ") }, "\(f)")

        // Points: experiment-2's tests share 10; experiment-3 is named but not handed in, so its tests count, failed.
        try #"{"experiment-2": 10, "experiment-3": {"expect[0]": 4, "*": 0.5}}"#.write(toFile: root + "/points.json", atomically: true, encoding: .utf8)
        let scored = try execute(Repository.binary, ["grade", root + "/passing", "--experiments", Repository.experiments,
                                                     "--gradescope", root + "/s.json", "--points", root + "/points.json"])
        #expect(scored.status == 0, "\(scored.error)")
        let s = try Self.results(root + "/s.json")
        #expect(abs(s.score - 10) < 1e-9 && s.maxScore > 14, "\(s)")
        #expect(!s.failed.isEmpty && s.failed.allSatisfy { $0.hasPrefix("experiment-3: ") } && s.output.contains("not handed in: experiment-3"), "\(s)")
    }

    @Test func gradescopeGradesOneSubmissionAndAPointsFilesMistakeIsOneLine() throws {
        let root = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.captures(in: root)
        let both = try execute(Repository.binary, ["grade", root, "--experiments", Repository.experiments, "--gradescope", root + "/r.json"])
        #expect(both.status == 64 && both.error.contains("--gradescope grades one submission, but the inputs hold 2 students (failing, passing)"), "\(both.error)")
        #expect(!FileManager.default.fileExists(atPath: root + "/r.json"))

        let cases: [(String, Int32, String)] = [
            ("{\"experment-2\": 10}", 65, "p.json:1:2: experment-2: no such experiment (did you mean 'experiment-2'?)"),
            ("{\n  \"experiment-2\": {\"expect[99]\": 1}\n}", 65, "p.json:2:20: experiment-2.expect[99]: experiment-2 has no expectation expect[99]"),
            ("{\"experiment-2\": -1}", 65, "p.json:1:2: experiment-2: expected a number of points ≥ 0"),
            ("{\"experiment-2\": \"ten\"}", 65, "p.json:1:2: experiment-2: expected a number of points ≥ 0, or an object"),
            ("[10]", 65, "p.json:1:1: expected an object of experiments and their points"),
            ("{\"experiment-2\": 10", 65, "p.json:1:"),
        ]
        for (text, status, message) in cases {
            try text.write(toFile: root + "/p.json", atomically: true, encoding: .utf8)
            let r = try execute(Repository.binary, ["grade", root + "/passing", "--experiments", Repository.experiments,
                                                    "--gradescope", root + "/r.json", "--points", "p.json"], in: root)
            #expect(r.status == status && r.error.hasPrefix("tcplab: " + message) && r.error.split(separator: "\n").count == 1,
                    "\(text): exit \(r.status): \(r.error)")
            #expect(!FileManager.default.fileExists(atPath: root + "/r.json"), "no grade from a broken points file")
        }
        let missing = try execute(Repository.binary, ["grade", root + "/passing", "--experiments", Repository.experiments,
                                                      "--gradescope", root + "/r.json", "--points", root + "/none.json"])
        #expect(missing.status == 66 && missing.error.contains("none.json: no such points file"), "\(missing.error)")
        let alone = try execute(Repository.binary, ["grade", root + "/passing", "--points", root + "/p.json"])
        #expect(alone.status == 64 && alone.error.contains("--points scores Gradescope's tests: add --gradescope FILE"), "\(alone.error)")
    }

    @Test(.enabled(if: SandboxTests.canRun && jsonschema, "needs root, unshare, python3 and jsonschema"), arguments: OneSubmissionTests.readSizes)
    func aSubmissionOfCodeGetsATestPerExpectationThatHeldInEveryRun(_ student: String, _ readSize: String, _ status: Int32) throws {
        let root = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let folder = try OneSubmissionTests.submission(in: root, readSize: readSize)
        let result = try OneSubmissionTests.grade(folder, ["--repeat", "2", "--gradescope", root + "/results.json"], out: root + "/graded")
        #expect(result.status == status, "\(student): \(result.output)\(result.error)")
        let r = try Self.results(root + "/results.json")
        #expect(r.tests >= 10 && r.output.contains("each experiment was run 2 times"), "\(r)")
        if status == 0 {
            #expect(r.failed.isEmpty && r.score == r.maxScore, "\(r)")
        } else {
            // Reading 1 byte at a time, its reply goes back in 1-byte segments: the segment tests fail in both runs.
            #expect(r.failed.contains { $0.contains("4 segment(s) of 5 bytes") } && r.score < r.maxScore, "\(r)")
            #expect(r.testOutputs.contains { $0.hasPrefix("failed: held in 0 of 2 run(s); failed 2; first: ") }, "\(r.testOutputs)")
        }
    }

    /// `run_autograder` as Gradescope runs it, in a temporary /autograder: source/ (its files),
    /// submission/ (the student's), results/.
    static func autograde(_ submission: (String) throws -> Void) throws -> (Finished, Results?, String) {
        let root = try Repository.temporaryDirectory()
        for folder in ["source", "submission", "results"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        try "experiment-2\n".write(toFile: root + "/source/experiments.txt", atomically: true, encoding: .utf8)
        try "{\"experiment-2\": 10}".write(toFile: root + "/source/points.json", atomically: true, encoding: .utf8)
        try submission(root + "/submission")
        let script = Repository.root + "/contrib/gradescope/run_autograder"
        let run = try execute("/usr/bin/unshare", ["--pid", "--fork", "--mount-proc", "/usr/bin/env", "AUTOGRADER_ROOT=" + root,
                                                   "TCPLAB=" + Repository.binary, "TCPLAB_EXPERIMENTS=" + Repository.experiments, script])
        let results = try? Self.results(root + "/results/results.json")
        return (run, results, root)
    }

    @Test(.enabled(if: SandboxTests.canRun && jsonschema, "needs root, unshare, python3 and jsonschema"), arguments: OneSubmissionTests.readSizes)
    func runAutograderGradesTheSubmissionIntoResults(_ student: String, _ readSize: String, _ status: Int32) throws {
        let (run, results, root) = try Self.autograde { folder in
            try PassingServer.install(in: folder)
            try "{\"experiment-2\": {\"server\": \"python3 server.py {port} \(readSize)\"}}"
                .write(toFile: folder + "/tcplab.json", atomically: true, encoding: .utf8)
        }
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(run.status == 0, "\(student): \(run.output)\(run.error)")
        let r = try #require(results, "\(student): no valid results.json: \(run.output)\(run.error)")
        #expect(abs(r.maxScore - 10) < 1e-9, "points.json shares 10 over experiment-2's tests: \(r)")
        #expect(status == 0 ? abs(r.score - 10) < 1e-9 : r.score < 10, "\(student): \(r)")
        #expect(FileManager.default.fileExists(atPath: root + "/results/traces"), "the traces are kept beside the results")
    }

    @Test(.enabled(if: SandboxTests.canRun && jsonschema, "needs root, unshare, python3 and jsonschema"))
    func runAutograderStillWritesResultsWhenNothingCanBeGraded() throws {
        let (run, results, root) = try Self.autograde { _ in }
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(run.status == 0, "\(run.output)\(run.error)")
        let r = try #require(results, "an empty submission still gets a valid results.json: \(run.error)")
        #expect(r.score == 0 && r.tests == 0 && r.output.hasPrefix("tcplab could not grade this submission (exit 66): "), "\(r)")
    }

    /// setup.sh as Gradescope runs it when it builds the image, with apt-get stubbed (it records
    /// what it was asked to install) and the install moved into a temporary prefix: the tarball in
    /// source/ is unpacked, linked onto the PATH, and the linked binary runs.
    @Test(.enabled(if: DistTests.present, "set TCPLAB_DIST to a tarball from make dist (make test does)"))
    func setupInstallsTheReleaseTarballFromTheSource() throws {
        let root = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for folder in ["autograder/source", "stub"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        let tarball = URL(fileURLWithPath: DistTests.tarball).lastPathComponent
        try FileManager.default.copyItem(atPath: DistTests.tarball, toPath: root + "/autograder/source/" + tarball)
        try "#!/bin/sh\necho \"$*\" >> \(root)/apt.log\n".write(toFile: root + "/stub/apt-get", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root + "/stub/apt-get")
        let path = root + "/stub:" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let setup = try execute("/usr/bin/env", ["PATH=" + path, "AUTOGRADER_ROOT=\(root)/autograder", "TCPLAB_PREFIX=\(root)/opt/tcplab",
                                                 "TCPLAB_BIN_DIR=\(root)/bin", Repository.root + "/contrib/gradescope/setup.sh"])
        #expect(setup.status == 0, "\(setup.output)\(setup.error)")
        let asked = try String(contentsOfFile: root + "/apt.log", encoding: .utf8)
        #expect(asked.contains("update") && asked.contains("install") && asked.contains("libpcap0.8") && asked.contains("python3"), "\(asked)")
        let version = try String(contentsOfFile: root + "/opt/tcplab/VERSION", encoding: .utf8)
        #expect(setup.output.hasSuffix(version), "the linked binary ran and said the release's version: \(setup.output)")
        let listed = try execute(root + "/bin/tcplab", ["list"], environment: ["TCPLAB_EXPERIMENTS": nil])
        #expect(listed.status == 0 && listed.output.contains("experiment-2"), "it finds the experiments beside it: \(listed.error)")
    }
}
