import LabPackets

extension ConnectionWalk {
    func describeData(_ s: AnalyzedSegment, index: Int) -> String {
        let verb = s.from == .server && (dataSeen[.client] ?? 0) > 0 ? "replies" : "sends"
        var head = "\(s.from.title) \(verb) \(bytes(s.length))"
        if s.flags.contains(.fin) { head += " and closes in the same segment, its FIN piggybacked on the data" }
        head += " (\(numbers(s)))" + (dataAckReason(s).map { ": \($0)" } ?? "")
        var sentences = [head + "."]
        if let http = httpLine(s) { sentences.append(http) }
        if let end = bodyEndReason(s) { sentences.append(end) }
        sentences += sizeReasons(s, index: index)
        if let pause = pauseReason(s, index: index) { sentences.append(pause) }
        return sentences.joined(separator: " ")
    }

    /// Why the ACK number is what it is, when it acknowledges something new.
    func ackReason(_ s: AnalyzedSegment) -> String? {
        guard let ack = s.relativeAcknowledgment, seqAfter(ack, ackedUpTo[s.from] ?? 1) else { return nil }
        let other = s.from.other
        if finsSeen.contains(other), ack == sentUpTo[other] {
            return "Ack=\(ack) counts the \(other)'s FIN as one sequence number"
        }
        if let d = lastData[other], d.relativeSequence &+ UInt32(d.length) == ack {
            return d.relativeSequence == ackedUpTo[s.from] ?? 1
                ? "Ack=\(ack) because it received \(bytes(d.length)) starting at \(d.relativeSequence)"
                : "Ack=\(ack) because it received the \(other)'s bytes up to \(ack &- 1)"
        }
        return "Ack=\(ack), the next byte it expects from the \(other)"
    }

    /// A data segment's ACK number explained even when not new, as students are asked to.
    func dataAckReason(_ s: AnalyzedSegment) -> String? {
        if let reason = ackReason(s) { return reason }
        // Only a side's first data segment restates an old ACK; later ones would just repeat it.
        guard let ack = s.relativeAcknowledgment, (dataSeen[s.from] ?? 0) == 0 else { return nil }
        let other = s.from.other
        if ack == 1 && (dataSeen[other] ?? 0) == 0 {
            return "Ack=1 because the \(other) has sent nothing yet but its SYN"
        }
        if let d = lastData[other], d.relativeSequence &+ UInt32(d.length) == ack, (dataSeen[other] ?? 0) == d.length {
            return "Ack=\(ack) because it received \(bytes(d.length)) starting at \(d.relativeSequence)"
        }
        return "Ack=\(ack), still the next byte it expects from the \(other)"
    }

    /// Why the segment is this size: sends merged, a read size echoed, the MSS, offload, cork.
    func sizeReasons(_ s: AnalyzedSegment, index: Int) -> [String] {
        var reasons: [String] = []
        let side = s.from
        let start = s.relativeSequence, end = s.relativeSequence &+ UInt32(s.length)
        let sends = source.sends(side).filter { $0.lowerBound < end && start < $0.upperBound }
        if sends.count > 1 {
            reasons.append("\(side.title)'s \(count(sends.count, "send")) leave as one \(s.length)-byte segment"
                + (nagleCause(s, index: index, certain: true).map { ": \($0)." } ?? "."))
        } else if !source.knowsSends(side), let cause = nagleCause(s, index: index, certain: false) {
            reasons.append("\(Explanation.nagleLead): \(cause), and left together as one \(s.length)-byte segment.")
        } else if let echo = source.echo(side), s.length <= echo.recv * echo.repeat, s.length % echo.repeat == 0 {
            let chunk = s.length / echo.repeat
            let copies = echo.repeat == 1 ? "" : " \(echo.repeat) times over"
            reasons.append(certainty("the \(side) reads at most \(bytes(echo.recv)) per recv() and sends each chunk back at once",
                                     then: "; this one is \(bytes(chunk))\(copies), one send(), one segment."))
        } else if sends.count == 1 && sends[0] == start..<end {
            reasons.append("One send() of \(bytes(s.length)), one segment.")
        }
        if s.flags.contains(.fin) {
            if source.option(.cork, on: side) == 1 {
                reasons.append(certainty("TCP_CORK held the reply until close() added the FIN to the same segment", then: "."))
            } else {
                reasons.append("Likely the reply was still held (TCP_CORK, or Nagle) when close() was called, so the FIN rides on the data.")
            }
        }
        if isFullSized(s) {
            reasons.append("A full-sized segment: \(fullSizeReason(s)).")
        } else if let mss = mss(for: side), s.length + (s.segment.headerLength - 20) > mss {
            reasons.append(oversizeReason(s, mss: mss))
        } else if let previous = lastData[side], isFullSized(previous), previous.relativeSequence &+ UInt32(previous.length) == start {
            reasons.append(nextData(after: index, from: side).map { shortMidStreamReason(s, next: $0) }
                ?? "The \(bytes(s.length)) left over after the full-sized segments.")
        } else if s.length > 1460, let mss = mss(for: side) {
            let options = s.segment.headerLength - 20
            let offload = source.experiment.map { $0.link.offloads ? ", and segmentation offload is on" : "" } ?? ""
            reasons.append("It fits in one segment: the \(side) may send up to \(bytes(mss - options)) per segment "
                + "(the \(side.other)'s MSS of \(mss) minus \(bytes(options)) of TCP options)\(offload).")
        }
        return reasons
    }

    /// The side's next data segment, when it continues this one's bytes before the other side
    /// answers, the side closes, or the stream pauses: then a short segment is not the end.
    func nextData(after index: Int, from side: Direction) -> AnalyzedSegment? {
        let segments = connection.segments
        guard index < segments.count else { return nil }
        let end = segments[index].relativeSequence &+ UInt32(segments[index].length)
        var previous = segments[index].timestamp
        for s in segments[(index + 1)...].prefix(10_000) {
            if elapsed(from: previous, to: s.timestamp) >= 200_000_000 { return nil }
            previous = s.timestamp
            if s.from == side.other && s.length > 0 { return nil }
            if s.from == side && s.length > 0 { return s.relativeSequence == end ? s : nil }
            if s.from == side && s.flags.contains(.fin) { return nil }
        }
        return nil
    }

    /// A short segment with the stream's next bytes right behind it: the receive window ended
    /// it, or the sender had no more queued yet.
    func shortMidStreamReason(_ s: AnalyzedSegment, next: AnalyzedSegment) -> String {
        let end = s.relativeSequence &+ UInt32(s.length)
        let other = s.from.other
        let rest = "more follows from packet \(next.number), so it is not the end of the data"
        if let edge = windowEdge[other], edge == end {
            return "It stops at the edge of the \(other)'s receive window (the \(other)'s last Ack=\(ackedUpTo[other] ?? 1) plus its window "
                + "of \(bytes(edge &- (ackedUpTo[other] ?? 1))) ends at \(end)): \(rest)."
        }
        return "Shorter than the full size in the middle of the stream: the \(s.from) had only \(bytes(s.length)) queued when TCP sent it "
            + "(its application writes in pieces, and this one left before the next write arrived); \(rest)."
    }

    /// A segment larger than the MSS never crossed a wire that way: the sender's segmentation
    /// offload had not cut it yet where the capture saw it, or the receiver merged wire segments.
    func oversizeReason(_ s: AnalyzedSegment, mss: Int) -> String {
        let wire = mss - (s.segment.headerLength - 20)
        switch sameMachine ? s.from : captureSide {
        case s.from?:
            return "It is larger than the MSS of \(mss): the capture saw it before segmentation offload (TSO/GSO) cut it."
        case s.from.other?:
            return "It is larger than the MSS of \(mss): it was received coalesced, segments of at most \(bytes(wire)) merged "
                + "on their way into the capturing machine (GRO/LRO in its network driver, or a NAT that forwards the stream in larger pieces)."
        default:
            return "It is larger than the MSS of \(mss): either the sender's segmentation offload (TSO/GSO) had not cut it yet, "
                + "or the receiver merged wire segments of at most \(bytes(wire)) (GRO/LRO, or a NAT); the capture does not say "
                + "on which machine it was taken."
        }
    }

    /// tcplab's own runs, and any loopback capture: both ends, and the capture, on one machine.
    var sameMachine: Bool { source.observed || connection.client.address == connection.server.address }

    /// The side the capture was taken on: Linux cooked captures say, and otherwise the handshake's
    /// timing tells, since the capturing machine sees its own answer at once and the other
    /// side's after a round trip.
    var captureSide: Direction? {
        if let side = connection.capturedAt { return side }
        let s = connection.segments
        guard s.count >= 3, s[0].flags.contains(.syn), s[1].flags.contains([.syn, .ack]), s[2].from == s[0].from else { return nil }
        let there = elapsed(from: s[0].timestamp, to: s[1].timestamp), back = elapsed(from: s[1].timestamp, to: s[2].timestamp)
        if there > 4 * back, there > 100_000 { return s[0].from }
        if back > 4 * there, back > 100_000 { return s[1].from }
        return nil
    }

    /// Nagle: the side's earlier data was unacknowledged, this segment left as soon as the ACK came.
    func nagleCause(_ s: AnalyzedSegment, index: Int, certain: Bool) -> String? {
        guard let previous = lastData[s.from], previous.relativeSequence &+ UInt32(previous.length) == s.relativeSequence,
              !previous.flags.contains(.fin), let ack = ackArrival(of: s.relativeSequence, from: s.from.other, before: index),
              elapsed(from: ack.timestamp, to: s.timestamp) < 2_000_000
        else { return nil }
        if !certain && (s.length <= previous.length || isFullSized(s)) { return nil }
        let delay = elapsed(from: previous.timestamp, to: ack.timestamp)
        let delayed = delay >= 20_000_000 ? "delayed ACK" : "ACK"
        let held = certain ? "so Nagle held the rest" : "so later sends waited"
        return "the first \(bytes(previous.length)) were still unacked, \(held) until the \(delayed) came \(spoken(delay)) later"
    }

    /// The other side's first segment before `index`, and not before the side's last data, whose
    /// ACK reaches `sequence`. Walked back from `index` only as far as that data, so a long
    /// connection costs what its last round trip holds, not everything before it.
    func ackArrival(of sequence: UInt32, from side: Direction, before index: Int) -> AnalyzedSegment? {
        let since = lastData[side.other]?.timestamp ?? 0
        var found: AnalyzedSegment?
        var i = min(index, connection.segments.count) - 1
        while i >= 0 {
            let s = connection.segments[i]
            if s.timestamp < since, s.number < (lastData[side.other]?.number ?? 0) { break }
            if s.timestamp >= since, s.from == side, let ack = s.relativeAcknowledgment, !seqAfter(sequence, ack) { found = s }
            i -= 1
        }
        return found
    }

    /// A long silence before the segment, and the script's reason for it.
    func pauseReason(_ s: AnalyzedSegment, index: Int) -> String? {
        guard index > 0 else { return nil }
        let gap = elapsed(from: connection.segments[index - 1].timestamp, to: s.timestamp)
        guard gap >= 500_000_000 else { return nil }
        // The gap is a fact of the trace; only its cause can be "likely".
        let gapText = "It leaves \(spoken(gap)) after the previous packet"
        let likely = source.observed ? "" : "likely "
        if let sleep = source.sleepBeforeRead(s.from) {
            // Its FIN answers the other side's: the close waited for the read that saw end of stream.
            if s.flags.contains(.fin), s.length == 0, finsSeen.contains(s.from.other) {
                return gapText + ": \(likely)because the \(s.from) reads end of stream (the \(s.from.other)'s FIN) only after its next "
                    + "\(formatSpoken(sleep)) sleep, and closes then."
            }
            return gapText + ": \(likely)because the \(s.from) sleeps \(formatSpoken(sleep)) before each read."
        }
        if let idle = idleTimeout(s.from), s.flags.contains(.fin) {
            return gapText + ": \(likely)the \(s.from) closes a connection idle for \(formatSpoken(idle))."
        }
        let previous = connection.segments[index - 1]
        if s.length > 0, previous.from == s.from, previous.isPureAck,
           !connection.segments[..<index].contains(where: { $0.from == s.from && $0.length > 0 }) {
            // Its kernel had acknowledged at once: the wait was its program's, before accept() or recv().
            return gapText + ": the \(s.from)'s kernel acknowledged the \(s.from.other)'s data at once (packet \(previous.number)), "
                + "but its program read it only now: data that arrives before accept() or recv() waits in the socket's receive queue."
        }
        return gapText + ": the application was busy or idle."
    }

    func idleTimeout(_ side: Direction) -> Duration? {
        for step in source.steps(side) { if case let .serveHTTP(_, idle) = step.action { return idle } }
        return nil
    }

    /// A cause from the script: stated when the run saw it, "likely" when only the file says so.
    func certainty(_ cause: String, then tail: String) -> String {
        let sentence = source.observed ? cause : "likely " + cause
        return sentence.prefix(1).uppercased() + sentence.dropFirst() + tail
    }

    func formatSpoken(_ d: Duration) -> String {
        spoken(d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000)
    }
}
