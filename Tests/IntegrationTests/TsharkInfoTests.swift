import Foundation
import LabCapture
import LabPackets
import LabReport
import Testing

/// Compares our Info column with tshark 4.0's, packet by packet, on a corpus of real captures
/// (SLL, SLL2, pcapng, IPv6, retransmissions, HTTP, …) whose tshark output is stored beside them.
@Suite struct TsharkInfoTests {
    static let corpus = Repository.root + "/Tests/IntegrationTests/Fixtures/corpus"

    static var oracles: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: corpus)) ?? [])
            .filter { $0.hasSuffix(".tshark.txt") }.sorted()
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

    @Test func infoMatchesTsharkForAtLeast99PercentOfTCPPackets() throws {
        #expect(Self.oracles.count >= 8, "the corpus is missing; run Tests/IntegrationTests/Fixtures/make_corpus.sh")
        var compared = 0
        var mismatches: [Mismatch] = []
        for oracle in Self.oracles {
            let capture = Self.corpus + "/" + oracle.dropLast(".tshark.txt".count)
            let ours = Self.rows(capture)
            let text = try String(contentsOfFile: Self.corpus + "/" + oracle, encoding: .utf8)
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
        #expect(compared > 500, "too few TCP packets compared: \(compared)")
        #expect(rate >= 0.99, "\(mismatches.count) of \(compared) differ from tshark")
    }
}
