import Foundation
import LabModel
import LabPackets
import LabReport
import LabTestSupport
import Testing

/// The sentences `--explain` says about segment sizes, pauses and Wireshark's analysis marks,
/// each against a trace built to need it.
@Suite struct ExplanationSentenceTests {
    /// MSS 1460 and window scale ×1, so that a 1460-byte segment is full-sized and windows are plain bytes.
    static let handshakeOptions: [UInt8] = [2, 4, 0x05, 0xb4, 3, 3, 0]

    /// A handshake, then the server's `chunks` one after another, the client acknowledging with
    /// `windows[i]` before chunk i where given, then both FINs.
    static func serverStream(_ chunks: [Int], windows: [Int: UInt16] = [:]) -> [Packet] {
        var b = FrameBuilder()
        var frames = [
            b.segment(from: .client, seq: 0, flags: .syn, options: handshakeOptions, window: 65535),
            b.segment(from: .server, seq: 0, ack: 1, flags: .syn, options: handshakeOptions, window: 65535),
            b.segment(from: .client, seq: 1, ack: 1, flags: [], window: windows[0] ?? 65535),
        ]
        var next: UInt32 = 1
        for (i, n) in chunks.enumerated() {
            if i > 0, let window = windows[i] { frames.append(b.segment(from: .client, seq: 1, ack: next, flags: [], window: window)) }
            frames.append(b.segment(from: .server, seq: next, ack: 1, flags: .psh, payload: [UInt8](repeating: 0x41, count: n), window: 65535))
            next += UInt32(n)
        }
        frames.append(b.segment(from: .server, seq: next, ack: 1, flags: .fin, window: 65535))
        frames.append(b.segment(from: .client, seq: 1, ack: next + 1, flags: .fin, window: 65535))
        frames.append(b.segment(from: .server, seq: next + 1, ack: 2, flags: [], window: 65535))
        return FrameBuilder.decode(frames)
    }

    static func sentences(_ packets: [Packet], source: ExplanationSource = .init()) -> [Int: String] {
        var byPacket: [Int: String] = [:]
        for e in Explainer(connections: ConversationAnalyzer.analyze(packets), source: source).explain() {
            for p in e.packets { byPacket[p] = e.text }
        }
        return byPacket
    }

    static func packetCarrying(_ length: Int, in packets: [Packet]) -> Int? {
        packets.first { $0.tcp?.payloadLength == length }?.number
    }

    @Test func aShortSegmentInTheMiddleOfTheStreamIsNotTheLeftOver() throws {
        let packets = Self.serverStream([1460, 1460, 500, 1460, 300])
        let text = Self.sentences(packets)
        let middle = try #require(Self.packetCarrying(500, in: packets)), last = try #require(Self.packetCarrying(300, in: packets))
        let middleText = try #require(text[middle])
        #expect(!middleText.contains("left over"), "\(middleText)")
        #expect(middleText.contains("Shorter than the full size in the middle of the stream"))
        #expect(middleText.contains("more follows from packet \(middle + 1), so it is not the end of the data"))
        #expect(text[last]?.contains("The 300 bytes left over after the full-sized segments.") == true, "\(text[last] ?? "")")
    }

    @Test func aShortSegmentThatFillsTheReceiveWindowSaysSo() throws {
        // After the handshake the client's window ends exactly after the 500-byte segment.
        let packets = Self.serverStream([1460, 1460, 500, 1460, 200], windows: [0: 3420, 3: 65535])
        let text = Self.sentences(packets)
        let middle = try #require(Self.packetCarrying(500, in: packets))
        let middleText = try #require(text[middle])
        #expect(middleText.contains("It stops at the edge of the client's receive window (the client's last Ack=1 plus its window of 3420 bytes ends at 3421)"),
                "\(middleText)")
        #expect(middleText.contains("Wireshark marks it [TCP Window Full]: with it the server has sent everything"))
        #expect(!middleText.contains("left over"))
    }

    @Test func theServersFINAfterASleepIsCreditedToReadingEndOfStream() throws {
        let experiment = try ExperimentLoader(directory: Self.experiments.path).load("experiment-4")
        let text = Self.sentences(try LadderDiagramTests.fixture("runs/lo/trace4.pcap"), source: .init(experiment: experiment))
        let fin = try #require(text[12])
        #expect(fin.hasPrefix("Server closes too: FIN,ACK"))
        #expect(fin.contains("likely because the server reads end of stream (the client's FIN) only after its next 5.0 s sleep, and closes then."),
                "\(fin)")
        #expect(!fin.contains("before each read"))
        #expect(text[8]?.contains("likely because the server sleeps 5.0 s before each read.") == true, "\(text[8] ?? "")")
    }

    /// A word each flag's reason must hold, so that no mark is left standing alone.
    static let reasonWords: [(TCPAnalysisFlags, String)] = [
        (.retransmission, "it resends"), (.fastRetransmission, "fast retransmit, RFC 5681"), (.spuriousRetransmission, "spurious retransmission"),
        (.outOfOrder, "out of order"), (.lostSegment, "the capture never saw"), (.ackedUnseen, "acknowledges"),
        (.duplicateAck, "duplicate of packet"), (.windowUpdate, "a window update"), (.windowFull, "last advertised window allows"),
        (.zeroWindow, "advertises a window of 0"), (.keepAlive, "a keep-alive"), (.keepAliveAck, "answers the"),
        (.zeroWindowProbe, "zero-window probe"), (.zeroWindowProbeAck, "answers a zero-window probe"), (.portsReused, "ports are reused"),
    ]

    /// Zero-window probing and keep-alives, which no corpus capture holds all of.
    static func probes() -> [Packet] {
        var b = FrameBuilder()
        let o = handshakeOptions
        return FrameBuilder.decode([
            b.segment(from: .client, seq: 0, flags: .syn, options: o), b.segment(from: .server, seq: 0, ack: 1, flags: .syn, options: o),
            b.segment(from: .client, seq: 1, ack: 1, flags: []),
            b.segment(from: .client, seq: 1, ack: 1, flags: .psh, payload: [UInt8](repeating: 0x61, count: 100)),
            b.segment(from: .server, seq: 1, ack: 101, flags: [], window: 0),                   // zero window
            b.segment(from: .client, seq: 101, ack: 1, flags: [], payload: [0x61]),             // zero-window probe
            b.segment(from: .server, seq: 1, ack: 101, flags: [], window: 0),                   // its ACK
            b.segment(from: .server, seq: 1, ack: 101, flags: [], window: 512),                 // window update
            b.segment(from: .client, seq: 100, ack: 1, flags: [], advance: 2_000_000_000),      // keep-alive
            b.segment(from: .server, seq: 1, ack: 101, flags: [], window: 512),                 // its ACK
        ])
    }

    static let flaggedCaptures = ["corpus/retransmissions.pcap", "corpus/zero-window.pcap", "lab/lab-port-reuse-eth.pcap",
                                  "fuzz-regressions/timestamp-overflow.pcapng", "lab/lab-trace3-vms-eth.pcap"]

    @Test func everyAnalysisMarkIsExplained() throws {
        var seen: TCPAnalysisFlags = []
        let traces = try Self.flaggedCaptures.map { try LadderDiagramTests.fixture($0) } + [Self.probes()]
        for packets in traces {
            let connections = ConversationAnalyzer.analyze(packets)
            let text = Self.sentences(packets)
            for s in connections.flatMap(\.segments) where !s.analysis.flags.isEmpty {
                let sentence = try #require(text[s.number])
                let marks = s.analysis.infoPrefix.trimmingCharacters(in: .whitespaces)
                #expect(sentence.contains("Wireshark marks it \(marks): "), "packet \(s.number): \(sentence)")
                for (flag, word) in Self.reasonWords where s.analysis.flags.contains(flag) {
                    #expect(sentence.contains(word), "packet \(s.number) \(marks) lacks \"\(word)\": \(sentence)")
                }
                seen.formUnion(s.analysis.flags)
            }
        }
        let unseen = Self.reasonWords.map(\.0).filter { !seen.contains($0) }
        #expect(unseen.isEmpty, "no trace here carries \(unseen.map(\.rawValue))")
    }

    @Test func aRetransmissionNamesItsFirstCopyAndItsCause() throws {
        let text = Self.sentences(try LadderDiagramTests.fixture("corpus/retransmissions.pcap"))
        // Packet 320 follows packet 319's SACK by 8 µs: loss recovery, not the timer.
        #expect(text[320]?.contains("it resends 1448 bytes (Seq=7241), first sent in packet 303 2 ms earlier, because the server's SACK "
            + "in packet 319 reported later bytes arrived while these did not") == true, "\(text[320] ?? "")")
    }

    static var experiments: URL { Checkout.experiments }
}
