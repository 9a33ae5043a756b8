import LabPackets

extension ConnectionWalk {
    func describeFin(_ s: AnalyzedSegment, index: Int) -> String {
        let order = finsSeen.isEmpty ? " first" : finsSeen.contains(s.from.other) ? " too" : ""
        var text = "\(s.from.title) closes\(order): \(numbers(s))" + (ackReason(s).map { "; \($0)" } ?? "") + "."
        if let end = bodyEndReason(s) { text += " " + end }
        if let pause = pauseReason(s, index: index) { text += " " + pause }
        if let half = halfCloseReason(s) { text += " " + half }
        return text
    }

    /// A FIN after which the other side's data still arrives and is acknowledged, not reset: the
    /// closing side only shut down its sending half and kept reading.
    func halfCloseReason(_ s: AnalyzedSegment) -> String? {
        let later = connection.segments.drop { $0.number != s.number }.dropFirst()
        guard !finsSeen.contains(s.from.other),
              let data = later.first(where: { $0.from == s.from.other && $0.length > 0 }),
              !later.contains(where: { $0.from == s.from && $0.flags.contains(.rst) }),
              later.contains(where: { $0.from == s.from && $0.number > data.number && $0.flags.contains(.ack) }) else { return nil }
        return "It is a half-close (shutdown(SHUT_WR)): the \(s.from) still reads, as the \(s.from.other)'s data from packet \(data.number) and its ACKs show."
    }

    func describeAck(_ s: AnalyzedSegment, index: Int) -> String {
        let other = s.from.other
        guard let ack = s.relativeAcknowledgment else { return "\(s.from.title) sends \(numbers(s))." }
        let previous = ackedUpTo[s.from] ?? 0
        if index == 2, connection.segments[1].flags.contains([.syn, .ack]) {
            return "\(s.from.title)'s ACK (Seq=\(s.relativeSequence) Ack=\(ack)) completes the three-way handshake; "
                + "from here both sides count their bytes from 1."
        }
        guard seqAfter(ack, previous) else {
            return "\(s.from.title) repeats Ack=\(ack) with nothing new to acknowledge (window \(s.window))."
        }
        if finsSeen.contains(other), ack == sentUpTo[other] {
            let closed = finsSeen.count == 2 ? " Both FINs are now acknowledged: the connection is closed." : ""
            let newData = ack &- previous > 1 ? "the \(other)'s last \(bytes(ack &- previous &- 1)) and " : ""
            // The FIN takes the number after the last data byte, and the ACK names the one after it.
            let data = ack &- 2 == 0 ? "the \(other) sent no data" : "the \(other)'s last data byte is \(ack &- 2)"
            return "\(s.from.title) acknowledges \(newData)the \(other)'s FIN: Ack=\(ack), one past the FIN's own number, \(ack &- 1) "
                + "(\(data); a FIN counts as one sequence number).\(closed)"
        }
        var text = "\(s.from.title) acknowledges \(bytes(ack &- previous)): Ack=\(ack)"
        if let data = lastData[other], data.relativeSequence &+ UInt32(data.length) == ack {
            let delay = elapsed(from: data.timestamp, to: s.timestamp)
            if delay >= 20_000_000 {
                text += ", \(spoken(delay)) after the data arrived: a delayed ACK"
                if source.option(.quickAck, on: s.from) == 0 {
                    text += source.observed ? " (the \(s.from) turned TCP_QUICKACK off)" : " (likely TCP_QUICKACK off)"
                }
            }
        }
        return text + "."
    }

    func describeReset(_ s: AnalyzedSegment) -> String {
        let side = s.from, other = s.from.other
        let received = dataSeen[other] ?? 0
        let numbers = "(\(numbers(s)))"
        let earlier = connection.segments.prefix { $0.number != s.number }
        // An RST from the side that never answered the SYN: its kernel had no listening socket there.
        if side == .server, earlier.contains(where: { $0.from == .client && $0.flags.contains(.syn) }),
           !earlier.contains(where: { $0.from == .server }) {
            return "Server answers the SYN with RST \(numbers): no program listens on port \(connection.server.port) "
                + "of \(connection.server.address): the connection was refused (connect fails with ECONNREFUSED)."
        }
        if let fin = earlier.first(where: { $0.from == side && $0.flags.contains(.fin) }) {
            let after = earlier.filter { $0.from == other && $0.number > fin.number && $0.length > 0 }
            if let first = after.first {
                let count = after.reduce(0) { $0 + $1.length }
                return "\(side.title) resets the connection \(numbers): it had already closed (its FIN, packet \(fin.number)), "
                    + "so the \(bytes(count)) the \(other) sent after that (from packet \(first.number)) reached a socket no one reads, "
                    + "and the kernel answers such data with RST."
            }
        }
        if source.observed, let unread = source.unreadAtClose(side) {
            return "\(side.title) closed with \(bytes(unread)) unread, so the kernel sent RST instead of FIN \(numbers): "
                + "closing a socket with unread data aborts the connection (RFC 2525 §2.17)."
        }
        if let experiment = source.experiment, let capacity = source.readCapacity(side), received > capacity {
            return "\(side.title) resets the connection \(numbers): likely it closed with about \(bytes(received - capacity)) unread "
                + "(\(bytes(received)) arrived and \(experiment.name)'s \(side) reads at most \(capacity)), "
                + "and closing with unread data sends RST instead of FIN."
        }
        let arrived = received > 0 ? " (\(bytes(received)) had arrived from the \(other))" : ""
        return "\(side.title) resets the connection instead of closing it with FIN \(numbers): likely it closed with data unread"
            + "\(arrived), or aborted it on purpose (SO_LINGER with a zero timeout makes close() send RST)."
    }

    /// Consecutive full-sized data segments from one side, with the other side's pure ACKs
    /// between them: one explanation covers the run.
    func fullSizedBurst(at start: Int) -> [AnalyzedSegment]? {
        let segments = connection.segments
        guard isFullSized(segments[start]), segments[start].analysis.flags.isEmpty,
              !segments[start].flags.contains(.fin) else { return nil }
        let side = segments[start].from
        var burst = [segments[start]]
        var nextSequence = segments[start].relativeSequence &+ UInt32(segments[start].length)
        var lastDataIndex = 0
        var i = start + 1
        while i < segments.count {
            let s = segments[i]
            if s.from == side, isFullSized(s), s.relativeSequence == nextSequence, s.analysis.flags.isEmpty, !s.flags.contains(.fin) {
                burst.append(s)
                lastDataIndex = burst.count - 1
                nextSequence = s.relativeSequence &+ UInt32(s.length)
            } else if s.from != side, s.isPureAck, s.analysis.flags.isEmpty {
                burst.append(s)
            } else {
                break
            }
            i += 1
        }
        let trimmed = Array(burst[...lastDataIndex])
        return trimmed.filter { $0.from == side }.count >= 3 ? trimmed : nil
    }

    func describeBurst(_ burst: [AnalyzedSegment]) -> String {
        let first = burst[0]
        let data = burst.filter { $0.from == first.from }
        let acks = burst.count - data.count
        let last = data[data.count - 1]
        var text = "\(first.from.title) sends \(data.count) full-sized segments of \(bytes(first.length)) "
            + "(Seq=\(first.relativeSequence) to \(last.relativeSequence &+ UInt32(last.length) &- 1)): \(fullSizeReason(first))."
        if let http = httpLine(first) { text += " The first" + http.dropFirst(2) }
        if acks > 0 { text += " The \(first.from.other)'s \(count(acks, "pure ACK")) in between acknowledge them as they arrive." }
        return text
    }
}
