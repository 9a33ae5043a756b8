import Foundation
import LabCapture
import LabPackets
import LabReport
import Testing

/// Compares our Info column with tshark 4.0's, packet by packet, on a corpus of real captures
/// (SLL, SLL2, pcapng, IPv6, retransmissions, HTTP, …) and on captures shaped like the lab's own
/// (Fixtures/lab: NAT and two-VM traces, HTTP on 12345 ended by FIN, reused ports, a cut capture),
/// whose tshark output is stored beside them.
@Suite struct TsharkInfoTests {
    static let fixtures = Repository.root + "/Tests/IntegrationTests/Fixtures"
    static let folders = ["corpus", "lab"]

    /// Paths of the oracles, relative to Fixtures.
    static var oracles: [String] {
        folders.flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: fixtures + "/" + folder)) ?? [])
                .filter { $0.hasSuffix(".tshark.txt") }.sorted().map { folder + "/" + $0 }
        }
    }

    struct Mismatch: CustomStringConvertible {
        var file: String
        var number: Int
        var ours: String
        var theirs: String
        var description: String { "\(file) #\(number)\n  tshark: \(theirs)\n  tcplab: \(ours)" }
    }

    /// Our rows for a capture, by frame number; stops quietly where a truncated file ends.
    static func rows(_ path: String) -> [Int: PacketRow] {
        var analyzer = ConversationAnalyzer(retainSegments: false)
        var rows: [Int: PacketRow] = [:]
        var number = 0
        var builder = PacketRowBuilder()
        try? CaptureFileReader.read(path) { record in
            number += 1
            let packet = Packet.decode(record.frame, number: number, linkType: record.linkType)
            let segment = analyzer.add(packet, index: number - 1)
            rows[number] = builder.row(packet, segment)
        }
        return rows
    }

    @Test func infoMatchesTsharkFor99Point5PercentOfTCPPackets() throws {
        #expect(Self.oracles.filter { $0.hasPrefix("corpus/") }.count >= 8, "the corpus is missing; run Tests/IntegrationTests/Fixtures/make_corpus.sh")
        #expect(Self.oracles.filter { $0.hasPrefix("lab/") }.count >= 12, "the lab corpus is missing; run Tests/IntegrationTests/Fixtures/make_lab_corpus.sh")
        var compared = 0
        var mismatches: [Mismatch] = []
        for oracle in Self.oracles {
            let capture = Self.fixtures + "/" + oracle.dropLast(".tshark.txt".count)
            let ours = Self.rows(capture)
            let text = try String(contentsOfFile: Self.fixtures + "/" + oracle, encoding: .utf8)
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
                guard fields.count == 3, let number = Int(fields[0]), ["TCP", "HTTP"].contains(fields[1]) else { continue }
                compared += 1
                let info = ours[number]?.info ?? "(no packet)"
                if info.trimmingCharacters(in: .whitespaces) != fields[2].trimmingCharacters(in: .whitespaces) {
                    mismatches.append(Mismatch(file: oracle, number: number, ours: info, theirs: fields[2]))
                }
            }
        }
        let rate = compared == 0 ? 0 : Double(compared - mismatches.count) / Double(compared)
        print("tshark Info agreement: \(compared - mismatches.count)/\(compared) TCP packets (\(String(format: "%.2f", rate * 100)) %)")
        for m in mismatches { print(m) }
        #expect(compared > 1500, "too few TCP packets compared: \(compared)")
        #expect(rate >= 0.995, "\(mismatches.count) of \(compared) differ from tshark")
    }
}
