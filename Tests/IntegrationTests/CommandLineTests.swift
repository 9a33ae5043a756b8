import Foundation
import Testing

/// The CLI's contract: exit codes and one clear line for each kind of bad input.
@Suite struct CommandLineTests {
    @Test func listShowsEveryExperimentWithItsTrace() throws {
        let result = try execute(Repository.binary, ["list", "--experiments", Repository.experiments])
        #expect(result.status == 0)
        for name in Repository.experimentNames {
            #expect(result.output.contains(name), "\(name) missing from `tcplab list`")
        }
        #expect(result.output.contains("trace2.pcap"))
    }

    @Test func anUnknownExperimentExits66AndListsTheKnownOnes() throws {
        let result = try execute(Repository.binary, ["run", "experiment-99", "--experiments", Repository.experiments])
        #expect(result.status == 66)
        #expect(result.error.hasPrefix("tcplab: unknown experiment 'experiment-99'"))
        #expect(result.error.contains("experiment-2"))
        #expect(result.error.split(separator: "\n").count == 1)
    }

    @Test func aMalformedExperimentExits65WithFileLineAndColumn() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let original = try String(contentsOfFile: Repository.experiments + "/experiment-2.json", encoding: .utf8)
        let broken = original.replacingOccurrences(of: "{\"recvUntil\": 20}", with: "{\"recvUntil\": -20}")
        try broken.write(toFile: dir + "/experiment-2.json", atomically: true, encoding: .utf8)
        // Where the bad value is, counted here rather than written down, so the test follows the file.
        let lines = broken.split(separator: "\n", omittingEmptySubsequences: false)
        let line = try #require(lines.firstIndex { $0.contains("{\"recvUntil\": -20}") })
        let column = try #require(lines[line].range(of: "-20")).lowerBound.utf16Offset(in: lines[line]) + 1
        let result = try execute(Repository.binary, ["run", "experiment-2", "--experiments", dir, "--out", dir])
        #expect(result.status == 65)
        #expect(result.error == "tcplab: \(dir)/experiment-2.json:\(line + 1):\(column): client[2].recvUntil: expected a positive byte count, got -20\n")
        #expect(!FileManager.default.fileExists(atPath: dir + "/trace2.pcap"), "no trace from a file that did not load")
    }

    @Test func aMistypedNameSaysWhichExperimentItMeant() throws {
        let result = try execute(Repository.binary, ["run", "trace2", "--experiments", Repository.experiments])
        #expect(result.status == 66)
        #expect(result.error.contains("unknown experiment 'trace2'") && result.error.contains("(did you mean 'experiment-2'?)"), "\(result.error)")
    }

    @Test(.enabled(if: getuid() == 0, "needs root for namespaces and CAP_NET_RAW"))
    func runTakesAnExperimentFileAsValidateDoes() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try execute(Repository.binary, ["run", Repository.experiments + "/experiment-1.json", "--out", dir, "--quiet"])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.hasPrefix("experiment-1: passed"), "\(result.output)")
    }

    @Test(.enabled(if: getuid() == 0, "needs root for namespaces and CAP_NET_RAW"))
    func runAllPrintsInTheListsOrderAndEndsWithATotal() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Two experiments that finish in the other order: experiment-61 takes two idle seconds.
        let result = try execute(Repository.binary, ["run", "experiment-61", "experiment-1", "--jobs", "2", "--quiet", "--out", dir,
                                                     "--experiments", Repository.experiments])
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(result.output)")
        #expect(lines.first?.hasPrefix("experiment-61:") == true && lines.dropFirst().first?.hasPrefix("experiment-1:") == true, "\(lines)")
        #expect(lines.last == "2 experiments: 2 passed")
    }

    @Test func usageErrorsExit64() throws {
        let result = try execute(Repository.binary, ["run"])
        #expect(result.status == 64)
    }

    @Test(.enabled(if: getuid() == 0, "needs root to run an experiment"))
    func aWrongExpectationExits1NamingExpectedActualAndPackets() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let original = try String(contentsOfFile: Repository.experiments + "/experiment-2.json", encoding: .utf8)
        let edited = original.replacingOccurrences(of: "\"sizes\": [5, 5, 5, 5]", with: "\"sizes\": [6, 6, 6, 2]")
        #expect(edited != original)
        try edited.write(toFile: dir + "/experiment-2.json", atomically: true, encoding: .utf8)
        let result = try execute(Repository.binary, ["run", "experiment-2", "--experiments", dir, "--out", dir])
        #expect(result.status == 1)
        #expect(result.output.contains("expected: server→client data: segments of 6, 6, 6, 2 bytes"))
        #expect(result.output.range(of: #"actual:   saw 4 \(5, 5, 5, 5\), 20 bytes — packets \d+, \d+, \d+, \d+"#, options: .regularExpression) != nil)
        #expect(result.output.contains("experiment-2: failed"))
    }

    @Test(.enabled(if: getuid() == 0, "needs root to switch to an unprivileged user"))
    func anUnprivilegedUserRunsWithoutSudoOrGetsTheRemedy() throws {
        let folder = try NobodysFolder()
        defer { folder.remove() }
        let dir = folder.path
        let result = try folder.runAsNobody(["run", "experiment-1", "--out", dir])
        if result.status == 77 {
            #expect(result.error.contains("unprivileged user namespaces"))
        } else {
            #expect(result.status == 0, "\(result.output)\(result.error)")
            let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/trace1.pcap")
            #expect(attributes[.ownerAccountName] as? String == "nobody")
        }
    }

    /// A student in a folder they cannot write to is told to move the traces with --out, before
    /// anything runs; a report's folder that does not exist yet is made, as --out's is.
    @Test(.enabled(if: getuid() == 0, "needs root to switch to an unprivileged user"))
    func anUnwritableTracesFolderSuggestsOut() throws {
        let folder = try NobodysFolder()
        defer { folder.remove() }
        let dir = folder.path
        try FileManager.default.createDirectory(atPath: dir + "/readonly", withIntermediateDirectories: false)
        chmod(dir + "/readonly", 0o555)
        let refused = try folder.runAsNobody(["run", "experiment-1"], in: dir + "/readonly")
        if refused.status == 77 {
            #expect(refused.error.contains("unprivileged user namespaces"), "the capture check comes first without user namespaces")
        } else {
            #expect(refused.status == 73, "\(refused.output)\(refused.error)")
            #expect(refused.error == "tcplab: traces: the output folder cannot be created: Permission denied (at traces); "
                    + "pass --out with a folder you can write to\n")
        }
        let report = dir + "/new/folder/report.html"
        let made = try execute(Repository.binary, ["run", "experiment-1", "--experiments", Repository.experiments, "--out", dir + "/t",
                                                   "--report", report])
        #expect(made.status == 0, "\(made.output)\(made.error)")
        #expect(FileManager.default.fileExists(atPath: report))
    }

    @Test(.enabled(if: getuid() == 0, "needs root to run an experiment"))
    func aStuckStepFailsAtItsDeadlineNamingTheStep() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let deadlock = """
        {
          "title": "both sides wait to read first",
          "trace": "stuck.pcap",
          "stepTimeout": "500ms",
          "server": ["accept", {"recv": 1024}, "close"],
          "client": ["connect", {"recv": 1024}, "close"],
          "expect": [{"handshake": true}]
        }
        """
        try deadlock.write(toFile: dir + "/stuck.json", atomically: true, encoding: .utf8)
        let result = try execute(Repository.binary, ["run", "stuck", "--experiments", dir, "--out", dir])
        #expect(result.status == 1)
        #expect(result.output.contains("stuck in step 2 (recv 1024): timed out after 500ms with no bytes to read (it reads up to 1024)"),
                "\(result.output)")
        #expect(!result.output.contains("EAGAIN"), "the errno is for the JSON record, not the sentence")
        #expect(FileManager.default.fileExists(atPath: dir + "/stuck.pcap"))
    }

    /// A read that gets part of what it waits for says how much, in the step's terms.
    @Test(.enabled(if: getuid() == 0, "needs root to run an experiment"))
    func aStepThatTimesOutSaysHowFarItGot() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let short = """
        {
          "title": "the server sends 20 of the 25 bytes the client waits for",
          "trace": "short.pcap",
          "stepTimeout": "2s",
          "server": ["accept", {"send": "01234567890123456789"}, {"sleep": "3s"}, "close"],
          "client": ["connect", {"recvUntil": 25}, "close"],
          "expect": [{"handshake": true}]
        }
        """
        try short.write(toFile: dir + "/short.json", atomically: true, encoding: .utf8)
        let result = try execute(Repository.binary, ["run", "short", "--experiments", dir, "--out", dir])
        #expect(result.status == 1)
        #expect(result.output.contains("client stuck in step 2 (recv until 25 bytes): timed out after 2s with 20 of 25 bytes"), "\(result.output)")
    }

    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"),
                   "needs root and Debian's chromium"))
    func headlessChromiumMeetsTheExpectationsMarkedForTheBrowser() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Not --quiet: should a run fail, its verdict lines (HARNESS, FAIL) say why.
        let result = try execute(Repository.binary, ["run", "experiment-61", "experiment-62", "--client", "browser",
                                                     "--experiments", Repository.experiments, "--out", dir])
        #expect(result.status == 0, "\(result.output)\(result.error)")
        #expect(result.output.contains("experiment-61: passed (3/3 expectations held)"))
        #expect(result.output.contains("experiment-62: passed (4/4 expectations held)"))
        // The expectations left out for the browser are counted, not silently dropped.
        for (name, total) in [("experiment-61", try Self.expectationCount("experiment-61")), ("experiment-62", try Self.expectationCount("experiment-62"))] {
            let checked = name == "experiment-61" ? 3 : 4
            #expect(result.output.contains("\(total - checked) of \(name)'s \(total) expectations are for tcplab's own client and do not apply "
                                           + "to the browser (it chooses its own connections and requests); \(checked) are checked"), "\(name)")
        }
    }

    /// An ordinary user has no memory cgroup, so the memory limit would become an address-space
    /// limit, which Chromium (V8 reserves tens of GiB) cannot start under: the browser is exempt.
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
                   && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "needs root to become nobody, setpriv and Debian's chromium"),
          .enabled(if: SandboxTests.userNamespacesAllowed, "needs unprivileged user namespaces (sysctl user.max_user_namespaces > 0)"))
    func theBrowserRunsForAnOrdinaryUserToo() throws {
        let folder = try NobodysFolder()
        defer { folder.remove() }
        let result = try folder.runAsNobody(["run", "experiment-61", "--client", "browser", "--out", folder.path + "/out"], in: folder.path)
        #expect(result.status == 0, "\(result.output)\(result.error)")
        #expect(result.output.contains("experiment-61: passed (3/3 expectations held)"), "\(result.output)")
    }

    static func expectationCount(_ name: String) throws -> Int {
        let data = try Data(contentsOf: URL(fileURLWithPath: Repository.experiments + "/\(name).json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(object["expect"] as? [Any]).count
    }

    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"),
                   "needs root and Debian's chromium"))
    func interruptingABrowserRunLeavesNoBrowserAndNoPartialTrace() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Repository.binary)
        process.arguments = ["run", "experiment-61", "--client", "browser", "--experiments", Repository.experiments,
                             "--out", dir, "--quiet"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        // A temporary folder of its own, so its browser is told apart from other tests' browsers.
        let scratch = dir + "/tmp"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        process.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": scratch]) { $1 }
        try process.run()
        // Interrupt once the browser is up.
        let browserPattern = "user-data-dir=\(scratch)/tcplab-chromium"
        var waited = 0
        while try execute("pgrep", ["-f", browserPattern]).output.isEmpty && process.isRunning && waited < 400 {
            usleep(5000)  // polling for the browser to appear, bounded; not synchronising the experiment
            waited += 1
        }
        #expect(process.isRunning, "the run ended before the browser could be seen")
        // It renders what the server sends, so as root it runs as a uid of its own, never as root.
        let owners = try execute("pgrep", ["-f", browserPattern]).output.split(separator: "\n").compactMap { pid in
            try? execute("ps", ["-o", "uid=", "-p", String(pid)]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        }.filter { !$0.isEmpty }
        #expect(!owners.isEmpty && owners.allSatisfy { (UInt32($0) ?? 0) >= 2_000_000_000 }, "browser uids: \(owners)")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let browsers = try execute("pgrep", ["-f", browserPattern])
        #expect(browsers.output.isEmpty, "browser processes left: \(browsers.output)")
        let partial = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".partial-") }
        try? FileManager.default.removeItem(atPath: scratch)  // the interrupted browser's profile
        #expect(partial.isEmpty)
    }

    @Test(.enabled(if: getuid() == 0, "needs root to run experiments"))
    func parallelRunsPrintEachExperimentInOnePiece() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try execute(Repository.binary, ["run", "experiment-1", "experiment-2", "experiment-0", "--jobs", "3",
                                                     "--experiments", Repository.experiments, "--out", dir])
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.split(separator: "\n").map(String.init)
        for name in ["experiment-0", "experiment-1", "experiment-2"] {
            let start = try #require(lines.firstIndex { $0.hasPrefix("== \(name):") })
            let end = try #require(lines.firstIndex { $0.hasPrefix("\(name): passed") })
            #expect(start < end)
            // Nothing from another experiment inside this one's block.
            #expect(!lines[start...end].contains { $0.hasPrefix("== ") && !$0.hasPrefix("== \(name):") })
        }
        for trace in ["trace0.pcap", "trace1.pcap", "trace2.pcap"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/" + trace))
        }
    }
}
