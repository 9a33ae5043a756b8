/// Wireshark's per-connection sequence analysis (packet-tcp.c's tcp_analyze_sequence_number), both directions.
///
/// A port of Wireshark 4.0 (checked against v4.0.17): the checks run in the same order, on the same
/// state, with the same quirks, so the flags match what tshark prints for the same segments. It works
/// on raw sequence numbers, as packet-tcp.c does; the relative-number preference only changes display.
///
/// Feed it every segment of one 4-tuple in capture order. Like Wireshark, it treats a new SYN whose
/// sequence number differs from the sender's first one as a new connection on reused ports: the state
/// starts over and the SYN is flagged `portsReused`. (A caller that splits connections itself and
/// gives each a fresh analyzer simply never sees that flag.)
///
/// Left out because they never change a flag: bytes in flight, RTO and ACK-RTT figures, SACK, PUSH
/// byte counts, and MPTCP's tolerance of duplicate ACKs (plain TCP only).
public struct TCPSequenceAnalyzer: Sendable {
    /// One direction's state: the parts of packet-tcp.c's `tcp_flow_t` and
    /// `tcp_analyze_seq_flow_info_t` that decide flags. Zero often means "none yet", as in C.
    struct Flow: Sendable {
        /// `base_seq` once `TCP_S_BASE_SEQ_SET`; only the reused-ports test reads it.
        var baseSequence: UInt32?
        /// The highest sequence number seen plus one. Zero reads as "nothing seen", a quirk kept
        /// from the C code: a flow whose next sequence number really is 0 looks new again.
        var nextSequence: UInt32 = 0
        var nextSequenceTime: Int64 = 0
        /// The highest sequence number reached without a gap (`maxseqtobeacked`); 0 = unset.
        var maxSequenceToBeAcked: UInt32 = 0
        /// The last ACK field this side sent, whether or not the ACK flag was set (as in C).
        var lastAck: UInt32 = 0
        var lastAckTime: Int64 = 0
        /// The last raw window field; `UInt32.max` (C's G_MAXUINT32) until one is seen.
        var window = UInt32.max
        /// The window-scale shift; nil is Wireshark's -1 "unknown", 0 also covers its -2 "not used".
        var windowShift: Int?
        /// True from this side's SYN until its first non-SYN ACK: that window is still unscaled.
        var isFirstAck = false
        /// Flags of this side's previous segment, for the keep-alive and zero-window-probe ACKs.
        var lastSegmentFlags: TCPAnalysisFlags = []
        /// Duplicate ACKs in a row (`dupacknum`, a guint32); `ackedUnseenMark` right after an
        /// ACKed-unseen report.
        var duplicateAcks: UInt32 = 0
        /// The frame of the last ACK that moved the ACK number (`lastnondupack`).
        var lastNewAckFrame = 0
        /// Where each segment not yet acknowledged ends. Only the count matters for flags:
        /// C stops listing at 10,000, and past that a SYN or FIN no longer advances nextseq.
        var unackedEnds: [UInt32] = []
    }

    /// packet-tcp.c's TCP_MAX_UNACKED_SEGMENTS.
    static let maxUnackedSegments = 10_000
    /// The -1 C stores in the unsigned `dupacknum`. Being 2^32-1, it also passes the fast
    /// retransmission test "at least 2 duplicate ACKs", and tshark flags accordingly.
    static let ackedUnseenMark = UInt32.max

    private var client = Flow()
    private var server = Flow()
    /// When the last SYN (without ACK) was seen (`ts_mru_syn`); 0 = none.
    private var synTime: Int64 = 0
    /// From that SYN to the first ACK after it (`ts_first_rtt`); 0 = not measured.
    private var firstRTT: Int64 = 0

    public init() {}

    /// Borrowing and in-place accessors: a plain get/set would copy the flow, and retain its
    /// segment list, on every read of one field.
    @inline(__always)
    private subscript(side side: Direction) -> Flow {
        _read { if side == .client { yield client } else { yield server } }
        _modify { if side == .client { yield &client } else { yield &server } }
    }

    /// `from` is the sender's side; `windowShift` is the sender's window-scale shift once the handshake
    /// settled it (nil while unknown, e.g. no SYN seen). Mapping of Wireshark's codes: nil (or -1) is
    /// its -1 "unknown", which turns off the Window Full check; 0 (or -2) is both "shift 0" and its -2
    /// "no scaling", which the check treats alike; shifts above 14 count as 14, as RFC 7323 says.
    /// Once known, a shift is kept when later calls pass nil. The receiver's shift is the one last
    /// passed for that side, so pass it on the SYN/ACK too. `frameNumber` is 1-based; `timestamp`
    /// is nanoseconds. The segment length is `payloadLength`, which the IP header gives even when the capture kept fewer bytes.
    ///
    /// Wireshark instead learns the shifts from the SYN options itself, including from half a
    /// handshake (a SYN whose SYN/ACK was not captured, or the reverse) and from SYN/ACKs in the
    /// middle of a connection. Where the caller does not know a shift that Wireshark would have
    /// guessed, only Window Full can differ.
    public mutating func analyze(_ segment: TCPSegment, from: Direction, frameNumber: Int, timestamp: Int64,
                                 windowShift: Int?) -> TCPAnalysis {
        analyze(segment.header, from: from, frameNumber: frameNumber, timestamp: timestamp, windowShift: windowShift)
    }

    /// The same, from the header alone: the analysis never reads a segment's bytes.
    public mutating func analyze(_ segment: TCPHeader, from: Direction, frameNumber: Int, timestamp: Int64,
                                 windowShift: Int?) -> TCPAnalysis {
        let observed = Observed(segment, frame: frameNumber, time: timestamp)
        let reused = observed.flags.contains(.syn) ? checkNewSYN(observed, from: from) : []
        var pass = Pass(segment: observed, firstRTT: firstRTT, result: TCPAnalysis(flags: reused))
        // The flows are worked on in place: a copy would move a hundred bytes, and retain the
        // list of unacked segments, for every packet.
        let shift = Self.normalized(windowShift)
        if from == .client { pass.step(&client, &server, windowShift: shift) } else { pass.step(&server, &client, windowShift: shift) }
        noteHandshakeTimes(observed)
        return pass.result
    }

    /// Maps the caller's shift onto the flow's: see `analyze`.
    static func normalized(_ shift: Int?) -> Int? {
        guard let shift else { return nil }
        if shift == -2 { return 0 }
        return shift < 0 ? nil : min(shift, 14)
    }

    /// dissect_tcp's SYN checks, made before the analysis. A SYN with a new ISN on a known flow
    /// starts a new conversation (fresh state); the same ISN is a retransmitted SYN, for which C
    /// rewinds nextseq (issue 17616: a RST may have moved it). A SYN/ACK with a new ISN only
    /// adopts it. Both reuse cases return `portsReused`.
    private mutating func checkNewSYN(_ s: Observed, from: Direction) -> TCPAnalysisFlags {
        guard let base = self[side: from].baseSequence else { return [] }
        if !s.flags.contains(.ack) {
            if s.seq != base {
                self = TCPSequenceAnalyzer()
                return .portsReused
            }
            self[side: from].nextSequence = self[side: from].maxSequenceToBeAcked
            return []
        }
        guard s.seq != base else { return [] }
        self[side: from].baseSequence = s.seq
        return .portsReused
    }

    /// What dissect_tcp records after the analysis: the SYN time, and the handshake RTT, which
    /// becomes the out-of-order threshold.
    private mutating func noteHandshakeTimes(_ s: Observed) {
        if s.flags.contains(.syn), !s.flags.contains(.ack) { synTime = s.time }
        if s.flags.intersection([.syn, .ack]) == .ack, synTime != 0, firstRTT == 0 { firstRTT = s.time &- synTime }
    }
}

extension TCPSequenceAnalyzer {
    /// The segment fields the analysis reads, as C's guint32s.
    struct Observed {
        var seq: UInt32
        var ack: UInt32
        var length: UInt32
        var flags: TCPFlags
        /// The raw, unscaled window field, as packet-tcp.c passes it.
        var window: UInt32
        var frame: Int
        var time: Int64

        init(_ segment: TCPHeader, frame: Int, time: Int64) {
            seq = segment.sequence
            ack = segment.acknowledgment
            length = UInt32(truncatingIfNeeded: segment.payloadLength)
            flags = segment.flags
            window = UInt32(segment.window)
            self.frame = frame
            self.time = time
        }

        /// SYN, FIN and RST segments are never keep-alives, window updates, duplicate ACKs...
        var isPlain: Bool { flags.isDisjoint(with: [.syn, .fin, .rst]) }
        /// SYN and FIN take one sequence number each.
        var takesSequence: Bool { !flags.isDisjoint(with: [.syn, .fin]) }
    }

    /// One run of tcp_analyze_sequence_number on `fwd`, the sender's flow, and `rev`, the
    /// receiver's; `result` plays the role of `tcpd->ta`.
    struct Pass {
        typealias Flow = TCPSequenceAnalyzer.Flow
        let segment: Observed
        let firstRTT: Int64
        var result: TCPAnalysis

        /// Everything one segment changes in the two flows, in dissect_tcp's order.
        mutating func step(_ fwd: inout Flow, _ rev: inout Flow, windowShift: Int?) {
            recordBaseSequences(&fwd, &rev)
            if let windowShift { fwd.windowShift = windowShift }
            run(&fwd, &rev)
            noteFirstAck(&fwd)
        }

        mutating func run(_ fwd: inout Flow, _ rev: inout Flow) {
            checkForward(&fwd, rev)
            resetDuplicateAcksIfAckMoved(&fwd)
            checkAckedUnseen(fwd, &rev)
            checkRetransmission(fwd, rev)
            updateFlows(&fwd, &rev)
        }
    }
}

/// Wireshark's wrapping comparisons (packet-tcp.h's GT_SEQ, LT_SEQ, LE_SEQ).
private func seqGreater(_ x: UInt32, _ y: UInt32) -> Bool { Int32(bitPattern: y &- x) < 0 }
private func seqLess(_ x: UInt32, _ y: UInt32) -> Bool { Int32(bitPattern: x &- y) < 0 }
private func seqLessOrEqual(_ x: UInt32, _ y: UInt32) -> Bool { Int32(bitPattern: x &- y) <= 0 }

/// Nanoseconds from `then` to `now` as C computes them into a guint64: an earlier `now` gives a
/// huge number, so a clock going backwards never counts as "soon after".
private func elapsed(_ now: Int64, since then: Int64) -> UInt64 { UInt64(bitPattern: now &- then) }

extension TCPSequenceAnalyzer.Pass {
    /// A side's first segment fixes its base: the ISN if it is a SYN, one below its sequence number
    /// otherwise; failing that, the other side's first ACK number minus one does.
    func recordBaseSequences(_ fwd: inout Flow, _ rev: inout Flow) {
        let s = segment
        if fwd.baseSequence == nil { fwd.baseSequence = s.flags.contains(.syn) ? s.seq : s.seq &- 1 }
        if rev.baseSequence == nil, s.flags.contains(.ack) { rev.baseSequence = s.ack &- 1 }
    }

    /// A side's window stays unscaled from its SYN until its first ACK without SYN.
    func noteFirstAck(_ fwd: inout Flow) {
        if segment.flags.contains(.syn) { fwd.isFirstAck = true }
        if segment.flags.intersection([.syn, .ack]) == .ack { fwd.isFirstAck = false }
    }

    // MARK: Checks up to C's `finished_fwd` label

    /// The checks on the segment itself, in C's order. A zero-window probe, a keep-alive ACK and a
    /// zero-window-probe ACK end them early (C's `goto finished_fwd`).
    mutating func checkForward(_ fwd: inout Flow, _ rev: Flow) {
        let s = segment
        if s.length == 1, s.seq == fwd.nextSequence, rev.window == 0 {
            result.flags.insert(.zeroWindowProbe)
            return
        }
        if s.window == 0, s.isPlain { result.flags.insert(.zeroWindow) }
        // Only once something was seen; a RST may carry any number.
        if fwd.nextSequence != 0, seqGreater(s.seq, fwd.nextSequence), !s.flags.contains(.rst) {
            result.flags.insert(.lostSegment)
        }
        if s.length <= 1, s.seq == fwd.nextSequence &- 1, s.isPlain { result.flags.insert(.keepAlive) }
        if s.length == 0, s.window != 0, s.window != fwd.window, repeatsPosition(fwd), s.isPlain {
            result.flags.insert(.windowUpdate)
        }
        if isWindowFull(rev) { result.flags.insert(.windowFull) }
        checkRepeatedAck(&fwd, rev)
    }

    /// Same sequence and ACK numbers as this side's last segment.
    func repeatsPosition(_ fwd: Flow) -> Bool { segment.seq == fwd.nextSequence && segment.ack == fwd.lastAck }

    /// Data reaching exactly the right edge of the receiver's last advertised window. Needs the
    /// receiver's scale; its window right after its SYN is used unscaled (issue 14690).
    func isWindowFull(_ rev: Flow) -> Bool {
        let s = segment
        guard s.length > 0, s.isPlain, let shift = rev.windowShift else { return false }
        let edge = rev.lastAck &+ (rev.window << (rev.isFirstAck ? 0 : shift))
        return s.seq &+ s.length == edge
    }

    /// An empty segment repeating the last ACK and window: an answer to a keep-alive or a
    /// zero-window probe if the other side just sent one, a duplicate ACK otherwise.
    mutating func checkRepeatedAck(_ fwd: inout Flow, _ rev: Flow) {
        let s = segment
        guard s.length == 0, s.window == fwd.window, repeatsPosition(fwd), s.isPlain else { return }
        if s.window != 0, rev.lastSegmentFlags.contains(.keepAlive) {
            result.flags.insert(.keepAliveAck)
        } else if s.window == 0, rev.lastSegmentFlags.contains(.zeroWindowProbe) {
            result.flags.insert(.zeroWindowProbeAck)
        } else if s.window != 0 {
            // The mark left by an ACKed-unseen report restarts at 1, like C's switch.
            let mark = TCPSequenceAnalyzer.ackedUnseenMark
            fwd.duplicateAcks = fwd.duplicateAcks == mark ? 1 : fwd.duplicateAcks &+ 1
            result.flags.insert(.duplicateAck)
            result.duplicateAckNumber = Int(fwd.duplicateAcks)
            result.duplicateAckOf = fwd.lastNewAckFrame
        }
    }

    // MARK: After `finished_fwd`

    /// A new ACK number ends a run of duplicates; this frame becomes the one they would repeat.
    mutating func resetDuplicateAcksIfAckMoved(_ fwd: inout Flow) {
        guard segment.ack != fwd.lastAck else { return }
        fwd.lastNewAckFrame = segment.frame
        fwd.duplicateAcks = 0
    }

    /// An ACK beyond the gap-free data seen from the other side acknowledges data never captured.
    /// The receiver's bound then jumps to its nextseq so one loss is reported once; when it cannot
    /// jump, C reports again only if that side's ACK number moved since (resetting its mark).
    mutating func checkAckedUnseen(_ fwd: Flow, _ rev: inout Flow) {
        let s = segment
        guard rev.maxSequenceToBeAcked != 0, seqGreater(s.ack, rev.maxSequenceToBeAcked),
              s.flags.contains(.ack) else { return }
        if seqLess(rev.maxSequenceToBeAcked, rev.nextSequence) {
            rev.maxSequenceToBeAcked = rev.nextSequence
            result.flags.insert(.ackedUnseen)
        } else {
            if rev.duplicateAcks == 0 { result.flags.insert(.ackedUnseen) }
            rev.duplicateAcks = TCPSequenceAnalyzer.ackedUnseenMark
        }
    }

    /// Data (or SYN/FIN) that does not advance the sequence: spurious, fast, out-of-order or plain
    /// retransmission, tested in that order (Wireshark's default lets Fast Retransmission win over
    /// Out-Of-Order). Keep-alives are none of these.
    mutating func checkRetransmission(_ fwd: Flow, _ rev: Flow) {
        let s = segment
        guard s.length > 0 || s.takesSequence, !result.flags.contains(.keepAlive) else { return }
        var notAdvanced = fwd.nextSequence != 0 && seqLess(s.seq, fwd.nextSequence)
        // Starting one byte back with new data follows a zero-window probe: not a retransmission.
        if s.length > 1, fwd.nextSequence &- 1 == s.seq { notAdvanced = false }

        if s.length > 0, rev.lastAck != 0, seqLessOrEqual(s.seq &+ s.length, rev.lastAck) {
            result.flags.insert(.spuriousRetransmission)
        } else if notAdvanced, isFastRetransmission(rev) {
            result.flags.insert(.fastRetransmission)
        } else if notAdvanced, isOutOfOrder(fwd) {
            result.flags.insert(.outOfOrder)
        } else if notAdvanced {
            result.flags.insert(.retransmission)
        }
    }

    /// Resends what two or more duplicate ACKs asked for, within 20 ms of the last of them. The
    /// receiver's ACKed-unseen mark counts as "two or more" too (see `ackedUnseenMark`).
    func isFastRetransmission(_ rev: Flow) -> Bool {
        rev.duplicateAcks >= 2 && rev.lastAck == segment.seq
            && elapsed(segment.time, since: rev.lastAckTime) < 20_000_000
    }

    /// Arrives soon after the highest segment and does not end where it did. "Soon" is the
    /// handshake RTT when one was measured, 3 ms otherwise (Wireshark 4.0).
    func isOutOfOrder(_ fwd: Flow) -> Bool {
        let s = segment
        let threshold: UInt64 = firstRTT == 0 ? 3_000_000 : UInt64(bitPattern: firstRTT)
        return elapsed(s.time, since: fwd.nextSequenceTime) < threshold
            && fwd.nextSequence != s.seq &+ s.length &+ (s.takesSequence ? 1 : 0)
    }

    // MARK: After `finished_checking_retransmission_type`

    /// Remembers where this side got to, its ACK and window, and this segment's flags, and forgets
    /// the other side's segments this ACK covers.
    mutating func updateFlows(_ fwd: inout Flow, _ rev: inout Flow) {
        let s = segment
        let isProbe = result.flags.contains(.zeroWindowProbe)
        var next = s.seq &+ s.length
        // C adds SYN/FIN's extra number only while it still lists unacked segments.
        if s.length > 0 || s.takesSequence, fwd.unackedEnds.count < TCPSequenceAnalyzer.maxUnackedSegments {
            if s.takesSequence { next &+= 1 }
            fwd.unackedEnds.append(next)
        }
        // A zero-window probe's byte does not count as sent.
        if seqGreater(next, fwd.nextSequence) || fwd.nextSequence == 0, !isProbe {
            fwd.nextSequence = next
            fwd.nextSequenceTime = s.time
        }
        if s.seq == fwd.maxSequenceToBeAcked || fwd.maxSequenceToBeAcked == 0, !isProbe {
            fwd.maxSequenceToBeAcked = fwd.nextSequence
        }
        fwd.window = s.window
        fwd.lastAck = s.ack
        fwd.lastAckTime = s.time
        fwd.lastSegmentFlags = result.flags
        // C walks the list with the raw ACK field, ACK flag or not; a segment stays while it ends
        // beyond the ACK (a partly acked one is trimmed, which changes nothing here).
        let acked = rev.unackedEnds.count { !seqGreater($0, s.ack) }
        if acked == rev.unackedEnds.count {
            rev.unackedEnds.removeAll(keepingCapacity: true)  // the usual case: an ACK of everything sent
        } else if acked > 0 {
            rev.unackedEnds.removeAll { !seqGreater($0, s.ack) }
        }
    }
}

extension TCPAnalysis {
    /// The bracketed prefix tshark 4.0 puts before the Info text, in the order tshark prints them, each
    /// followed by one space, e.g. "[TCP Dup ACK 5#1] ". Empty when there are no flags.
    ///
    /// tcp_print_sequence_number_analysis calls col_prepend_fence_fstr once per flag, so each text
    /// lands in front of the previous ones: the Info column shows them in reverse call order, which
    /// is the order of this list.
    public var infoPrefix: String {
        var prefix = ""
        for (flag, text) in Self.prefixTexts where flags.contains(flag) {
            if flag == .duplicateAck {
                // C prints it only with a nonzero count (ta->dupack_num).
                if duplicateAckNumber != 0 { prefix += "[TCP Dup ACK \(duplicateAckOf)#\(duplicateAckNumber)] " }
            } else {
                prefix += text
            }
        }
        return prefix
    }

    /// Reverse of the C call order: reused ports; retransmission, fast, spurious, out-of-order;
    /// lost, ACKed unseen; window update, window full; keep-alive, keep-alive ACK; dup ACK;
    /// zero-window probe, zero window, zero-window-probe ACK.
    static let prefixTexts: [(TCPAnalysisFlags, String)] = [
        (.zeroWindowProbeAck, "[TCP ZeroWindowProbeAck] "),
        (.zeroWindow, "[TCP ZeroWindow] "),
        (.zeroWindowProbe, "[TCP ZeroWindowProbe] "),
        (.duplicateAck, ""),
        (.keepAliveAck, "[TCP Keep-Alive ACK] "),
        (.keepAlive, "[TCP Keep-Alive] "),
        (.windowFull, "[TCP Window Full] "),
        (.windowUpdate, "[TCP Window Update] "),
        (.ackedUnseen, "[TCP ACKed unseen segment] "),
        (.lostSegment, "[TCP Previous segment not captured] "),
        (.outOfOrder, "[TCP Out-Of-Order] "),
        (.spuriousRetransmission, "[TCP Spurious Retransmission] "),
        (.fastRetransmission, "[TCP Fast Retransmission] "),
        (.retransmission, "[TCP Retransmission] "),
        (.portsReused, "[TCP Port numbers reused] "),
    ]
}
