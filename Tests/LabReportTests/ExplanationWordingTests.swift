import LabPackets
@testable import LabReport
import LabTestSupport
import Testing

/// Sentences that once said something wrong or cryptic, each against a trace built to need it:
/// where a FIN's ACK points, what an "ACKed unseen" ACK covers, and how much a program sent back.
@Suite struct ExplanationWordingTests {
    typealias Sentences = ExplanationSentenceTests

    /// A handshake, then what `body` adds; the builder's ISNs make the numbers relative.
    static func trace(_ body: (inout FrameBuilder) -> [CapturedFrame]) -> [Packet] {
        var b = FrameBuilder()
        var frames = [
            b.segment(from: .client, seq: 0, flags: .syn, options: Sentences.handshakeOptions, window: 65535),
            b.segment(from: .server, seq: 0, ack: 1, flags: .syn, options: Sentences.handshakeOptions, window: 65535),
            b.segment(from: .client, seq: 1, ack: 1, flags: [], window: 65535),
        ]
        frames += body(&b)
        return FrameBuilder.decode(frames)
    }

    static let a = [UInt8](repeating: 0x41, count: 1)

    @Test func theACKOfAFINNamesTheFINsNumberAndTheLastDataByte() throws {
        let packets = Self.trace { b in [
            b.segment(from: .server, seq: 1, ack: 1, flags: .psh, payload: [UInt8](repeating: 0x41, count: 520), window: 65535),
            b.segment(from: .client, seq: 1, ack: 521, flags: [], window: 65535),
            b.segment(from: .server, seq: 521, ack: 1, flags: .fin, window: 65535),
            b.segment(from: .client, seq: 1, ack: 522, flags: [], window: 65535),
            b.segment(from: .client, seq: 1, ack: 522, flags: .fin, window: 65535),
            b.segment(from: .server, seq: 522, ack: 2, flags: [], window: 65535),
        ] }
        let text = Sentences.sentences(packets)
        #expect(text[7] == "Client acknowledges the server's FIN: Ack=522, one past the FIN's own number, 521 "
                + "(the server's last data byte is 520; a FIN counts as one sequence number).", "\(text[7] ?? "")")
        #expect(text[9] == "Server acknowledges the client's FIN: Ack=2, one past the FIN's own number, 1 "
                + "(the client sent no data; a FIN counts as one sequence number). Both FINs are now acknowledged: the connection is closed.",
                "\(text[9] ?? "")")
    }

    @Test func anACKOfAZeroWindowProbesByteIsNotSaidToGoBeyondWhatWasSeen() throws {
        let packets = Self.trace { b in [
            b.segment(from: .server, seq: 1, ack: 1, flags: .psh, payload: [UInt8](repeating: 0x41, count: 14), window: 65535),
            b.segment(from: .client, seq: 1, ack: 15, flags: [], window: 0),
            b.segment(from: .server, seq: 15, ack: 1, flags: [], payload: Self.a, window: 65535),
            b.segment(from: .client, seq: 1, ack: 16, flags: [], window: 65535),
        ] }
        let text = try #require(Sentences.sentences(packets)[7])
        #expect(text.contains("Wireshark marks it [TCP ACKed unseen segment]: Ack=16 acknowledges the server's bytes up to 15, "
                              + "the last of them the byte of the zero-window probe in packet 6, which the client took: "
                              + "Wireshark does not count a probe's byte as sent, so to it that byte was never seen."), "\(text)")
        #expect(!text.contains("beyond"))
    }

    @Test func anACKPastAGapNamesTheBytesTheCaptureMissed() throws {
        let packets = Self.trace { b in [
            b.segment(from: .server, seq: 1, ack: 1, flags: .psh, payload: [UInt8](repeating: 0x41, count: 100), window: 65535),
            b.segment(from: .server, seq: 201, ack: 1, flags: .psh, payload: [UInt8](repeating: 0x41, count: 100), window: 65535),
            b.segment(from: .client, seq: 1, ack: 301, flags: [], window: 65535),
        ] }
        let text = try #require(Sentences.sentences(packets)[6])
        #expect(text.contains("Wireshark marks it [TCP ACKed unseen segment]: Ack=301 acknowledges the server's bytes up to 300, "
                              + "among them 101 to 200, which the capture never saw (the server's packet 5 starts past them): "
                              + "the server sent segments the capture missed."), "\(text)")
    }

    @Test func anACKPastEverythingSeenSaysHowFarTheCaptureGot() throws {
        let packets = Self.trace { b in [
            b.segment(from: .server, seq: 1, ack: 1, flags: .psh, payload: [UInt8](repeating: 0x41, count: 100), window: 65535),
            b.segment(from: .client, seq: 1, ack: 201, flags: [], window: 65535),
        ] }
        let text = try #require(Sentences.sentences(packets)[5])
        #expect(text.contains("Wireshark marks it [TCP ACKed unseen segment]: Ack=201 acknowledges the server's bytes up to 200, "
                              + "past the last one the capture saw (100): the server sent segments the capture missed."), "\(text)")
    }

    /// Wireshark flags the new connection's ACK on a reused port, though the capture missed nothing.
    @Test func anACKedUnseenMarkWithNothingMissedSaysWhereTheMarkComesFrom() throws {
        let text = try #require(Sentences.sentences(try LadderDiagramTests.fixture("lab/lab-port-reuse-eth.pcap"))[13])
        #expect(text.hasSuffix("Wireshark marks it [TCP ACKed unseen segment]: Ack=1 acknowledges no byte the capture missed "
                               + "(it saw the server's bytes up to 14): the mark comes from Wireshark's own tracking of this stream, "
                               + "not from a lost segment."), "\(text)")
    }

    @Test(arguments: [(2, "twice the 20 bytes it received"), (3, "3 times the 20 bytes it received")])
    func aProgramThatSentBackAMultipleSaysOfWhat(_ times: Int, _ fact: String) throws {
        let packets = Self.trace { b in
            var frames = [b.segment(from: .client, seq: 1, ack: 1, flags: .psh, payload: [UInt8](repeating: 0x61, count: 20), window: 65535)]
            for i in 0..<times {
                frames.append(b.segment(from: .server, seq: 1 + UInt32(20 * i), ack: 21, flags: .psh,
                                        payload: [UInt8](repeating: 0x61, count: 20), window: 65535))
            }
            return frames
        }
        let connection = try #require(ConversationAnalyzer.analyze(packets).first)
        let facts = ProgramBehaviour.describe(.server, on: connection)
        #expect(facts.contains(fact), "\(facts)")
        #expect(!facts.contains { $0.contains("×") })
    }
}
