import Foundation
import LabCapture
import LabPackets
import LabReport
import Testing

/// `show --explain` and `--ladder` read the file twice, holding only open connections; what
/// they print must be what the whole trace in memory gives, on every capture the tests hold.
@Suite struct StreamingShowTests {
    /// Cut short on purpose: the in-memory path refuses them, so there is no whole trace to compare.
    static let damaged: Set = ["corpus/truncated.pcap", "corpus/truncated.pcapng"]
    /// Every other capture the tests hold.
    static var captures: [String] { PacketLineWriterTests.captures.filter { !damaged.contains($0) } }

    /// The trace as the in-memory path reads it, or nil when the file does not read to its end.
    static func wholeTrace(_ path: String) -> Trace? {
        var packets: [Packet] = []
        do {
            try CaptureFileReader.read(path) { packets.append(Packet.decode($0.frame, number: packets.count + 1, linkType: $0.linkType)) }
        } catch { return nil }
        return Trace(packets: packets)
    }

    /// Keeps the list above honest: a capture is left out only because it does not read whole.
    @Test(arguments: damaged.sorted())
    func theCapturesLeftOutAreTheDamagedOnes(_ capture: String) {
        #expect(PacketLineWriterTests.captures.contains(capture))
        #expect(Self.wholeTrace(PacketLineWriterTests.fixtures + "/" + capture) == nil)
    }

    /// The capture's whole trace; a test fails here, rather than passing unseen, when it does not read.
    static func requireTrace(_ capture: String) throws -> Trace {
        let trace = try #require(wholeTrace(PacketLineWriterTests.fixtures + "/" + capture), "\(capture) does not read to its end")
        try #require(!trace.packets.isEmpty, "\(capture) has no packets")
        return trace
    }

    @Test(arguments: captures)
    func explanationIsTheWholeTraces(_ capture: String) throws {
        let path = PacketLineWriterTests.fixtures + "/" + capture
        let trace = try Self.requireTrace(capture)
        let run = try execute(Repository.binary, ["show", "--explain", path])
        let explanations = Explainer(connections: trace.connections).explain()
        let listing = try execute(Repository.binary, ["show", path])
        let expected = listing.output + (explanations.isEmpty ? "" : "\n" + Explanation.render(explanations) + "\n")
        #expect(run.status == listing.status)
        #expect(run.output == expected)
    }

    @Test(arguments: captures)
    func ladderIsTheWholeTraces(_ capture: String) throws {
        let path = PacketLineWriterTests.fixtures + "/" + capture
        let trace = try Self.requireTrace(capture)
        let folder = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try execute(Repository.binary, ["show", "--ladder", folder + "/l.svg", "--count-only", path])
        #expect(run.status == 0)
        let drawn = try String(contentsOfFile: folder + "/l.svg", encoding: .utf8)
        #expect(drawn == LadderDiagram(connections: trace.connections, title: path).render())
    }
}
