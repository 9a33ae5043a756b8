import LabTestSupport
import Testing
@testable import LabPackets

/// Drives one analyzer with segments written the way a student reads them: sequence and ACK numbers
/// relative to each side's ISN, times as gaps since the previous segment.
private struct Session {
    static let isn: [Direction: UInt32] = [.client: 1000, .server: 5000]
    static let millisecond: Int64 = 1_000_000

    var analyzer = TCPSequenceAnalyzer()
    var frame = 0
    var now: Int64 = 1_700_000_000_000_000_000
    /// What the caller knows of each side's window scale (nil until the handshake settles it).
    var shift: [Direction: Int] = [:]
    var isn = Session.isn

    /// Sends one segment; the ACK flag is set when `ack` is given. Returns the segment's analysis.
    @discardableResult
    mutating func send(_ side: Direction, seq: UInt32, ack: UInt32? = nil, _ flags: TCPFlags = [], bytes: Int = 0,
                       window: UInt16 = 512, after gap: Int64 = 10 * millisecond) -> TCPAnalysis {
        frame += 1
        now += gap
        let isn = self.isn[side] ?? 0, peerISN = self.isn[side.other] ?? 0
        let segment = TCPSegment(
            sourcePort: side == .client ? 40000 : 12345, destinationPort: side == .client ? 12345 : 40000,
            sequence: isn &+ seq, acknowledgment: ack.map { peerISN &+ $0 } ?? 0, headerLength: 20,
            flags: ack == nil ? flags : flags.union(.ack), window: window, urgentPointer: 0, optionBytes: [],
            payload: .init(repeating: 0x61, count: bytes), payloadLength: bytes)
        return analyzer.analyze(segment, from: side, frameNumber: frame, timestamp: now, windowShift: shift[side])
    }

    /// Frames 1-3: SYN, SYN/ACK, ACK, 1 ms apart, so the handshake RTT (the out-of-order
    /// threshold) is 2 ms. Both sides scale by `windowShift`, 0 meaning no scaling.
    mutating func handshake(windowShift: Int = 7) -> [TCPAnalysis] {
        let syn = send(.client, seq: 0, .syn, after: Self.millisecond)
        shift = [.client: windowShift, .server: windowShift]  // settled by the SYN/ACK
        return [syn,
                send(.server, seq: 0, ack: 1, .syn, after: Self.millisecond),
                send(.client, seq: 1, ack: 1, after: Self.millisecond)]
    }
}

@Suite struct TCPSequenceAnalyzerTests {
    let ms = Session.millisecond

    @Test func aPlainExchangeGetsNoFlags() {
        var s = Session()
        var results = s.handshake()
        results.append(s.send(.client, seq: 1, ack: 1, .psh, bytes: 100))
        results.append(s.send(.server, seq: 1, ack: 101, .psh, bytes: 50))
        results.append(s.send(.client, seq: 101, ack: 51, bytes: 100))
        results.append(s.send(.server, seq: 51, ack: 201))
        results.append(s.send(.client, seq: 201, ack: 51, .fin))
        results.append(s.send(.server, seq: 51, ack: 202, .fin))
        results.append(s.send(.client, seq: 202, ack: 52))
        #expect(results.map(\.flags) == Array(repeating: [], count: 10))
        #expect(results.allSatisfy { $0.infoPrefix.isEmpty })
    }

    @Test func aResentDataSegmentIsARetransmission() {
        var s = Session()
        _ = s.handshake()
        s.send(.client, seq: 1, ack: 1, bytes: 100)
        let again = s.send(.client, seq: 1, ack: 1, bytes: 100, after: 200 * ms)
        #expect(again.flags == .retransmission)
        #expect(again.infoPrefix == "[TCP Retransmission] ")
    }

    @Test func aResentSYNIsARetransmissionNotAReusedPort() {
        var s = Session()
        s.send(.client, seq: 0, .syn)
        #expect(s.send(.client, seq: 0, .syn, after: 1_000 * ms).flags == .retransmission)
    }

    @Test func aSegmentPastAGapFollowsAnUncapturedOne() {
        var s = Session()
        _ = s.handshake()
        s.send(.client, seq: 1, ack: 1, bytes: 100)
        let past = s.send(.client, seq: 201, ack: 1, bytes: 100)
        #expect(past.flags == .lostSegment)
        #expect(past.infoPrefix == "[TCP Previous segment not captured] ")
    }

    @Test func anAckForDataNeverSeenIsAnAckedUnseenSegment() {
        var s = Session()
        _ = s.handshake()
        s.send(.client, seq: 1, ack: 1, bytes: 100)
        let ack = s.send(.server, seq: 1, ack: 301)
        #expect(ack.flags == .ackedUnseen)
        #expect(ack.infoPrefix == "[TCP ACKed unseen segment] ")
        // One loss is reported once, not again on the next ACK.
        #expect(s.send(.server, seq: 1, ack: 401).flags == [])
    }

    /// Frames 4-11: data, its ACK (frame 5), a lost segment, then data and duplicate ACKs in turn.
    private func sessionWithThreeDuplicateAcks() -> (Session, [TCPAnalysis]) {
        var s = Session()
        _ = s.handshake()
        s.send(.client, seq: 1, ack: 1, bytes: 100)  // 4
        s.send(.server, seq: 1, ack: 101)  // 5: the ACK the duplicates repeat
        var dups: [TCPAnalysis] = []
        for seq: UInt32 in [201, 301, 401] {  // 101..<201 never shows up
            s.send(.client, seq: seq, ack: 1, bytes: 100, after: ms)
            dups.append(s.send(.server, seq: 1, ack: 101, after: ms))
        }
        return (s, dups)
    }

    @Test func repeatedAcksAreNumberedDuplicatesOfTheOriginalFrame() {
        let (_, dups) = sessionWithThreeDuplicateAcks()
        #expect(dups.map(\.flags) == [.duplicateAck, .duplicateAck, .duplicateAck])
        #expect(dups.map(\.duplicateAckNumber) == [1, 2, 3])
        #expect(dups.map(\.duplicateAckOf) == [5, 5, 5])
        #expect(dups.map(\.infoPrefix) == ["[TCP Dup ACK 5#1] ", "[TCP Dup ACK 5#2] ", "[TCP Dup ACK 5#3] "])
    }

    @Test func aNewAckEndsTheRunOfDuplicates() {
        var (s, _) = sessionWithThreeDuplicateAcks()
        s.send(.server, seq: 1, ack: 501)  // frame 12
        let dup = s.send(.server, seq: 1, ack: 501)
        #expect(dup.infoPrefix == "[TCP Dup ACK 12#1] ")
    }

    @Test func resendingWhatDuplicateAcksAskForIsAFastRetransmission() {
        var (s, _) = sessionWithThreeDuplicateAcks()
        let resent = s.send(.client, seq: 101, ack: 1, bytes: 100, after: ms)
        #expect(resent.flags == .fastRetransmission)
        #expect(resent.infoPrefix == "[TCP Fast Retransmission] ")
    }

    @Test func resendingMoreThan20msAfterTheDuplicatesIsAPlainRetransmission() {
        var (s, _) = sessionWithThreeDuplicateAcks()
        #expect(s.send(.client, seq: 101, ack: 1, bytes: 100, after: 25 * ms).flags == .retransmission)
    }

    @Test func afterAnAckedUnseenReportAResendCountsAsFast() {
        // Wireshark quirk: the report leaves the receiver's duplicate-ACK count at (guint32)-1,
        // which passes the "two or more duplicate ACKs" test. tshark 4.0.17 agrees.
        var s = Session()
        _ = s.handshake()
        s.send(.client, seq: 1, ack: 1, bytes: 100)
        #expect(s.send(.server, seq: 1, ack: 301, bytes: 50, after: ms).flags == .ackedUnseen)
        let resent = s.send(.server, seq: 1, ack: 301, bytes: 50, after: ms)
        #expect(resent.flags == .fastRetransmission)
    }

    @Test func resendingAcknowledgedDataIsASpuriousRetransmission() {
        var s = Session()
        _ = s.handshake()
        s.send(.client, seq: 1, ack: 1, bytes: 100)
        s.send(.server, seq: 1, ack: 101)
        let again = s.send(.client, seq: 1, ack: 1, bytes: 100)
        #expect(again.flags == .spuriousRetransmission)
        #expect(again.infoPrefix == "[TCP Spurious Retransmission] ")
    }

    @Test func anEmptySegmentWithANewWindowIsAWindowUpdate() {
        var s = Session()
        _ = s.handshake()
        s.send(.client, seq: 1, ack: 1, bytes: 100)
        s.send(.server, seq: 1, ack: 101)
        let update = s.send(.server, seq: 1, ack: 101, window: 1024)
        #expect(update.flags == .windowUpdate)
        #expect(update.infoPrefix == "[TCP Window Update] ")
    }

    @Test func zeroWindowThenProbeThenProbeAck() {
        var s = Session()
        _ = s.handshake()
        s.send(.client, seq: 1, ack: 1, bytes: 100)
        let closed = s.send(.server, seq: 1, ack: 101, window: 0)
        let probe = s.send(.client, seq: 101, ack: 1, bytes: 1)
        let probeAck = s.send(.server, seq: 1, ack: 101, window: 0)
        #expect(closed.flags == .zeroWindow)
        #expect(closed.infoPrefix == "[TCP ZeroWindow] ")
        #expect(probe.flags == .zeroWindowProbe)
        #expect(probe.infoPrefix == "[TCP ZeroWindowProbe] ")
        #expect(probeAck.flags == [.zeroWindow, .zeroWindowProbeAck])
        #expect(probeAck.infoPrefix == "[TCP ZeroWindowProbeAck] [TCP ZeroWindow] ")
        // The probe's byte did not count as sent: resending it with more data is new data.
        let reopened = s.send(.server, seq: 1, ack: 101, window: 512)
        #expect(reopened.flags == .windowUpdate)
        #expect(s.send(.client, seq: 101, ack: 1, bytes: 100).flags == [])
    }

    @Test(arguments: [0, 1])
    func aSegmentOneByteBackIsAKeepAliveAndItsEchoAKeepAliveAck(bytes: Int) {
        var s = Session()
        _ = s.handshake()
        s.send(.client, seq: 1, ack: 1, bytes: 100)
        s.send(.server, seq: 1, ack: 101)
        let probe = s.send(.client, seq: 100, ack: 1, bytes: bytes, after: 7_200_000 * ms)
        let echo = s.send(.server, seq: 1, ack: 101)
        #expect(probe.flags == .keepAlive)
        #expect(probe.infoPrefix == "[TCP Keep-Alive] ")
        #expect(echo.flags == .keepAliveAck)
        #expect(echo.infoPrefix == "[TCP Keep-Alive ACK] ")
    }

    @Test func aSegmentFillingAGapSoonAfterIsOutOfOrder() {
        var s = Session()  // no handshake: the threshold is Wireshark's default 3 ms
        s.send(.client, seq: 1, ack: 1, bytes: 100)
        s.send(.client, seq: 201, ack: 1, bytes: 100, after: ms)
        let filler = s.send(.client, seq: 101, ack: 1, bytes: 100, after: 2 * ms)
        #expect(filler.flags == .outOfOrder)
        #expect(filler.infoPrefix == "[TCP Out-Of-Order] ")
    }

    @Test func theHandshakeRTTReplacesTheOutOfOrderThreshold() {
        var s = Session()
        _ = s.handshake()  // RTT 2 ms
        s.send(.client, seq: 1, ack: 1, bytes: 100)
        s.send(.client, seq: 201, ack: 1, bytes: 100, after: ms)
        #expect(s.send(.client, seq: 101, ack: 1, bytes: 100, after: 2_500_000).flags == .retransmission)
        s.send(.client, seq: 401, ack: 1, bytes: 100, after: ms)
        #expect(s.send(.client, seq: 301, ack: 1, bytes: 100, after: 1_500_000).flags == .outOfOrder)
    }

    @Test func dataReachingTheEdgeOfTheAdvertisedWindowFillsIt() {
        var s = Session()
        _ = s.handshake(windowShift: 0)
        s.send(.client, seq: 1, ack: 1, bytes: 100)
        s.send(.server, seq: 1, ack: 101, window: 300)
        #expect(s.send(.client, seq: 101, ack: 1, bytes: 200).flags == [])
        let full = s.send(.client, seq: 301, ack: 1, bytes: 100)
        #expect(full.flags == .windowFull)
        #expect(full.infoPrefix == "[TCP Window Full] ")
    }

    @Test func theWindowOfASYNACKIsFilledUnscaled() {
        var s = Session()
        _ = s.handshake(windowShift: 7)  // the SYN/ACK's 512 is not scaled, later windows are
        #expect(s.send(.client, seq: 1, ack: 1, bytes: 512).flags == .windowFull)
        s.send(.server, seq: 1, ack: 513, window: 4)
        #expect(s.send(.client, seq: 513, ack: 1, bytes: 512).flags == .windowFull)
    }

    @Test func withoutAKnownWindowScaleNothingIsWindowFull() {
        var s = Session()
        s.send(.server, seq: 1, ack: 1, window: 300)
        #expect(s.send(.client, seq: 1, ack: 1, bytes: 300).flags == [])
    }

    @Test func aNewSYNWithAnotherISNMeansThePortsWereReused() {
        var s = Session()
        _ = s.handshake()
        s.send(.client, seq: 1, ack: 1, .fin)
        s.send(.server, seq: 1, ack: 2, .fin)
        s.send(.client, seq: 2, ack: 2)
        s.isn[.client] = 90_000
        let syn = s.send(.client, seq: 0, .syn)
        #expect(syn.flags == .portsReused)
        #expect(syn.infoPrefix == "[TCP Port numbers reused] ")
        // The state started over: the new connection's first data is not past any gap.
        s.isn[.server] = 70_000
        s.send(.server, seq: 0, ack: 1, .syn)
        #expect(s.send(.client, seq: 1, ack: 1, bytes: 10).flags == [])
    }

    @Test(arguments: [(9_999, TCPAnalysisFlags.duplicateAck), (10_000, .lostSegment)])
    func pastTenThousandUnackedSegmentsAFINNoLongerCounts(segments: Int, afterFIN: TCPAnalysisFlags) {
        // Wireshark stops listing unacked segments at 10,000 and only then skips the FIN's extra
        // sequence number, so the ACK after it looks like it follows a gap instead of repeating
        // the last ACK (tshark agrees).
        var s = Session()
        _ = s.handshake()
        for i in 0..<UInt32(segments) { s.send(.client, seq: 1 + i, ack: 1, bytes: 1) }
        let fin = UInt32(segments) + 1
        s.send(.client, seq: fin, ack: 1, .fin)
        #expect(s.send(.client, seq: fin + 1, ack: 1).flags == afterFIN)
    }

    @Test func severalFlagsPrintInTsharksOrder() {
        let flags: TCPAnalysisFlags = [.zeroWindow, .lostSegment, .windowFull, .retransmission, .portsReused]
        #expect(TCPAnalysis(flags: flags).infoPrefix
            == "[TCP ZeroWindow] [TCP Window Full] [TCP Previous segment not captured] [TCP Retransmission] [TCP Port numbers reused] ")
        #expect(TCPAnalysis(flags: [.duplicateAck, .ackedUnseen], duplicateAckNumber: 2, duplicateAckOf: 7).infoPrefix
            == "[TCP Dup ACK 7#2] [TCP ACKed unseen segment] ")
        #expect(TCPAnalysis(flags: [.keepAlive, .keepAliveAck, .outOfOrder, .spuriousRetransmission, .fastRetransmission]).infoPrefix
            == "[TCP Keep-Alive ACK] [TCP Keep-Alive] [TCP Out-Of-Order] [TCP Spurious Retransmission] [TCP Fast Retransmission] ")
        #expect(TCPAnalysis().infoPrefix == "")
    }

    @Test func zeroWindowPastAGapCarriesBothFlags() {
        var s = Session()
        _ = s.handshake()
        s.send(.server, seq: 1, ack: 1, bytes: 10)
        let both = s.send(.server, seq: 21, ack: 1, bytes: 10, window: 0)
        #expect(both.infoPrefix == "[TCP ZeroWindow] [TCP Previous segment not captured] ")
    }

    @Test func framesBuiltAndDecodedAnalyzeLikeTheirSegments() throws {
        var builder = FrameBuilder()
        var frames = builder.exchange(client: [Array("Hello".utf8)], server: [])
        frames.insert(frames[3], at: 4)  // the data segment twice
        var analyzer = TCPSequenceAnalyzer()
        var prefixes: [String] = []
        for packet in FrameBuilder.decode(frames) {
            let tcp = try #require(packet.tcp)
            let from: Direction = tcp.sourcePort == builder.client.port ? .client : .server
            prefixes.append(analyzer.analyze(tcp, from: from, frameNumber: packet.number, timestamp: packet.timestamp,
                                             windowShift: packet.number >= 2 ? 7 : nil).infoPrefix)
        }
        // The copy comes within the handshake RTT but ends where the original did: not out of order.
        #expect(prefixes == ["", "", "", "", "[TCP Retransmission] ", "", "", ""])
    }

    @Test func arbitraryInputNeverTraps() {
        var random = SplitMix64(seed: 0x5eed)
        var analyzer = TCPSequenceAnalyzer()
        let interesting: [UInt32] = [0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff]
        for frame in 1...20_000 {
            func number() -> UInt32 {
                random.next() % 4 == 0 ? interesting[Int(random.next() % 5)] : UInt32(truncatingIfNeeded: random.next() % 64)
            }
            let size = Int(random.next() % 3)
            let segment = TCPSegment(
                sourcePort: 1, destinationPort: 2, sequence: number(), acknowledgment: number(), headerLength: 20,
                flags: TCPFlags(rawValue: UInt16(truncatingIfNeeded: random.next()) & 0x1ff),
                window: UInt16(truncatingIfNeeded: random.next() % 3), urgentPointer: 0, optionBytes: [],
                payload: .init(repeating: 0, count: size), payloadLength: size)
            let shifts: [Int?] = [nil, -2, -1, 0, 7, 14, 99, Int.min, Int.max]
            let result = analyzer.analyze(segment, from: random.next() % 2 == 0 ? .client : .server, frameNumber: frame,
                                          timestamp: Int64(bitPattern: random.next()),
                                          windowShift: shifts[Int(random.next() % 9)])
            _ = result.infoPrefix
        }
    }
}

/// A small deterministic generator, so a failing run can be replayed.
private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
