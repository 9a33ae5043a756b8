/// One HTTP/1.x message as it crossed a connection: its head, where it lies in its side's byte
/// stream, and its body.
public struct HTTPMessage: Sendable {
    public var head: HTTPHead
    public var from: Direction
    /// Offsets in `from`'s byte stream, from the head's first byte to the body's last.
    public var range: Range<Int>
    public var framing: HTTPHead.Framing
    /// Body bytes as sent (chunk framing included), counted even when not kept.
    public var bodyLength: Int
    /// The body's data (de-chunked), when the conversation was asked to keep bodies.
    public var body: [UInt8]?
}

/// What one segment means for HTTP, as Wireshark 4.0's dissector shows it in the Info column.
public struct HTTPSegmentRole: Sendable {
    /// Messages whose last byte (or the closing FIN) is in this segment, in order.
    public var completed: [HTTPMessage] = []
    /// The start line of a message still incomplete after this segment, when this segment made
    /// the dissector read its head (it began here, its head grew here, or its body is chunked).
    public var incompleteLine: String?
    /// The segment carries bytes of a message still incomplete: "[TCP segment of a reassembled PDU]".
    public var reassembling = false
    /// A line in an HTTP conversation that starts no message: Wireshark's "Continuation".
    public var continuation = false
}

/// Follows both directions of one connection through HTTP/1.x, segment by segment, the way
/// Wireshark 4.0's dissector does: which segments start, continue and end messages, where each
/// body ends (Content-Length, chunked, or the server's FIN), and which connections count as
/// HTTP at all. `show` builds its Info column from it and the judge reads messages out of it,
/// so both agree on what is HTTP.
///
/// A connection is HTTP from the first message that starts on it: on a port Wireshark registers
/// for HTTP, any request or status line; on any other port, one that also passes Wireshark's
/// heuristic (the line begins or ends with `HTTP/1.`). Memory is bounded by one head per side,
/// plus the bodies when `keepBodies` asks for them.
public struct HTTPConversation: Sendable {
    /// The TCP ports Wireshark 4.0's HTTP dissector registers by default.
    public static let wellKnownPorts: Set<UInt16> = [80, 3128, 3132, 5985, 8080, 8088, 11371, 1900, 2869, 2710]

    public let keepBodies: Bool
    /// True once the connection is Wireshark's HTTP: on a registered port from the start, else
    /// from the first segment that passes the heuristic.
    public private(set) var isHTTP: Bool
    /// True once a message has started on the connection: a line that starts none is then a
    /// "Continuation".
    public private(set) var sawMessage = false
    /// Every completed message, when `keepBodies`; empty otherwise, so streaming stays small.
    public private(set) var messages: [HTTPMessage] = []
    private var client = Side()
    private var server = Side()
    /// Methods of requests not yet answered: the response to a HEAD has no body.
    private var unanswered: [String] = []

    public init(ports: (UInt16, UInt16), keepBodies: Bool = false) {
        isHTTP = Self.wellKnownPorts.contains(ports.0) || Self.wellKnownPorts.contains(ports.1)
        self.keepBodies = keepBodies
    }

    struct Side: Sendable {
        /// Bytes of a message whose head is not complete yet.
        var pending: [UInt8] = []
        var current: Current?
        /// Stream offset of the next byte.
        var offset = 0
        /// Set when this side's bytes stopped making sense as HTTP (a head too large, a bad chunk).
        var abandoned = false

        /// No message in progress and no bytes waiting to become one.
        var isBetweenMessages: Bool { !abandoned && current == nil && pending.isEmpty }
    }

    /// A message past its head, reading its body.
    struct Current: Sendable {
        var head: HTTPHead
        var framing: HTTPHead.Framing
        var start: Int
        var bodyLength = 0
        var remaining = 0
        var chunks = ChunkedBody()
        var body: [UInt8]?
        /// The head was read in the segment now being added.
        var headReadNow = true
    }

    /// Messages whose head was read but whose body had not ended when the bytes stopped.
    public var unfinished: [HTTPMessage] {
        [(client, Direction.client), (server, .server)].compactMap { side, direction in
            side.current.map { HTTPMessage(head: $0.head, from: direction, range: $0.start..<side.offset, framing: $0.framing,
                                           bodyLength: $0.bodyLength, body: $0.body) }
        }
    }

    /// Adds one segment: `payload` is what the capture kept of its `length` bytes.
    public mutating func add(_ payload: ArraySlice<UInt8>, length: Int, from direction: Direction, fin: Bool) -> HTTPSegmentRole {
        if let role = addBetweenMessages(payload, length: length, from: direction) { return role }
        var side = direction == .client ? client : server
        defer { if direction == .client { client = side } else { server = side } }
        var role = HTTPSegmentRole()
        guard !side.abandoned else { return role }
        side.current?.headReadNow = false
        var data = payload
        // Bytes the snaplen cut off can still be counted as body, never read as a head.
        var uncaptured = max(0, length - payload.count)
        while true {
            if side.current != nil {
                readBody(&side, &data, &uncaptured, into: &role, from: direction)
                if side.current != nil { break }  // the body goes on in a later segment
                continue
            }
            guard !data.isEmpty, uncaptured == 0 else {
                // A head the capture did not keep cannot be read, nor anything after it.
                if uncaptured > 0 { side.abandoned = true }
                break
            }
            guard readHead(&side, &data, into: &role, from: direction) else { break }
        }
        if fin, let current = side.current, current.framing == .untilClose {
            complete(&side, into: &role, from: direction)
        }
        if let current = side.current {
            if current.headReadNow || current.framing == .chunked { role.incompleteLine = current.head.startLine }
            else if length > 0 { role.reassembling = true }
        } else if !side.pending.isEmpty, isHTTP, length > 0 {
            if let line = Self.firstLine(side.pending), HTTPHead.startLine(line) != nil { role.incompleteLine = line }
            else { role.reassembling = true }
        }
        return role
    }

    /// The common case, decided in place: a side between messages, with nothing pending, gets
    /// whole bytes that start no message. `add` would copy the side out and back for it; this
    /// does what its `readHead` does then (count the bytes, or call them a "Continuation"), and
    /// returns nil for anything else, having changed nothing `add` would not change the same way.
    private mutating func addBetweenMessages(_ payload: ArraySlice<UInt8>, length: Int, from direction: Direction) -> HTTPSegmentRole? {
        guard direction == .client ? client.isBetweenMessages : server.isBetweenMessages,
              !payload.isEmpty, length <= payload.count else { return nil }
        let lineEnd = Self.firstLineEnd(payload)
        if !isHTTP, Self.passesHeuristic(payload, lineEnd: lineEnd) { isHTTP = true }
        if isHTTP && Self.mayStartMessage(payload) {
            // A line that cannot be a start line: `readHead` drops it.
            guard lineEnd != nil, !Self.mayBeStartLine(payload) else { return nil }
        } else {
            // In an HTTP conversation Wireshark waits for the line's end: bytes are kept, the slow way.
            guard lineEnd != nil || !isHTTP else { return nil }
        }
        if direction == .client { client.offset += payload.count } else { server.offset += payload.count }
        var role = HTTPSegmentRole()
        role.continuation = lineEnd != nil && sawMessage
        return role
    }

    /// Reads the body of the message in progress from `data`; completes it when it ends.
    private mutating func readBody(_ side: inout Side, _ data: inout ArraySlice<UInt8>, _ uncaptured: inout Int,
                                   into role: inout HTTPSegmentRole, from direction: Direction) {
        guard var current = side.current else { return }
        switch current.framing {
        case .length:
            let take = min(current.remaining, data.count)
            current.body?.append(contentsOf: data.prefix(take))
            data = data.dropFirst(take)
            let blind = min(current.remaining - take, uncaptured)
            uncaptured -= blind
            current.remaining -= take + blind
            current.bodyLength += take + blind
            side.offset += take + blind
            side.current = current
            if current.remaining == 0 { complete(&side, into: &role, from: direction) }
        case .chunked:
            guard uncaptured == 0 else { side.abandoned = true; side.current = nil; return }
            do throws(ChunkedBody.Malformed) {
                let used = try current.chunks.consume(data, into: &current.body)
                data = data.dropFirst(used)
                current.bodyLength += used
                side.offset += used
                side.current = current
                if current.chunks.isDone { complete(&side, into: &role, from: direction) }
            } catch {
                side.abandoned = true
                side.current = nil
                data = []
            }
        case .untilClose:
            current.body?.append(contentsOf: data)
            current.bodyLength += data.count + uncaptured
            side.offset += data.count + uncaptured
            data = []
            uncaptured = 0
            side.current = current
        }
    }

    /// At a message boundary: gathers bytes until the head is whole, then starts the message.
    /// Returns false when nothing more can be read from this segment.
    private mutating func readHead(_ side: inout Side, _ data: inout ArraySlice<UInt8>, into role: inout HTTPSegmentRole,
                                   from direction: Direction) -> Bool {
        if !isHTTP, side.pending.isEmpty, Self.passesHeuristic(data) { isHTTP = true }
        // The common case of a conversation that is not HTTP, or bytes that cannot start a
        // message, decided without copying them or reading the line as text: what the slow path
        // below would do with them.
        if !isHTTP || (side.pending.isEmpty && !Self.mayStartMessage(data)) {
            let lineEnds = side.pending.contains(where: Self.isLineEnd) || data.contains(where: Self.isLineEnd)
            if isHTTP && !lineEnds {
                // Wireshark waits for the line's end in an HTTP conversation.
                side.pending.append(contentsOf: data)
                data = []
                if side.pending.count > HTTPHead.maxLength { drop(&side) }
                return false
            }
            side.offset += side.pending.count + data.count
            side.pending = []
            data = []
            if lineEnds && sawMessage { role.continuation = true }
            return false
        }
        side.pending.append(contentsOf: data)
        data = []
        guard let lineEnd = side.pending.firstIndex(where: Self.isLineEnd) else {
            // Without a line end Wireshark waits for more only in a conversation it knows is HTTP.
            if !isHTTP || side.pending.count > HTTPHead.maxLength { drop(&side) }
            return false
        }
        // The line is read as text only when its bytes may be a start line.
        guard isHTTP, Self.mayBeStartLine(side.pending),
              HTTPHead.startLine(String(decoding: side.pending[..<lineEnd], as: UTF8.self)) != nil else {
            if sawMessage { role.continuation = true }
            drop(&side)
            return false
        }
        sawMessage = true
        let head: HTTPHead
        do throws(HTTPHead.Problem) {
            head = try HTTPHead(parsing: side.pending[...])
        } catch .incomplete {
            return false
        } catch {
            side.abandoned = true
            side.pending = []
            return false
        }
        start(head, &side, &data, into: &role, from: direction)
        return true
    }

    /// A whole head read: the message starts, framed by its head (a response's by the request it
    /// answers), and the bytes after the head are its body's.
    private mutating func start(_ head: HTTPHead, _ side: inout Side, _ data: inout ArraySlice<UInt8>, into role: inout HTTPSegmentRole,
                                from direction: Direction) {
        var method: String?
        if let m = head.method {
            unanswered.append(m)
            if unanswered.count > 1024 { unanswered.removeFirst() }  // requests nobody answers: keep it bounded
        }
        if !head.isRequest {
            method = unanswered.first
            if !(head.status.map { (100..<200).contains($0) } ?? false), !unanswered.isEmpty { unanswered.removeFirst() }
        }
        let framing = (try? head.framing(requestMethod: method, lenient: true)) ?? .untilClose
        var current = Current(head: head, framing: framing, start: side.offset, body: keepBodies ? [] : nil)
        if case let .length(n) = framing { current.remaining = n }
        data = side.pending[head.length...]
        side.offset += head.length
        side.pending = []
        side.current = current
        if case .length(0) = framing { complete(&side, into: &role, from: direction) }
    }

    private mutating func complete(_ side: inout Side, into role: inout HTTPSegmentRole, from direction: Direction) {
        guard let current = side.current else { return }
        let message = HTTPMessage(head: current.head, from: direction, range: current.start..<side.offset,
                                  framing: current.framing, bodyLength: current.bodyLength, body: current.body)
        role.completed.append(message)
        if keepBodies { messages.append(message) }
        side.current = nil
    }

    private func drop(_ side: inout Side) {
        side.offset += side.pending.count
        side.pending = []
    }

    static func isLineEnd(_ byte: UInt8) -> Bool { byte == 0x0a || byte == 0x0d }

    /// False when `bytes` cannot begin a start line: every method, `HTTP/` and `ICY ` begin with
    /// one of these capitals, and a first byte that is not one of them (or not ASCII) cannot
    /// become one when the line is read as UTF-8.
    static func mayStartMessage(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first else { return true }
        return first < 128 && startLetters & (1 << UInt128(first)) != 0
    }

    /// False when the first line of `bytes` cannot be a start line, decided on bytes: it must
    /// begin with `HTTP/` or `ICY `, or its bytes before the first space must be a known method.
    /// (Read as text, a space joined by a combining mark is no space, which can only turn a
    /// method the bytes name into none, never the other way.)
    static func mayBeStartLine<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        if bytes.starts(with: "HTTP/".utf8) || bytes.starts(with: "ICY ".utf8) { return true }
        guard let space = bytes.prefix(HTTPMethods.longest + 1).firstIndex(of: 0x20) else { return false }
        return HTTPMethods.knownBytes.contains(Array(bytes[..<space]))
    }

    /// A bit for each of those ASCII letters: tested on every segment, where a `Set` would hash.
    private static let startLetters: UInt128 = (HTTPMethods.known.compactMap { $0.utf8.first } + Array("HI".utf8))
        .reduce(0) { $0 | 1 << UInt128($1) }

    /// The first line, without its CR LF or LF; nil until a line end arrives.
    static func firstLine(_ bytes: [UInt8]) -> String? {
        guard let lf = bytes.firstIndex(where: { $0 == 0x0a || $0 == 0x0d }) else { return nil }
        return String(decoding: bytes[..<lf], as: UTF8.self)
    }

    /// packet-http.c's heuristic for ports not registered to HTTP, on a segment's bytes: its first
    /// line (found, and not exactly 8 bytes long) begins with `HTTP/1.`, or so do the 8 bytes
    /// before the line's end, in any case. As in C, an empty first line makes that offset -8,
    /// which counts back from the end of the segment.
    static func passesHeuristic(_ bytes: ArraySlice<UInt8>) -> Bool {
        passesHeuristic(bytes, lineEnd: firstLineEnd(bytes))
    }

    /// The index of the first CR or LF, if any.
    static func firstLineEnd(_ bytes: ArraySlice<UInt8>) -> Int? {
        bytes.withUnsafeBytes { raw in
            // Eight bytes at a time while a word holds neither: most segments of a conversation
            // that is not HTTP are searched this way, and `firstIndex(where:)` costs several times more.
            var i = 0
            while i + 8 <= raw.count {
                let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                if hasByte(word, 0x0a) || hasByte(word, 0x0d) { break }
                i += 8
            }
            while i < raw.count {
                if raw[i] == 0x0a || raw[i] == 0x0d { return bytes.startIndex + i }
                i += 1
            }
            return nil
        }
    }

    /// Whether any of the word's eight bytes is `byte` (the "has a zero byte" test on word ^ byte×8).
    @inline(__always)
    private static func hasByte(_ word: UInt64, _ byte: UInt8) -> Bool {
        let x = word ^ (0x0101_0101_0101_0101 &* UInt64(byte))
        return (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080 != 0
    }

    /// `passesHeuristic` with the first line end already found.
    static func passesHeuristic(_ bytes: ArraySlice<UInt8>, lineEnd: Int?) -> Bool {
        guard let end = lineEnd else { return false }
        let length = end - bytes.startIndex
        guard length != 8 else { return false }
        func matches(_ offset: Int) -> Bool {
            let at = offset < 0 ? bytes.endIndex + offset : bytes.startIndex + offset
            guard at >= bytes.startIndex, at + 7 <= bytes.endIndex else { return false }
            func upper(_ c: UInt8) -> UInt8 { (0x61...0x7a).contains(c) ? c - 0x20 : c }
            return bytes[at..<(at + 7)].elementsEqual("HTTP/1.".utf8) { upper($0) == $1 }
        }
        return matches(length - 8) || matches(0)
    }
}
