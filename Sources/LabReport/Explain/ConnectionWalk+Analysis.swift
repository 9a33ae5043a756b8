import LabPackets

extension ConnectionWalk {
    /// "Wireshark marks it [TCP Out-Of-Order]: …": every flag the analysis sets gets its reason,
    /// since a student who sees the bracket in Wireshark's Info column asks what it means here.
    func analysisText(_ s: AnalyzedSegment, index: Int) -> String {
        let marks = s.analysis.infoPrefix.trimmingSuffix(" ")
        let reasons = analysisReasons(s, index: index)
        guard !reasons.isEmpty else { return " Wireshark marks it \(marks)." }
        return " Wireshark marks it \(marks): " + reasons.joined(separator: "; ") + "."
    }

    /// In the order Wireshark prints the brackets.
    func analysisReasons(_ s: AnalyzedSegment, index: Int) -> [String] {
        let flags = s.analysis.flags
        var reasons: [String] = []
        if flags.contains(.portsReused) { reasons.append(portsReusedReason(s)) }
        if flags.contains(.spuriousRetransmission) {
            reasons.append(resent(s, index: index, cause: ", though the \(s.from.other) had already acknowledged them "
                + "(Ack=\(ackedUpTo[s.from.other] ?? 1)): a spurious retransmission, the first copy arrived and only its ACK was late or lost"))
        } else if flags.contains(.fastRetransmission) {
            reasons.append(resent(s, index: index, cause: " as soon as the \(s.from.other)'s duplicate ACKs asked for Seq=\(s.relativeSequence) "
                + "again, without waiting for the retransmission timer (fast retransmit, RFC 5681 §3.2)"))
        } else if flags.contains(.retransmission) {
            reasons.append(resent(s, index: index, cause: nil))
        }
        if flags.contains(.outOfOrder) { reasons.append(outOfOrderReason(s)) }
        if flags.contains(.lostSegment) { reasons.append(lostSegmentReason(s)) }
        if flags.contains(.ackedUnseen) { reasons.append(ackedUnseenReason(s)) }
        if flags.contains(.windowUpdate) {
            reasons.append("it carries no data and acknowledges nothing new, only a larger window (\(s.window) bytes): "
                + "a window update, telling the \(s.from.other) it may send more because the \(s.from)'s application has read from its buffer")
        }
        if flags.contains(.windowFull) {
            reasons.append("with it the \(s.from) has sent everything the \(s.from.other)'s last advertised window allows, "
                + "so it must wait for an ACK that opens the window before it sends more")
        }
        if flags.contains(.keepAlive) {
            reasons.append("it repeats the byte before the \(s.from)'s next sequence number (Seq=\(s.relativeSequence)), "
                + "which the \(s.from.other) has already acknowledged: a keep-alive, asking for an ACK to learn the \(s.from.other) is still there "
                + "(or, while the window is 0, to learn whether it has opened)")
        }
        if flags.contains(.keepAliveAck) { reasons.append("it answers the \(s.from.other)'s keep-alive: the \(s.from) is still there") }
        if flags.contains(.duplicateAck) { reasons.append(duplicateAckReason(s)) }
        if flags.contains(.zeroWindowProbe) {
            reasons.append("the \(s.from.other)'s window is 0, so the \(s.from) sends one byte past it to ask whether it has opened (a zero-window probe)")
        }
        if flags.contains(.zeroWindow) {
            reasons.append("it advertises a window of 0: the \(s.from)'s receive buffer is full because its application has not read, "
                + "so the \(s.from.other) must stop sending until a window update")
        }
        if flags.contains(.zeroWindowProbeAck) {
            reasons.append("it answers a zero-window probe with the window still \(s.window), so the probe's byte is not taken")
        }
        return reasons
    }

    /// "it resends 1448 bytes (Seq=7241), first sent in packet 303 2 ms earlier, …": with the
    /// cause given, or for a plain retransmission the cause its timing and the SACKs show.
    func resent(_ s: AnalyzedSegment, index: Int, cause: String?) -> String {
        let what = s.length > 0 ? "\(bytes(s.length)) (Seq=\(s.relativeSequence))" : "its \(s.flags.contains(.fin) ? "FIN" : "SYN")"
        guard let first = firstSending(of: s, before: index) else {
            return "it resends \(what)\(cause ?? ", bytes the \(s.from.other) had not acknowledged")"
                + "; the capture did not show the first copy"
        }
        let after = elapsed(from: first.timestamp, to: s.timestamp)
        let them = s.length > 0 ? "them" : "it"
        let origin = "it resends \(what), first sent in packet \(first.number) \(spoken(after)) earlier"
        if let cause { return origin + "," + cause }
        if let sack = sackAfter(first, before: index) {
            return origin + ", because the \(s.from.other)'s SACK in packet \(sack.number) reported later bytes arrived while these did not: "
                + "the sender's loss recovery resends \(them) without waiting for the retransmission timer"
        }
        if after >= 200_000_000 {
            return origin + ", because no ACK for \(them) came in time: the retransmission timer (RTO, at least 200 ms on Linux) expired"
        }
        return origin + ": too soon for the retransmission timer (at least 200 ms on Linux), so the sender's loss recovery resent \(them) "
            + "on the evidence of the \(s.from.other)'s ACKs, or the capture saw the same segment twice"
    }

    /// An ACK from the other side, after `first` and before `index`, carrying SACK blocks.
    func sackAfter(_ first: AnalyzedSegment, before index: Int) -> AnalyzedSegment? {
        var i = min(index, connection.segments.count) - 1
        let stop = max(0, i - 10_000)
        while i >= stop, connection.segments[i].number != first.number {
            let o = connection.segments[i]
            if o.from == first.from.other, o.segment.options.contains(where: { if case .sack = $0 { true } else { false } }) { return o }
            i -= 1
        }
        return nil
    }

    /// The most recent earlier segment of the same side whose sequence numbers overlap `s`'s,
    /// looked for among a bounded number of earlier segments so that a capture of nothing but
    /// retransmissions stays linear.
    func firstSending(of s: AnalyzedSegment, before index: Int) -> AnalyzedSegment? {
        let start = s.relativeSequence, span = UInt32(max(1, s.length))
        var i = min(index, connection.segments.count) - 1
        let stop = max(0, i - 10_000)
        while i >= stop {
            let o = connection.segments[i]
            let oSpan = UInt32(max(o.length, o.flags.contains(.syn) || o.flags.contains(.fin) ? 1 : 0))
            if o.from == s.from, oSpan > 0, o.relativeSequence &- start < span || start &- o.relativeSequence < oSpan { return o }
            i -= 1
        }
        return nil
    }

    func outOfOrderReason(_ s: AnalyzedSegment) -> String {
        if s.flags.contains(.syn) {
            return "a new SYN on the ports of the connection before it, its sequence number below that connection's: "
                + "Wireshark counts it in the old stream, out of order, until the SYN,ACK starts a new one"
        }
        let ahead = (sentUpTo[s.from] ?? 1) &- s.relativeSequence
        return "its bytes start at Seq=\(s.relativeSequence), \(bytes(ahead)) behind the \(s.from)'s highest sequence number so far, "
            + "and it came less than a round trip after the segment that skipped them: sent before them but overtaken on the way "
            + "(out of order), not resent, since a retransmission needs at least a round trip to be triggered"
    }

    func lostSegmentReason(_ s: AnalyzedSegment) -> String {
        let expected = sentUpTo[s.from] ?? 1
        let missing = s.relativeSequence &- expected
        return "it starts at Seq=\(s.relativeSequence), but the \(s.from)'s bytes seen so far end at \(expected &- 1): "
            + "the capture never saw the \(bytes(missing)) in between, lost on the way before the capture point or dropped by the capture"
    }

    /// Why Wireshark calls what this ACK covers unseen. Ack=N covers bytes up to N-1, so it says
    /// which of those the capture missed: bytes past all it saw, a gap before a later segment, or
    /// none (a zero-window probe's byte, which Wireshark does not count as sent, or its own tracking).
    func ackedUnseenReason(_ s: AnalyzedSegment) -> String {
        let other = s.from.other, ack = s.relativeAcknowledgment ?? 0
        let seen = sentUpTo[other] ?? 1
        let acked = "Ack=\(ack) acknowledges the \(other)'s bytes up to \(ack &- 1)"
        if seqAfter(ack, seen) {
            return "\(acked), past the last one the capture saw (\(seen &- 1)): the \(other) sent segments the capture missed"
        }
        let earlier = connection.segments.prefix { $0.number != s.number }.filter { $0.from == other }
        if let probe = earlier.last(where: { $0.analysis.flags.contains(.zeroWindowProbe) && $0.relativeSequence &+ 1 == ack }) {
            return "\(acked), the last of them the byte of the zero-window probe in packet \(probe.number), which the \(s.from) took: "
                + "Wireshark does not count a probe's byte as sent, so to it that byte was never seen"
        }
        if let gap = firstGap(in: earlier), seqAfter(ack, gap.from) {
            return "\(acked), among them \(gap.from) to \(gap.to &- 1), which the capture never saw "
                + "(the \(other)'s packet \(gap.before) starts past them): the \(other) sent segments the capture missed"
        }
        return "Ack=\(ack) acknowledges no byte the capture missed (it saw the \(other)'s bytes up to \(seen &- 1)): "
            + "the mark comes from Wireshark's own tracking of this stream, not from a lost segment"
    }

    /// The first sequence numbers a side's segments skip, in capture order: from where its
    /// gap-free bytes end to the start of the segment (packet `before`) that lies past them.
    func firstGap(in segments: [AnalyzedSegment]) -> (from: UInt32, to: UInt32, before: Int)? {
        var end: UInt32 = 1
        for o in segments where !o.flags.contains(.syn) && !o.flags.contains(.rst) {
            if seqAfter(o.relativeSequence, end) { return (end, o.relativeSequence, o.number) }
            let next = o.relativeSequence &+ UInt32(o.length) &+ (o.flags.contains(.fin) ? 1 : 0)
            if seqAfter(next, end) { end = next }
        }
        return nil
    }

    func duplicateAckReason(_ s: AnalyzedSegment) -> String {
        let ack = s.relativeAcknowledgment ?? 0
        let nth = s.analysis.duplicateAckNumber
        let ordinal = nth == 1 ? "first" : nth == 2 ? "second" : nth == 3 ? "third" : "\(nth)th"
        let trigger = nth < 3 ? "; at the third the \(s.from.other) resends them at once (fast retransmit)"
            : nth == 3 ? "; this third one makes the \(s.from.other) resend them at once (fast retransmit)" : ""
        return "the \(ordinal) duplicate of packet \(s.analysis.duplicateAckOf)'s Ack=\(ack): a later segment from the \(s.from.other) arrived "
            + "but the bytes from \(ack) are still missing, so the \(s.from) asks for them again\(trigger)"
    }

    func portsReusedReason(_ s: AnalyzedSegment) -> String {
        "a new SYN on the ports of an earlier connection that had finished: the ports are reused, so Wireshark starts a new stream here"
    }
}
