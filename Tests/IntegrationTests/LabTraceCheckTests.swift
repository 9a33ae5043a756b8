import Foundation
import Testing

/// `check` on captures rebuilt from the lab's own listings (Fixtures/lab): the experiment found
/// by itself, four verdict states, one diagnosis per odd file, and explanations that name only
/// causes a foreign capture can show.
@Suite struct LabTraceCheckTests {
    static let lab = Repository.root + "/Tests/IntegrationTests/Fixtures/lab"

    func check(_ file: String, _ extra: [String] = []) throws -> Finished {
        try execute(Repository.binary, ["check", Self.lab + "/" + file, "--experiments", Repository.experiments] + extra)
    }

    @Test(arguments: [
        ("lab-trace0-nat-sll.pcap", "experiment-0"), ("lab-trace1-nat-sll.pcap", "experiment-1"),
        ("lab-trace2-any.pcapng", "experiment-2"), ("lab-trace3-vms-eth.pcap", "experiment-3"),
        ("lab-trace4-vms-eth.pcap", "experiment-4"), ("lab-trace1-cut-sll.pcap", "experiment-1"),
    ])
    func eachLabTraceIsMatchedToItsExperimentAndPasses(file: String, experiment: String) throws {
        let result = try check(file)
        #expect(result.status == 0, "\(result.output)\(result.error)")
        let first = result.output.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.hasPrefix("\(Self.lab)/\(file): best match \(experiment), "), "\(first)")
        #expect(result.output.contains("\(experiment): passed ("))
    }

    @Test func theLabsTrace4HoldsOnTheLessonAndSaysWhichExpectationIsTcplabsOwn() throws {
        let result = try check("lab-trace4-vms-eth.pcap", ["--experiment", "experiment-4"])
        #expect(result.status == 0)
        #expect(result.output.contains("n/a      client data 1 → client data 2: between 30ms and 200ms\n"
            + "           holds for tcplab's own runs only: tcplab's server turns TCP_QUICKACK off"))
        #expect(result.output.contains("ok       client→server data: segments of 130, 390 bytes"))
        #expect(result.output.contains("experiment-4: passed (9/9 expectations held; 1 not applicable)"))
    }

    @Test func aCaptureStoppedBeforeTheServersFINLeavesWhatFollowsUnobservable() throws {
        let result = try check("lab-trace1-cut-sll.pcap", ["--experiment", "experiment-1"])
        #expect(result.status == 0, "nothing in the capture contradicts the lesson")
        #expect(result.output.contains("unseen   FIN order: client, then server\n"
            + "           the capture ends at packet 8, before the server's FIN; until then, saw client (packet 7)"))
        #expect(result.output.contains("unseen   every segment of the conversation was captured\n"
            + "           no gaps, but the capture ends at packet 8, before the connection's teardown"))
        #expect(!result.output.contains("ok       every segment of the conversation was captured"))
        #expect(result.output.contains("experiment-1: passed (5/5 expectations held; 4 unobservable)"))
        #expect(try check("lab-trace1-cut-sll.pcap", ["--experiment", "experiment-1", "--strict"]).status == 1)
    }

    @Test func aCaptureWithoutTheHandshakeSaysSoAndNamesTheClientToUse() throws {
        let result = try check("lab-trace1-late-sll.pcap", ["--experiment", "experiment-1"])
        #expect(result.status == 1)
        #expect(result.output.contains("no connection's opening (SYN) is in the file: the capture started after the handshake, or it was cut out. "
            + "To judge 10.0.2.15:46822 ↔ 192.168.68.107:11111 from the middle, name its client: --client 10.0.2.15:46822"))
        #expect(!result.output.contains("3-way handshake"), "no expectation is scored on a file that does not match")
        let judged = try check("lab-trace1-late-sll.pcap", ["--experiment", "experiment-1", "--client", "10.0.2.15:46822"])
        #expect(judged.output.contains("ok       FIN order: client, then server"))
    }

    @Test func aCaptureOfSomethingElseMatchesNothing() throws {
        let result = try check("lab-other-protocols-eth.pcap", ["--experiment", "experiment-2"])
        #expect(result.status == 1)
        #expect(result.output.contains("no conversation in the file matches experiment-2 (a TCP exchange on port 12345): "
            + "its 2 connections are to 443 (TLS), 22 (SSH)"))
        let ranked = try check("lab-other-protocols-eth.pcap")
        #expect(ranked.status == 1)
        #expect(ranked.output.hasPrefix("\(Self.lab)/lab-other-protocols-eth.pcap: matches no experiment: no conversation in the file matches"))
    }

    @Test func aTruncatedFileIsJudgedOnWhatWasReadAndSaysWherePacketNIsCut() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let whole = try Data(contentsOf: URL(fileURLWithPath: Self.lab + "/lab-trace1-nat-sll.pcap"))
        try whole.prefix(whole.count - 30).write(to: URL(fileURLWithPath: dir + "/cut.pcap"))
        let result = try execute(Repository.binary, ["check", dir + "/cut.pcap", "--experiment", "experiment-1",
                                                     "--experiments", Repository.experiments])
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains("(the file is cut short in the middle of packet 10: it starts at byte 722, and 42 of its 72 bytes are there; "
            + "the 9 packet(s) before it were judged)"))
        #expect(result.output.contains("unseen   every segment of the conversation was captured\n"
            + "           no gaps up to packet 9, but the file is cut short after it"))
    }

    @Test func httpOnPort12345IsReadAsWiresharkDoesAndExplainedFromTheTrace() throws {
        let shown = try execute(Repository.binary, ["show", Self.lab + "/lab-http-12345-sll.pcap", "--explain"])
        #expect(shown.status == 0)
        #expect(shown.output.contains("HTTP        263 GET / HTTP/1.1 "))
        #expect(shown.output.contains("TCP          82 HTTP/1.1 404 Not Found  [TCP segment of a reassembled PDU]"))
        #expect(shown.output.contains("HTTP         56 HTTP/1.1 404 Not Found \n"), "the FIN row carries the response ended by it")
        #expect(shown.output.contains("This FIN also ends the body of \"HTTP/1.1 200 OK\" (15707 bytes): the response has no Content-Length"))
        let checked = try check("lab-http-12345-sll.pcap", ["--experiment", "experiment-62"])
        #expect(checked.output.contains("actual:   saw 200 (packet 6), 200 (packet 18), 404 (packet 43)"),
                "a head without header lines has its status, and a body with blank lines is body")
        #expect(checked.output.contains("ok       the response to \"GET /back1.jpg HTTP/1.1\" leaves in 11 segment(s), all but the last full-sized"))
    }

    @Test func receivedSegmentsLargerThanTheMSSAreExplainedAsReceiveCoalescing() throws {
        let shown = try execute(Repository.binary, ["show", Self.lab + "/lab-trace3-vms-eth.pcap", "--explain"])
        #expect(shown.output.contains("Server replies 2896 bytes (ACK Seq=1449 Ack=14). It is larger than the MSS of 1460: it was received coalesced"))
        #expect(!shown.output.contains("TSO"))
    }

    @Test func aSameISNSynAfterBothFINsStaysInItsConnectionAsInWireshark40() throws {
        let shown = try execute(Repository.binary, ["show", Self.lab + "/lab-port-reuse-eth.pcap", "--explain"])
        #expect(shown.output.contains("[TCP Out-Of-Order] 50000 → 12345 [SYN] Seq=0"))
        #expect(shown.output.contains("12345 → 50000 [ACK] Seq=15 Ack=15 Win=65280"), "the old connection's last ACK stays with it")
        #expect(!shown.output.contains("ACKed unseen segment] 12345 → 50000 [ACK] Seq=1 Ack=15"))
    }

    @Test func englishCountsReadRight() throws {
        let shown = try execute(Repository.binary, ["show", Self.lab + "/lab-trace1-nat-sll.pcap", "--explain"])
        #expect(!shown.output.contains(" 1 bytes"))
        let checked = try check("lab-trace1-nat-sll.pcap", ["--experiment", "experiment-2"])
        #expect(checked.output.contains("— packet 4") && !checked.output.contains("packets 4\n"))
    }

    @Test func checkWritesJSONValidAgainstTheSchemaAndJUnitWithSkippedCases() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try execute(Repository.binary, ["check", Self.lab + "/lab-trace1-cut-sll.pcap", Self.lab + "/lab-trace4-vms-eth.pcap",
                                                     "--experiments", Repository.experiments, "--json", dir + "/c.json", "--junit", dir + "/c.xml"])
        #expect(result.status == 0, "\(result.output)\(result.error)")
        let lines = result.output.split(separator: "\n")
        #expect(lines.count == 4, "one line per file, then one per record written")
        #expect(lines.suffix(2) == ["checks (JSON) of 2 file(s) written to \(dir)/c.json", "JUnit XML of 2 file(s) written to \(dir)/c.xml"])
        let schema = try execute("python3", ["-c", """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1])); record = json.load(open(sys.argv[2])); jsonschema.validate(record, schema)
            statuses = [v["status"] for v in record["checks"][0]["verdicts"]]
            assert "unobservable" in statuses and record["checks"][0]["matchedBy"] == "best match", statuses
            assert "not applicable" in [v["status"] for v in record["checks"][1]["verdicts"]]
            """, Repository.experiments + "/run-record.schema.json", dir + "/c.json"])
        #expect(schema.status == 0, "\(schema.error)")
        let junit = try String(contentsOfFile: dir + "/c.xml", encoding: .utf8)
        #expect(junit.contains("<skipped message=\"unobservable: the capture ends at packet 8"))
        #expect(junit.contains("<skipped message=\"not applicable: holds for tcplab&apos;s own runs only"))
        #expect(try JUnitCounts.read(dir + "/c.xml").failures == 0)
    }
}
