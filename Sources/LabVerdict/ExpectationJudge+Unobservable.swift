import LabModel
import LabPackets

/// A capture that stops early (someone pressed Stop before the server's FIN) cannot show what
/// came after. An expectation that fails only because of that is unobservable, not failed: what
/// the capture holds must be a beginning of what was expected.
extension ExpectationJudge {
    /// `outcome` as the capture's end leaves it: unchanged unless it failed on a foreign capture
    /// that ends before the expectation could be seen. (One about a single connection was
    /// refined on it already: `judgeSeen`.)
    func refine(_ outcome: Outcome, _ e: Expectation) -> Outcome {
        guard foreign else { return outcome }
        switch e.kind {
        case .connections, .requests, .statuses, .responseSegments:
            guard outcome.failed else { return outcome }
            return unobservable(outcome, traceMissing(e))
        default:
            return outcome
        }
    }

    /// The same for an expectation about one connection.
    func refine(_ outcome: Outcome, _ kind: Expectation.Kind, on c: Connection) -> Outcome {
        guard foreign else { return outcome }
        if outcome.passed { return unobservable(outcome, needsTheEnd(kind, on: c)) }
        guard outcome.failed else { return outcome }
        return unobservable(outcome, missing(kind, on: c))
    }

    /// Expectations that hold so far but speak of the whole connection: that no RST comes, or
    /// what the last segment is. Before the teardown the capture cannot vouch for them.
    func needsTheEnd(_ kind: Expectation.Kind, on c: Connection) -> String? {
        let end = Teardown(c)
        switch kind {
        case .rst(nil): return end.closed ? nil : end.phrase(nil)
        case let .segment(ref, _, _, _, _): return ref.ordinal == .last && !end.done(ref.side) ? end.phrase(ref.side) : nil
        case let .gap(from, to, _):
            for ref in [from, to] where ref.ordinal == .last && !end.done(ref.side) { return end.phrase(ref.side) }
            return nil
        default: return nil
        }
    }

    private func unobservable(_ outcome: Outcome, _ before: String?) -> Outcome {
        guard let before else { return outcome }
        var refined = outcome
        refined.status = .unobservable
        refined.detail = "the capture ends at packet \(captureEnd), before \(before); until then, \(outcome.detail)"
        return refined
    }

    /// What a connection's capture lacks that `kind` needs, when the capture is a beginning of
    /// what it expects; nil when what was captured already contradicts it.
    func missing(_ kind: Expectation.Kind, on c: Connection) -> String? {
        let end = Teardown(c)
        switch kind {
        case .handshake, .connections, .requests, .statuses, .responseSegments:
            return nil
        case let .data(side, sizes, count, total, mss):
            guard !end.done(side) else { return nil }
            let seen = c.segments(from: side).filter { $0.length > 0 }.map(\.length)
            if let sizes, !(seen.count < sizes.count && Array(sizes.prefix(seen.count)) == seen) { return nil }
            if let count, seen.count >= count { return nil }
            if let total, ByteCoverage(c.segments(from: side)).distinct >= total { return nil }
            if let mss, let full = segmentSize(mss, from: side, on: c),
               seen.dropLast().contains(where: { $0 != full }) || (seen.last ?? 0) > full { return nil }
            return end.phrase(side)
        case let .payload(side, equals):
            guard !end.done(side) else { return nil }
            let actual = stream(c, side)
            let expected: RepeatedBytes
            switch equals {
            case let .text(text): expected = RepeatedBytes(Array(text.utf8), times: 1)
            case let .transformOf(other, transform, times):
                guard !end.done(other) || !end.done(side) else { return nil }
                expected = RepeatedBytes(transform.apply(stream(c, other)), times: times)
            }
            return actual.count < expected.count && expected.prefix(actual.count).elementsEqual(actual) ? end.phrase(side) : nil
        case let .segment(ref, _, _, _, _):
            return unseen(ref, c, end)
        case let .gap(from, to, _):
            return unseen(from, c, end) ?? unseen(to, c, end)
        case let .finOrder(expected):
            guard !end.reset else { return nil }
            var seen: [Direction] = []
            for s in c.segments where s.flags.contains(.fin) && !seen.contains(s.from) { seen.append(s.from) }
            guard seen.count < expected.count, Array(expected.prefix(seen.count)) == seen else { return nil }
            return end.phrase(expected[seen.count])
        case let .rst(side):
            guard !end.closed else { return nil }
            if let side { return c.segments.contains { $0.flags.contains(.rst) } ? nil : "the \(side)'s RST or FIN" }
            return end.phrase(nil)
        case .request:
            return http(c).requests.isEmpty && !end.done(.client) ? end.phrase(.client) : nil
        case .response:
            guard !end.done(.server) else { return nil }
            let responses = http(c)
            guard let first = responses.responses.first else { return "the server's response" }
            return responses.unfinishedResponse == first.range ? "the end of the server's response" : nil
        }
    }

    /// Why a segment named by `ref` may simply not have been captured yet.
    private func unseen(_ ref: SegmentReference, _ c: Connection, _ end: Teardown) -> String? {
        guard !end.done(ref.side) else { return nil }
        switch ref.ordinal {
        case .last: return end.phrase(ref.side)
        case .nth: return resolve(ref, in: c) == nil ? (ref.kind == .fin ? "the \(ref.side)'s FIN" : "\(ref)") : nil
        }
    }

    /// For expectations about the whole trace: more connections, requests or responses could
    /// have followed if some connection is still open when the capture ends.
    func traceMissing(_ e: Expectation) -> String? {
        guard let open = firstOpen else { return nil }
        let prefix = connectionCount > 1 ? "connection \(open)'s " : "the connection's "
        switch e.kind {
        case let .connections(n):
            return connectionCount < n ? prefix + "teardown" : nil
        case let .requests(lines):
            let seen = heads(.client).map(\.line)
            return seen.count < lines.count && Array(lines.prefix(seen.count)) == seen ? prefix + "teardown" : nil
        case let .statuses(codes):
            let seen = heads(.server).map { Int($0.line.split(separator: " ").dropFirst().first ?? "") ?? 0 }
            return seen.count < codes.count && Array(codes.prefix(seen.count)) == seen ? prefix + "teardown" : nil
        case .responseSegments:
            if let closed {
                for f in closed { if let found = f.responses[e.path] { return found.missing } }
            } else {
                for c in connections { if let found = responseMissing(e, on: c) { return found } }
            }
            return prefix + "teardown"
        default:
            return nil
        }
    }

    /// What the capture of `c` lacks to show the response segments `e` names: nil when the
    /// request is not on `c`, else what `traceMissing` says (nil for nothing).
    func responseMissing(_ e: Expectation, on c: Connection) -> String?? {
        guard case let .responseSegments(request, count, _) = e.kind else { return nil }
        let http = http(c)
        guard let ordinal = http.requests.firstIndex(where: { $0.head.startLine == request }) else { return nil }
        if Teardown(c).done(.server) { return .some(nil) }
        if ordinal >= http.responses.count { return "the response to \"\(request)\"" }
        let range = http.responses[ordinal].range
        let sizes = c.segments(from: .server).filter { s in
            let start = Int(s.relativeSequence) - 1
            return s.length > 0 && start < range.upperBound && start + s.length > range.lowerBound
        }
        return .some(http.unfinishedResponse == range && sizes.count < count ? "the end of the response to \"\(request)\"" : nil)
    }
}

/// How far a connection's closing got within the capture.
struct Teardown: Sendable {
    var fins: Set<Direction> = []
    var reset = false

    init(_ c: Connection) {
        for s in c.segments { add(s) }
    }

    init() {}

    /// Takes the connection's next segment.
    mutating func add(_ s: AnalyzedSegment) {
        if s.flags.contains(.fin) { fins.insert(s.from) }
        if s.flags.contains(.rst) { reset = true }
    }

    /// Both FINs, or an RST: nothing more will come.
    var closed: Bool { reset || fins.count == 2 }

    /// The side has said its last: its FIN, or the connection's RST.
    func done(_ side: Direction) -> Bool { reset || fins.contains(side) }

    /// "the server's FIN", or the connection's teardown when no side is named.
    func phrase(_ side: Direction?) -> String {
        guard let side else { return fins.isEmpty ? "either side's FIN" : "the \(fins.contains(.client) ? "server" : "client")'s FIN" }
        return "the \(side)'s FIN"
    }
}
