import Foundation
import LabCapture
import LabModel
import LabPackets
@testable import LabPipeline
@testable import LabReport
import LabTestSupport
import LabVerdict
import Testing

/// `check` reads its file twice and holds only the open connections it needs: what it finds
/// must be what judging the whole trace in memory finds, on every capture the tests hold and
/// against every experiment, and what it holds must not grow with the packets.
@Suite struct StreamingCheckTests {
    static let experiments: [Experiment] = {
        let loader = ExperimentLoader(directory: Repository.experiments)
        return Repository.experimentNames.compactMap { try? loader.load($0).withInProcessClient() }
    }()

    /// Every outcome as one line of text, for comparing two verdicts whole.
    static func lines(_ verdict: Verdict) -> [String] {
        verdict.outcomes.map { "\($0.path) \($0.status) \($0.expectation) | \($0.detail) | \($0.packets)" }
    }

    @Test(arguments: PacketLineWriterTests.captures)
    func judgesAsTheWholeTraceDoes(_ capture: String) throws {
        let path = PacketLineWriterTests.fixtures + "/" + capture
        #expect(Self.experiments.count >= 8)
        for experiment in Self.experiments {
            let whole: CheckResult
            do {
                whole = try CheckPipeline.check(path, experiment: experiment, client: nil, explain: true)
            } catch {
                Issue.record("\(capture) against \(experiment.name): the in-memory check failed: \(error)")
                continue
            }
            let check = FileCheck.run(path, candidates: [experiment], given: true, client: nil, explain: true, ladder: true)
            let streamed = try #require(check.result, "\(capture): \(check.error?.description ?? "")")
            let what = "\(capture) against \(experiment.name)"
            #expect(Self.lines(streamed.verdict) == Self.lines(whole.verdict), "\(what)")
            #expect(streamed.diagnosis == whole.diagnosis, "\(what)")
            #expect(streamed.fileProblem == whole.fileProblem, "\(what)")
            #expect(streamed.framesRead == whole.framesRead, "\(what)")
            #expect(streamed.ignoredConnections == whole.ignoredConnections, "\(what)")
            #expect(streamed.connections.map(\.history) == whole.connections.map(\.history), "\(what)")
            #expect(try streamed.rows?.all() == whole.rows?.all(), "\(what)")
            #expect(try streamed.explanations?.all() ?? [] == whole.explanations?.all() ?? [], "\(what)")
            let ladder = LadderDiagram(connections: whole.connections, title: whole.ladderTitle).render()
            #expect(streamed.ladder?.render() == ladder, "\(what)")
        }
    }

    @Test(arguments: PacketLineWriterTests.captures)
    func ranksAsTheWholeTraceDoes(_ capture: String) throws {
        let path = PacketLineWriterTests.fixtures + "/" + capture
        // Every capture the tests hold reads (the damaged ones as far as they go): a failure here is one.
        let contents = try CheckPipeline.read(path)
        let whole = Ranking(file: path, results: Self.experiments.map {
            CheckPipeline.judge(path, contents, experiment: $0, client: nil, explain: false)
        })
        let check = FileCheck.run(path, candidates: Self.experiments, given: false, client: nil, explain: false)
        #expect(check.ranking?.line == whole.line)
        #expect(check.ranking?.results.map { Self.lines($0.verdict) } == whole.results.map { Self.lines($0.verdict) })
        #expect(check.fingerprint == TraceFingerprint(contents.trace))
    }

    /// `groups` groups of `together` connections to port 12345, interleaved round robin within a
    /// group, written as a pcap file; with the segments of the longest connection.
    static func capture(groups: Int, together: Int) throws -> (path: String, folder: String) {
        var frames: [CapturedFrame] = []
        for g in 0..<groups {
            var exchanges: [[CapturedFrame]] = []
            for i in 0..<together {
                var builder = FrameBuilder()
                builder.client.port = UInt16(20_000 + g * together + i)
                builder.time = 1_700_000_000_000_000_000 + Int64(g * together + i + 1) * 1_000_000
                let pieces = (0...i).map { _ in Array("Hello, World!".utf8) }
                exchanges.append(builder.exchange(client: pieces, server: [Array("HELLO, WORLD!".utf8)]))
            }
            let longest = exchanges.map(\.count).max() ?? 0
            frames += (0..<longest).flatMap { step in exchanges.compactMap { step < $0.count ? $0[step] : nil } }
        }
        let folder = try Repository.temporaryDirectory()
        let path = folder + "/staggered.pcap"
        try PcapWriter.write(frames, linkType: .ethernet, snapLength: 65535, to: path)
        return (path, folder)
    }

    /// The second pass over `path` for `experiment`, listing (and explaining, with `explain`).
    static func secondPass(_ path: String, _ experiment: Experiment, explain: Bool) throws -> (CaptureSummary, CheckSecondPass) {
        let summary = try CaptureSummary.read(path)
        let selection = ConnectionSelection(summary.connections, kinds: summary.kinds, experiment: experiment, client: nil)
        var pass = CheckSecondPass(summary: summary, plans: [JudgingPlan(experiment: experiment, selection: selection)],
                                   listing: ListingRequest(plan: 0, explain: explain), client: nil)
        try pass.run(path)
        return (summary, pass)
    }

    @Test func holdsOnlyTheOpenConnectionsItExplains() throws {
        let (path, folder) = try Self.capture(groups: 12, together: 3)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let experiment = try #require(Self.experiments.first { $0.name == "experiment-1" })
        let (summary, pass) = try Self.secondPass(path, experiment, explain: true)
        #expect(summary.connections.count == 36)
        // Three open at a time, of at most the size of a group's longest connection.
        let longest = summary.connections.map(\.segmentCount).max() ?? 0
        #expect(pass.mostHeld <= 3 * longest, "held \(pass.mostHeld) of \(summary.frames) segments")
        #expect(pass.mostHeld < summary.frames / 4)
        #expect(pass.explanations?.count ?? 0 > 0)
    }

    @Test func judgingAloneHoldsOnlyTheConnectionsExpectationsName() throws {
        let (path, folder) = try Self.capture(groups: 12, together: 3)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // experiment-1's expectations are about connection 1; every other is only tracked.
        let experiment = try #require(Self.experiments.first { $0.name == "experiment-1" })
        let (summary, pass) = try Self.secondPass(path, experiment, explain: false)
        #expect(pass.mostHeld == summary.connections[0].segmentCount)
        #expect(pass.rows?.count == summary.frames)
        let whole = try CheckPipeline.check(path, experiment: experiment, client: nil, explain: false)
        #expect(Self.lines(pass.verdict(0)) == Self.lines(whole.verdict))
    }

    @Test func streamedJSONRowsAreTheEncodersBytes() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        func encoded<T: Encodable>(_ value: T) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        var strange = ""
        for byte in 0..<0x80 { strange.unicodeScalars.append(Unicode.Scalar(UInt8(byte))) }
        strange += "é→€😀\u{2028}\u{2029}\u{FEFF}\u{85}/"
        let tcp = PacketRow(number: 7, time: strange, source: "::1", destination: "10.0.0.1", protocolName: "HTTP", length: 66,
                            info: strange, tcp: PacketRowTCP(stream: 2, sourcePort: 80, destinationPort: 40000, from: "server",
                                                             flags: ["SYN", "ACK"], seq: 1, ack: nil, len: 0, window: 512, analysis: []))
        var rows = [tcp, PacketRow(number: 1, time: "0.0", source: "", destination: "", protocolName: "Frame", length: 0, info: "", tcp: nil)]
        for capture in PacketLineWriterTests.captures {
            let contents = try CheckPipeline.read(PacketLineWriterTests.fixtures + "/" + capture)
            rows += PacketList(packets: contents.trace.packets, connections: contents.trace.connections).rows
        }
        for row in rows { #expect(PrettyJSON.row(row, indent: 0) == (try encoded(row))) }
        let explanations = [Explanation(packets: [], text: strange), Explanation(packets: [3, 4, 5], text: "a \"b\"")]
        for e in explanations { #expect(PrettyJSON.explanation(e, indent: 0) == (try encoded(e))) }
    }
}
