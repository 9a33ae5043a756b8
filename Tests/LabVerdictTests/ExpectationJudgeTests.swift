import LabPackets
import LabTestSupport
import Testing
@testable import LabModel
@testable import LabVerdict

@Suite struct ExpectationJudgeTests {
    /// Experiment 2's pattern, built in code: 20 bytes in, four 5-byte pieces out.
    static func lab2(serverChunks: [String] = ["HELLO", "! HEL", "LO, W", "ORLD!"]) -> [Connection] {
        var builder = FrameBuilder()
        let frames = builder.exchange(client: [Array("Hello! Hello, World!".utf8)], server: serverChunks.map { Array($0.utf8) })
        return ConversationAnalyzer.analyze(FrameBuilder.decode(frames))
    }

    func judge(_ kind: LabModel.Expectation.Kind, _ connections: [Connection] = lab2()) -> Outcome {
        ExpectationJudge(connections: connections).judge(LabModel.Expectation(kind: kind, connection: 1, path: "expect[0]"))
    }

    @Test func exactSegmentSizesPass() {
        #expect(judge(.data(from: .server, sizes: [5, 5, 5, 5], count: nil, total: nil, mss: nil)).passed)
        #expect(judge(.data(from: .client, sizes: [20], count: 1, total: 20, mss: nil)).passed)
    }

    @Test func wrongSizesFailNamingWhatWasSeenAndWhere() {
        let outcome = judge(.data(from: .server, sizes: [6, 6, 6, 2], count: nil, total: nil, mss: nil))
        #expect(!outcome.passed)
        #expect(outcome.expectation == "server→client data: segments of 6, 6, 6, 2 bytes")
        #expect(outcome.detail == "saw 4 (5, 5, 5, 5), 20 bytes — packets 5, 6, 7, 8")
        #expect(outcome.packets == [5, 6, 7, 8])
    }

    @Test func payloadRelationsCompareTheReassembledStreams() {
        #expect(judge(.payload(from: .server, equals: .transformOf(.client, .upper, repeat: 1))).passed)
        let wrong = judge(.payload(from: .server, equals: .transformOf(.client, .upper, repeat: 1)),
                          Self.lab2(serverChunks: ["HELLO", "! HEL", "LO, W", "ORLD?"]))
        #expect(!wrong.passed)
        #expect(wrong.detail.hasPrefix("differs at byte 20"))
    }

    @Test func segmentReferencesResolveToRelativeNumbers() {
        #expect(judge(.segment(SegmentReference(parsing: "server data 3")!, flags: [.psh, .ack], seq: 11, ack: 21, len: 5)).passed)
        #expect(judge(.segment(SegmentReference(parsing: "client fin")!, flags: [.fin, .ack], seq: 21, ack: 21, len: 0)).passed)
        let missing = judge(.segment(SegmentReference(parsing: "server data 5")!, flags: nil, seq: 21, ack: nil, len: nil))
        #expect(!missing.passed && missing.detail == "there is no server data 5")
    }

    @Test func finOrderAndResets() {
        #expect(judge(.finOrder([.client, .server])).passed)
        #expect(!judge(.finOrder([.server, .client])).passed)
        #expect(judge(.rst(from: nil)).passed)
        #expect(!judge(.rst(from: .client)).passed)
    }

    @Test func theHandshakeMustOpenTheConnection() {
        #expect(judge(.handshake).passed)
        var builder = FrameBuilder()
        let frames = Array(builder.exchange(client: [[1]], server: [[2]]).dropFirst())
        #expect(!judge(.handshake, ConversationAnalyzer.analyze(FrameBuilder.decode(frames))).passed)
    }

    @Test func gapsUsePacketdrillsTolerance() {
        var builder = FrameBuilder()
        var frames = Array(builder.exchange(client: [], server: []).prefix(3))
        frames.append(builder.segment(from: .client, seq: 1, ack: 1, flags: .psh, payload: [1]))
        frames.append(builder.segment(from: .server, seq: 1, ack: 2, flags: .psh, payload: [2], advance: 5_600_000_000))
        let connections = ConversationAnalyzer.analyze(FrameBuilder.decode(frames))
        let a = SegmentReference(parsing: "client data 1")!, b = SegmentReference(parsing: "server data 1")!
        // 5.6 s is within 12.5 % of 5 s; 4 ms would not be enough tolerance at this scale.
        #expect(judge(.gap(from: a, to: b, window: TimeWindow(about: .seconds(5))), connections).passed)
        #expect(!judge(.gap(from: a, to: b, window: TimeWindow(about: .seconds(4))), connections).passed)
        #expect(TimeWindow(about: .milliseconds(10)).bounds == (.milliseconds(6), .milliseconds(14)))
    }

    @Test func aCaptureWithoutTheHandshakeIsAHarnessFailureNotAPass() throws {
        var builder = FrameBuilder()
        let packets = FrameBuilder.decode(Array(builder.exchange(client: [[1]], server: [[2]]).dropFirst(3)))
        let experiment = Experiment(name: "x", title: "", lab: "", trace: "x.pcap", port: 12345, link: .loopback,
                                    server: [], client: [], expectations: [], stepTimeout: .seconds(1))
        let record = RunRecord(experiment: "x", linkType: .ethernet, snapLength: 262_144, frames: [], drops: 0,
                               startFenceSeen: true, endFenceSeen: true, teardownSeen: true, duplicateFrames: 0,
                               endpoints: [], phases: [])
        let verdict = Verdict.judge(experiment, packets: packets, connections: ConversationAnalyzer.analyze(packets), record: record)
        #expect(verdict.status == .harnessFailure)
        #expect(verdict.exitCode == 70)
    }

    @Test func dropsMakeTheCaptureIncomplete() {
        let record = RunRecord(experiment: "x", linkType: .ethernet, snapLength: 262_144, frames: [], drops: 3,
                               startFenceSeen: true, endFenceSeen: false, teardownSeen: true, duplicateFrames: 0,
                               endpoints: [], phases: [])
        #expect(record.captureProblems == ["the end fence was not captured", "the kernel dropped 3 packet(s)"])
    }
}

@Suite struct HTTPExpectationTests {
    /// Two requests on one keep-alive connection; the second response leaves in three segments.
    static func keepAlive() -> [Connection] {
        var builder = FrameBuilder()
        builder.server.port = 8080
        let first = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi".utf8)
        let second = Array("HTTP/1.1 404 Not Found\r\nContent-Length: 10\r\n\r\n".utf8)
        let frames = builder.exchange(
            client: [Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8), Array("GET /x HTTP/1.1\r\nHost: x\r\n\r\n".utf8)],
            server: [first, Array(second.prefix(20)), Array(second.dropFirst(20)) + Array("01234".utf8), Array("56789".utf8)],
            firstFIN: .server)
        return ConversationAnalyzer.analyze(FrameBuilder.decode(frames))
    }

    func judge(_ kind: LabModel.Expectation.Kind, connection: Int = 1) -> Outcome {
        ExpectationJudge(connections: Self.keepAlive())
            .judge(LabModel.Expectation(kind: kind, connection: connection, path: "expect[0]"))
    }

    @Test func requestsAndStatusesAreReadAcrossTheTrace() {
        #expect(judge(.requests(["GET / HTTP/1.1", "GET /x HTTP/1.1"])).passed)
        #expect(!judge(.requests(["GET / HTTP/1.1"])).passed)
        #expect(judge(.statuses([200, 404])).passed)
        #expect(judge(.statuses([200, 200])).detail.hasPrefix("saw 200 (packet"))
    }

    @Test func responseSegmentsCountOnlyTheSegmentsOfThatResponse() {
        let outcome = judge(.responseSegments(request: "GET /x HTTP/1.1", count: 3, mss: nil))
        #expect(outcome.passed, "\(outcome.detail)")
        #expect(judge(.responseSegments(request: "GET / HTTP/1.1", count: 1, mss: nil)).passed)
        #expect(!judge(.responseSegments(request: "GET /x HTTP/1.1", count: 3, mss: .bytes(20))).passed)
        #expect(judge(.responseSegments(request: "GET /nope HTTP/1.1", count: 1, mss: nil)).detail == "no connection carries \"GET /nope HTTP/1.1\"")
    }

    @Test func eachAppliesAnExpectationToEveryConnectionWithData() {
        let outcome = judge(.finOrder([.server, .client]), connection: LabModel.Expectation.eachWithData)
        #expect(outcome.passed)
        #expect(outcome.expectation.hasPrefix("every connection with data: "))
        #expect(!judge(.finOrder([.client, .server]), connection: LabModel.Expectation.eachWithData).passed)
    }
}

/// What a foreign capture can and cannot say: expectations for tcplab's own runs, and a capture
/// that ends early.
@Suite struct ForeignCaptureVerdictTests {
    /// Experiment 2's exchange cut after `keep` packets.
    static func cut(_ keep: Int) -> [Connection] {
        var builder = FrameBuilder()
        let frames = builder.exchange(client: [Array("Hello! Hello, World!".utf8)], server: ["HELLO", "! HEL", "LO, W", "ORLD!"].map { Array($0.utf8) })
        return ConversationAnalyzer.analyze(FrameBuilder.decode(Array(frames.prefix(keep))))
    }

    func judge(_ kind: LabModel.Expectation.Kind, _ connections: [Connection], runsOnly: String? = nil) -> Outcome {
        var e = LabModel.Expectation(kind: kind, connection: 1, path: "expect[0]")
        e.runsOnly = runsOnly
        let end = connections.flatMap(\.segments).map(\.number).max() ?? 0
        return ExpectationJudge(connections: connections, foreign: true, captureEnd: end).judge(e)
    }

    @Test func anExpectationForTcplabsRunsIsNotApplicableToSomeoneElsesCapture() {
        let o = judge(.data(from: .server, sizes: [6], count: nil, total: nil, mss: nil), Self.cut(100), runsOnly: "a pin")
        #expect(o.status == .notApplicable && o.detail == "holds for tcplab's own runs only: a pin")
        let run = ExpectationJudge(connections: Self.cut(100)).judge({
            var e = LabModel.Expectation(kind: .data(from: .server, sizes: [6], count: nil, total: nil, mss: nil), connection: 1, path: "p")
            e.runsOnly = "a pin"
            return e
        }())
        #expect(run.status == .failed, "tcplab's own runs are judged on it as usual")
    }

    @Test func whatACutCaptureHasNotReachedIsUnobservableButAContradictionStillFails() throws {
        let all = Self.cut(100)
        let fins = try #require(all.first).segments.filter { $0.flags.contains(.fin) }
        let beforeServerFIN = Self.cut(try #require(fins.last).number - 1)
        let order = judge(.finOrder([.client, .server]), beforeServerFIN)
        #expect(order.status == .unobservable, "\(order.detail)")
        #expect(order.detail.hasPrefix("the capture ends at packet \(fins.last!.number - 1), before the server's FIN"))
        #expect(judge(.finOrder([.server, .client]), beforeServerFIN).status == .failed)
        #expect(judge(.rst(from: nil), beforeServerFIN).status == .unobservable)
        #expect(judge(.rst(from: nil), all).status == .held)
        // Two of the four replies captured: a beginning of [5, 5, 5, 5], but not of [5, 6].
        let early = Self.cut(7)
        #expect(judge(.data(from: .server, sizes: [5, 5, 5, 5], count: nil, total: nil, mss: nil), early).status == .unobservable)
        #expect(judge(.data(from: .server, sizes: [10, 10], count: nil, total: nil, mss: nil), early).status == .failed)
        #expect(judge(.segment(SegmentReference(parsing: "server data 4")!, flags: nil, seq: 16, ack: nil, len: nil), early).status == .unobservable)
    }

    @Test func announcedMSSTakesTheSizeFromTheReceiversSYN() {
        let connections = ExpectationJudgeTests.lab2()
        let outcome = ExpectationJudge(connections: connections).judge(
            LabModel.Expectation(kind: .data(from: .server, sizes: nil, count: nil, total: nil, mss: .announced), connection: 1, path: "p"))
        #expect(!outcome.passed, "5-byte segments are not full-sized: \(outcome.detail)")
    }
}

@Suite struct ByteCoverageTests {
    /// The server's segments at the given relative sequence numbers and lengths, after a handshake.
    static func server(_ pieces: [(seq: UInt32, length: Int)], serverISN: UInt32 = 5000) -> [Connection] {
        var b = FrameBuilder()
        b.serverISN = serverISN
        var frames = [b.segment(from: .client, seq: 0, flags: .syn), b.segment(from: .server, seq: 0, ack: 1, flags: .syn),
                      b.segment(from: .client, seq: 1, ack: 1, flags: [])]
        for p in pieces {
            frames.append(b.segment(from: .server, seq: p.seq, ack: 1, flags: .psh, payload: [UInt8](repeating: 0x41, count: p.length)))
        }
        return ConversationAnalyzer.analyze(FrameBuilder.decode(frames))
    }

    @Test func aRetransmittedSegmentIsCountedOnceAndNamed() {
        let connections = Self.server([(1, 5), (6, 5), (1, 5)])
        let judge = ExpectationJudge(connections: connections)
        let held = judge.judge(Expectation(kind: .data(from: .server, sizes: nil, count: nil, total: 10, mss: nil), connection: 1, path: "expect[0]"))
        #expect(held.passed)
        #expect(held.detail == "saw 3 (5, 5, 5), 10 bytes counting each once (packet 6 resent 5 of them) — packets 4, 5, 6")
        let failed = judge.judge(Expectation(kind: .data(from: .server, sizes: nil, count: nil, total: 15, mss: nil), connection: 1, path: "expect[0]"))
        #expect(!failed.passed)
    }

    @Test func partialOverlapsCountOnlyTheirNewBytes() {
        // 1-100, 51-150 (50 new), 201-250 (a hole before it), 101-200 (151-200 fill the hole, 101-150 repeat), 1-250 (all repeated).
        let coverage = ByteCoverage(Self.server([(1, 100), (51, 100), (201, 50), (101, 100), (1, 250)])[0].segments)
        #expect(coverage.distinct == 250)
        #expect(coverage.repeats.map(\.packet) == [5, 7, 8])
        #expect(coverage.repeats.map(\.bytes) == [50, 50, 250])
    }

    @Test func countsAcrossTheSequenceNumberWrap() {
        // Relative numbers wrap once a stream passes 4 GiB; a segment on each side of the wrap is still new bytes.
        let top = UInt32.max - 9
        let coverage = ByteCoverage(Self.server([(top, 10), (0, 10), (top, 10)])[0].segments)
        #expect(coverage.distinct == 20)
        #expect(coverage.repeatedBytes == 10)
    }
}
