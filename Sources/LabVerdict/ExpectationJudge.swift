import LabModel
import LabPackets

/// Evaluates expectations against analysed connections. One engine for every kind,
/// so adding an experiment means writing JSON, not Swift.
struct ExpectationJudge {
    let connections: [Connection]
    /// A capture tcplab did not make: expectations for its own runs do not apply, and one that
    /// stops early can leave an expectation unobservable.
    var foreign = false
    /// A run in which a program played a side: expectations about tcplab's own endpoints'
    /// data do not apply.
    var programs = false
    /// A run of the lab's literal code: expectations it does not meet deterministically are
    /// reported, with what this run showed, as not applicable.
    var labCode = false
    /// The number of the capture's last packet.
    var captureEnd = 0
    /// For a capture read once and let go connection by connection: what each connection left
    /// when it closed, in place of `connections` (then empty). Nil when the segments are at hand.
    var closed: [ConnectionFacts]?
    private let exchanges = HTTPExchanges()

    /// How many connections the expectations are about.
    var connectionCount: Int { closed?.count ?? connections.count }

    /// The connection's HTTP messages.
    func http(_ c: Connection) -> HTTPExchange { exchanges.of(c, judge: self) }

    func judge(_ e: Expectation) -> Outcome {
        let what = describe(e.kind)
        if foreign, let reason = e.runsOnly {
            return Outcome(expectation: e.connection == 1 ? what : "connection \(e.connection): \(what)", path: e.path,
                           status: .notApplicable, detail: "holds for tcplab's own runs only: \(reason)", packets: [])
        }
        if programs, let reason = e.runsOnly {
            return Outcome(expectation: e.connection == 1 ? what : "connection \(e.connection): \(what)", path: e.path,
                           status: .notApplicable, detail: "holds for tcplab's own endpoints only: \(reason)", packets: [])
        }
        let seen = refine(judgeSeen(e), e)
        if labCode, let reason = e.labCodeDiffers {
            let here = seen.passed ? "held in this run" : "this run: \(seen.detail)"
            var outcome = Outcome(expectation: seen.expectation, path: e.path, status: .notApplicable,
                                  detail: "the lab's own code does not give this deterministically: \(reason) (\(here))", packets: seen.packets)
            outcome.heldAnyway = seen.passed
            outcome.labCodeReason = reason
            return outcome
        }
        return seen
    }

    /// How an outcome of `e` is worded: its expectation, and the connection when not the first.
    func outcome(of e: Expectation) -> (Bool, String, [Int]) -> Outcome {
        let what = describe(e.kind)
        return { passed, detail, packets in
            Outcome(expectation: e.connection == 1 ? what : "connection \(e.connection): \(what)", path: e.path,
                    passed: passed, detail: detail, packets: packets)
        }
    }

    /// The expectation judged on what the capture holds, held or failed; one about a single
    /// connection also as the capture's end leaves it (`refine`).
    func judgeSeen(_ e: Expectation) -> Outcome {
        let what = describe(e.kind)
        let outcome = outcome(of: e)
        switch e.kind {
        case let .connections(n):
            return outcome(connectionCount == n, "saw \(connectionCount) connection(s)", [])
        case let .requests(lines):
            let seen = heads(.client)
            return outcome(seen.map(\.line) == lines, "saw " + (seen.isEmpty ? "none" : seen.map { "\"\($0.line)\" (packet \($0.packet))" }.joined(separator: ", ")),
                           seen.map(\.packet))
        case let .statuses(codes):
            let seen = heads(.server).map { ($0.packet, Int($0.line.split(separator: " ").dropFirst().first ?? "") ?? 0) }
            return outcome(seen.map(\.1) == codes, "saw " + (seen.isEmpty ? "none" : seen.map { "\($0.1) (packet \($0.0))" }.joined(separator: ", ")),
                           seen.map(\.0))
        case .responseSegments:
            return responseSegments(e)
        default:
            break
        }
        if e.connection == Expectation.eachWithData {
            // Each connection with data, by its index, and its own outcome.
            let results: [(Int, Outcome)] = closed.map { facts in
                facts.filter(\.track.carriesData).compactMap { f in f.outcomes[e.path].map { (f.index, $0) } }
            } ?? connections.filter { $0.segments.contains { $0.length > 0 } }.map { c in (c.index, eachOutcome(e.kind, on: c)) }
            let failed = results.filter { $0.1.failed }
            let unseen = results.filter { $0.1.status == .unobservable }
            let shown = failed.isEmpty ? unseen : failed
            let detail = shown.isEmpty ? "held on all \(results.count) connection(s) with data"
                : shown.map { "connection \($0.0): \($0.1.detail)" }.joined(separator: "; ")
            let status: Outcome.Status = !failed.isEmpty || results.isEmpty ? .failed : unseen.isEmpty ? .held : .unobservable
            return Outcome(expectation: "every connection with data: \(what)", path: e.path, status: status,
                           detail: detail, packets: shown.flatMap(\.1.packets))
        }
        guard e.connection <= connectionCount else {
            return outcome(false, "there is no connection \(e.connection); saw \(connectionCount)", [])
        }
        if let closed, let known = closed[e.connection - 1].outcomes[e.path] { return known }
        return connectionOutcome(e, on: connections[e.connection - 1])
    }

    /// An expectation about connection `c` alone, as the capture's end leaves it.
    func connectionOutcome(_ e: Expectation, on c: Connection) -> Outcome {
        refine(judge(e.kind, on: c, outcome: outcome(of: e)), e.kind, on: c)
    }

    /// `kind` on one of the connections an expectation about each connection with data covers:
    /// the detail its sentence quotes.
    func eachOutcome(_ kind: Expectation.Kind, on c: Connection) -> Outcome {
        refine(judge(kind, on: c, outcome: { Outcome(expectation: "", path: "", passed: $0, detail: $1, packets: $2) }), kind, on: c)
    }

    /// The expectations about one connection.
    private func judge(_ kind: Expectation.Kind, on c: Connection, outcome: (Bool, String, [Int]) -> Outcome) -> Outcome {
        switch kind {
        case .connections, .requests, .statuses, .responseSegments:
            return outcome(false, "applies to the whole trace, not to one connection", [])
        case .handshake: return judgeHandshake(c, outcome: outcome)
        case let .data(side, sizes, count, total, mss):
            return judgeData(c, side: side, sizes: sizes, count: count, total: total, mss: mss, outcome: outcome)
        case let .payload(side, equals): return judgePayload(c, side: side, equals: equals, outcome: outcome)
        case let .segment(ref, flags, seq, ack, len):
            guard let s = resolve(ref, in: c) else { return outcome(false, "there is no \(ref)", []) }
            var ok = true
            if let flags, flags != s.flags { ok = false }
            if let seq, seq != s.relativeSequence { ok = false }
            if let ack, ack != s.relativeAcknowledgment { ok = false }
            if let len, len != s.length { ok = false }
            let ackText = s.relativeAcknowledgment.map { " Ack=\($0)" } ?? ""
            return outcome(ok, "packet \(s.number): [\(s.flags.names.joined(separator: ","))] Seq=\(s.relativeSequence)\(ackText) Len=\(s.length)", [s.number])
        case let .request(line):
            let stream = stream(c, .client)
            let first = http(c).requests.first?.head.startLine
                ?? stream.firstIndex(of: 0x0d).map { String(decoding: stream[..<$0], as: UTF8.self) } ?? "(no request line)"
            let packet = c.segments(from: .client).first { $0.length > 0 }.map { [$0.number] } ?? []
            return outcome(first == line, "saw \"\(first)\"\(packet.isEmpty ? "" : " in packet \(packet[0])")", packet)
        case let .response(status, body, _):
            return judgeResponse(c, status: status, body: body, outcome: outcome)
        case let .finOrder(expected):
            var order: [AnalyzedSegment] = []
            for s in c.segments where s.flags.contains(.fin) && !order.contains(where: { $0.from == s.from }) { order.append(s) }
            let seen = order.map(\.from)
            let text = seen.isEmpty ? "no FIN" : order.map { "\($0.from) (packet \($0.number))" }.joined(separator: ", then ")
            return outcome(seen == expected, "saw \(text)", order.map(\.number))
        case let .rst(side):
            let resets = c.segments.filter { $0.flags.contains(.rst) }
            let ok = side.map { s in resets.contains { $0.from == s } && resets.allSatisfy { $0.from == s } } ?? resets.isEmpty
            let text = resets.isEmpty ? "no RST" : resets.map { "RST from the \($0.from) (packet \($0.number))" }.joined(separator: ", ")
            return outcome(ok, "saw \(text)", resets.map(\.number))
        case let .gap(fromRef, toRef, window):
            guard let a = resolve(fromRef, in: c) else { return outcome(false, "there is no \(fromRef)", []) }
            guard let b = resolve(toRef, in: c) else { return outcome(false, "there is no \(toRef)", []) }
            let gap = Duration.nanoseconds(elapsed(from: a.timestamp, to: b.timestamp))
            let (low, high) = window.bounds
            return outcome(gap >= low && gap <= high,
                           "packets \(a.number) → \(b.number): \(formatDuration(gap))", [a.number, b.number])
        }
    }

    /// SYN, SYN-ACK, ACK, each with the numbers a handshake has.
    private func judgeHandshake(_ c: Connection, outcome: (Bool, String, [Int]) -> Outcome) -> Outcome {
        let first = Array(c.segments.prefix(3))
        let shape = first.map { "\($0.from) \($0.flags.names.joined(separator: ","))" }
        let ok = first.count == 3
            && first[0].from == .client && first[0].flags.contains(.syn) && !first[0].flags.contains(.ack)
            && first[1].from == .server && first[1].flags.contains([.syn, .ack]) && first[1].relativeAcknowledgment == 1
            && first[2].from == .client && first[2].flags.contains(.ack) && !first[2].flags.contains(.syn)
            && first[2].relativeAcknowledgment == 1 && first[2].relativeSequence == 1
        return outcome(ok, ok ? "SYN, SYN-ACK, ACK" : "the connection opens with \(shape.joined(separator: "; "))",
                       first.map(\.number))
    }

    /// A side's data segments: their sizes, count, total, or each full-sized but the last.
    private func judgeData(_ c: Connection, side: Direction, sizes: [Int]?, count: Int?, total: Int?, mss: SegmentSize?,
                           outcome: (Bool, String, [Int]) -> Outcome) -> Outcome {
        let data = c.segments(from: side).filter { $0.length > 0 }
        let seen = data.map(\.length)
        var ok = true
        if let mss {
            guard let full = segmentSize(mss, from: side, on: c) else {
                return outcome(false, "the receiver's MSS is not in the capture (its SYN was not captured)", data.map(\.number))
            }
            if seen.dropLast().contains(where: { $0 != full }) || (seen.last ?? 0) > full { ok = false }
        }
        if let sizes, sizes != seen { ok = false }
        if let count, count != seen.count { ok = false }
        let coverage = ByteCoverage(data)
        if let total, total != coverage.distinct { ok = false }
        let list = seen.isEmpty ? "none" : "\(seen.count) (\(abbreviated(seen.map(String.init))))"
        let packets = data.map(\.number)
        let where_ = packets.isEmpty ? "" : " — \(packetList(packets))"
        return outcome(ok, "saw \(list), \(Self.bytesOnce(coverage))\(where_)", packets)
    }

    /// A side's bytes: a text, or another side's bytes transformed (upper case, repeated).
    private func judgePayload(_ c: Connection, side: Direction, equals: Expectation.Payload, outcome: (Bool, String, [Int]) -> Outcome) -> Outcome {
        let actual = stream(c, side)
        let expected: RepeatedBytes
        switch equals {
        case let .text(text): expected = RepeatedBytes(Array(text.utf8), times: 1)
        case let .transformOf(other, transform, times):
            expected = RepeatedBytes(transform.apply(stream(c, other)), times: times)
        }
        if actual.elementsEqual(expected) { return outcome(true, "\(actual.count) bytes match", []) }
        let at = zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(actual.count, expected.count)
        return outcome(false, "differs at byte \(at + 1): expected \(snippet(expected, at)), saw \(snippet(actual, at)) (\(expected.count) vs \(actual.count) bytes)", [])
    }

    /// Finds the connection and the response that answer the request `e` names, and counts the
    /// server's data segments overlapping that response's bytes.
    func responseSegments(_ e: Expectation) -> Outcome {
        guard case let .responseSegments(request, _, _) = e.kind else { return outcome(of: e)(false, "", []) }
        if let closed {
            for f in closed { if let found = f.responses[e.path] { return found.outcome } }
        } else {
            for c in connections { if let found = responseSegments(e, on: c) { return found } }
        }
        return outcome(of: e)(false, "no connection carries \"\(request)\"", [])
    }

    /// The same on one connection; nil when the request is not on it.
    func responseSegments(_ e: Expectation, on c: Connection) -> Outcome? {
        guard case let .responseSegments(request, count, mss) = e.kind else { return nil }
        let outcome = outcome(of: e)
        let http = http(c)
        guard let ordinal = http.requests.firstIndex(where: { $0.head.startLine == request }) else { return nil }
        guard ordinal < http.responses.count else { return outcome(false, "no response to \"\(request)\" on connection \(c.index)", []) }
        let range = http.responses[ordinal].range
        let segments = c.segments(from: .server).filter { s in
            let start = Int(s.relativeSequence) - 1
            return s.length > 0 && start < range.upperBound && start + s.length > range.lowerBound
        }
        let sizes = segments.map(\.length)
        let full = mss.flatMap { segmentSize($0, from: .server, on: c) }
        let ok = sizes.count == count && (mss == nil || full.map { m in !sizes.dropLast().contains { $0 != m } && (sizes.last ?? 0) <= m } ?? false)
        return outcome(ok, "connection \(c.index): \(sizes.count) segment(s) (\(sizes.map(String.init).joined(separator: ", "))) — \(packetList(segments.map(\.number)))",
                       segments.map(\.number))
    }

    /// Every HTTP message one side sent, over all connections in time order: its first packet
    /// and its start line.
    func heads(_ side: Direction) -> [(packet: Int, line: String)] {
        let found = closed.map { $0.flatMap { $0.heads(side) } } ?? connections.flatMap { heads(side, on: $0) }
        return found.sorted { ($0.time, $0.packet) < ($1.time, $1.packet) }.map { (packet: $0.packet, line: $0.line) }
    }

    /// The messages `side` sent on `c`, in order.
    func heads(_ side: Direction, on c: Connection) -> [MessageHead] {
        var found: [MessageHead] = []
        let http = http(c)
        let segments = c.segments(from: side).filter { $0.length > 0 }
        for message in side == .client ? http.requests : http.responses {
            guard let s = segments.first(where: { Int($0.relativeSequence) - 1 + $0.length > message.range.lowerBound }) else { continue }
            found.append(MessageHead(time: s.timestamp, packet: s.number, line: message.head.startLine))
        }
        return found
    }

    func judgeResponse(_ c: Connection, status: Int, body: [UInt8]?, outcome: (Bool, String, [Int]) -> Outcome) -> Outcome {
        let packets = c.segments(from: .server).filter { $0.length > 0 }.map(\.number)
        guard let response = http(c).responses.first else {
            return outcome(false, "no complete response head from the server", packets)
        }
        let seenStatus = response.head.status ?? 0
        let seenBody = response.body ?? []
        var ok = seenStatus == status
        let length: String
        switch response.head.contentLength {
        case let .value(n):
            length = "Content-Length \(n)"
            if let body { ok = ok && n == body.count }
        case .absent:
            length = response.framing == .untilClose ? "no Content-Length (the body ends where the server closes)" : "Content-Length missing"
        case let .invalid(reason):
            length = reason
            ok = ok && body == nil
        }
        var detail = "status \(seenStatus), \(length), \(response.bodyLength) body bytes"
        if let body {
            ok = ok && seenBody == body
            if seenBody != body { detail += " (the body differs from the file's \(body.count) bytes)" }
        }
        return outcome(ok, detail + (packets.isEmpty ? "" : " — \(packetList(packets))"), packets)
    }

    /// Every byte each side sent appears in the capture: no segment is missing before a later one.
    /// `cutShort`: the file ends inside a packet, so what followed its last whole one is unknown.
    func completeness(cutShort: Bool = false) -> Outcome {
        var holes: [String] = []
        var packets: [Int] = []
        for (index, track) in tracks {
            for hole in track.holes {
                let missing = hole.sequence &- hole.expected
                let prefix = connectionCount > 1 ? "connection \(index): " : ""
                holes.append("\(prefix)\(hole.from) bytes \(hole.expected)–\(hole.sequence &- 1) (\(missing) bytes) were not captured; packet \(hole.packet) continues at Seq=\(hole.sequence)")
                packets.append(hole.packet)
            }
        }
        let expectation = "every segment of the conversation was captured"
        if !holes.isEmpty {
            return Outcome(expectation: expectation, path: "capture", status: .failed, detail: holes.joined(separator: "; "), packets: packets)
        }
        if cutShort {
            return Outcome(expectation: expectation, path: "capture", status: .unobservable,
                           detail: "no gaps up to packet \(captureEnd), but the file is cut short after it: what followed is not in the file",
                           packets: [])
        }
        // No gap up to the end is all a capture that stops before the teardown can show.
        if let open = firstOpen {
            let which = connectionCount > 1 ? "connection \(open)'s teardown" : "the connection's teardown"
            return Outcome(expectation: expectation, path: "capture", status: .unobservable,
                           detail: "no gaps, but the capture ends at packet \(captureEnd), before \(which): what followed is not in the file",
                           packets: [])
        }
        return Outcome(expectation: expectation, path: "capture", status: .held, detail: "no gaps", packets: packets)
    }

    /// Each connection's index and track, in order.
    var tracks: [(index: Int, track: ConnectionTrack)] {
        closed.map { $0.map { ($0.index, $0.track) } } ?? connections.map { ($0.index, ConnectionTrack($0)) }
    }

    /// The first connection the capture ends before the teardown of, if any.
    var firstOpen: Int? {
        if let closed { return closed.first { !$0.track.teardown.closed }?.index }
        return connections.first { !Teardown($0).closed }?.index
    }

    /// One side's bytes in sequence order, each byte once even if retransmitted.
    func stream(_ c: Connection, _ side: Direction) -> [UInt8] {
        var bytes: [UInt8] = []
        for s in c.segments(from: side).filter({ $0.length > 0 }).sorted(by: { $0.relativeSequence < $1.relativeSequence }) {
            let start = Int(s.relativeSequence) - 1
            guard start <= bytes.count else { continue }  // a hole: stop where the stream is known
            let skip = bytes.count - start
            if skip < s.length { bytes += s.segment.payload.dropFirst(skip) }
        }
        return bytes
    }

    func resolve(_ ref: SegmentReference, in c: Connection) -> AnalyzedSegment? {
        let candidates = c.segments(from: ref.side).filter { s in
            switch ref.kind {
            case .syn: s.flags.contains(.syn)
            case .data: s.length > 0
            case .fin: s.flags.contains(.fin)
            case .rst: s.flags.contains(.rst)
            case .segment: true
            }
        }
        switch ref.ordinal {
        case .last: return candidates.last
        case let .nth(n): return n <= candidates.count ? candidates[n - 1] : nil
        }
    }

    func snippet<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, _ at: Int) -> String where Bytes.Index == Int {
        let start = max(0, at - 4), end = min(bytes.count, at + 12)
        guard start < end else { return "end of data" }
        let text = String(decoding: bytes[start..<end], as: UTF8.self).map { $0.isASCII && !$0.isNewline ? String($0) : "." }.joined()
        return "\"\(text)\""
    }

    func describe(_ kind: Expectation.Kind) -> String {
        switch kind {
        case .handshake: return "3-way handshake: client SYN, server SYN-ACK, client ACK"
        case let .connections(n): return "\(n) connection(s)"
        case let .data(side, sizes, count, total, mss):
            var parts: [String] = []
            if let mss { parts.append("all but the last \(Self.describe(mss))") }
            if let sizes {
                let same = Set(sizes).count == 1
                parts.append(same ? "\(sizes.count) segment(s) of \(sizes[0]) bytes" : "segments of \(sizes.map(String.init).joined(separator: ", ")) bytes")
            } else if let count { parts.append("\(count) segment(s)") }
            if let total { parts.append("\(total) bytes in all") }
            return "\(side)→\(side.other) data: \(parts.joined(separator: ", "))"
        case let .payload(side, equals):
            switch equals {
            case let .text(text): return "\(side)'s bytes are \"\(text)\""
            case let .transformOf(other, t, n):
                let base = t == .upper ? "the upper case of the \(other)'s" : "the \(other)'s bytes"
                return "\(side)'s bytes are \(base)\(n == 1 ? "" : " ×\(n)")"
            }
        case let .segment(ref, flags, seq, ack, len):
            var parts: [String] = []
            if let flags { parts.append("[\(flags.names.joined(separator: ","))]") }
            if let seq { parts.append("Seq=\(seq)") }
            if let ack { parts.append("Ack=\(ack)") }
            if let len { parts.append("Len=\(len)") }
            return "\(ref) is \(parts.joined(separator: " "))"
        case let .finOrder(sides):
            return sides.isEmpty ? "no FIN from either side" : "FIN order: \(sides.map(\.rawValue).joined(separator: ", then "))" + (sides.count == 1 ? " only" : "")
        case let .rst(side): return side.map { "RST sent by the \($0)" } ?? "no RST"
        case let .request(line): return "request \"\(line)\""
        case let .responseSegments(request, count, mss):
            return "the response to \"\(request)\" leaves in \(count) segment(s)" + (mss.map { ", all but the last \(Self.describe($0))" } ?? "")
        case let .requests(lines): return "requests in order: " + lines.map { "\"\($0)\"" }.joined(separator: ", ")
        case let .statuses(codes): return "response statuses in order: " + codes.map(String.init).joined(separator: ", ")
        case let .response(status, body, name):
            return "response \(status)" + (body.map { " carrying \(name ?? "the file") (\($0.count) bytes)" } ?? "")
        case let .gap(a, b, window): return "\(a) → \(b): \(window)"
        }
    }
}

extension ExpectationJudge {
    static func describe(_ size: SegmentSize) -> String {
        switch size {
        case let .bytes(n): "\(n) bytes (one MSS)"
        case .announced: "full-sized (the receiver's MSS less TCP options)"
        }
    }

    /// A full segment's payload from `side` on `c`: the bytes given, or the MSS the receiver's
    /// SYN announced less the options of `side`'s first data segment. Nil without that SYN.
    func segmentSize(_ size: SegmentSize, from side: Direction, on c: Connection) -> Int? {
        switch size {
        case let .bytes(n): return n
        case .announced:
            guard let mss = c.segments.first(where: { $0.from == side.other && $0.flags.contains(.syn) })?.segment.mss else { return nil }
            let options = c.segments.first { $0.from == side && $0.length > 0 }.map { $0.segment.headerLength - 20 } ?? 0
            return Int(mss) - options
        }
    }
}

/// Bytes repeated end to end, read in place: an expected payload of 1000 times the client's
/// 13 KB need not be 13 MB in memory to be compared.
struct RepeatedBytes: RandomAccessCollection {
    let base: [UInt8]
    let times: Int

    init(_ base: [UInt8], times: Int) {
        self.base = base
        self.times = base.isEmpty ? 0 : Swift.max(0, times)
    }

    var startIndex: Int { 0 }
    var endIndex: Int { base.count * times }
    subscript(i: Int) -> UInt8 { base[i % base.count] }
}

/// "packet 6", or "packets 6, 8, 10" (a long list cut to its head and tail).
extension ExpectationJudge {
    /// "13000 bytes", or "13000 bytes counting each once (packets 35, 51 resent 2896 of them)".
    static func bytesOnce(_ coverage: ByteCoverage) -> String {
        guard !coverage.repeats.isEmpty else { return "\(coverage.distinct) bytes" }
        return "\(coverage.distinct) bytes counting each once (\(packetList(coverage.repeats.map(\.packet))) resent "
            + "\(coverage.repeatedBytes) of them)"
    }
}

func packetList(_ numbers: [Int]) -> String {
    numbers.count == 1 ? "packet \(numbers[0])" : "packets \(abbreviated(numbers.map(String.init)))"
}
