import LabPackets

/// What HTTP makes of a connection's segments, read by the same model as the Info column, so
/// an explanation calls HTTP exactly what the packet list does.
struct HTTPRoles {
    /// By packet number: the start lines of the messages whose first byte is in that segment.
    var starts: [Int: [String]] = [:]
    /// By packet number: a message without Content-Length (nor chunks) whose body this FIN ends.
    var endedByClose: [Int: HTTPMessage] = [:]

    init(_ connection: Connection) {
        guard let first = connection.segments.first else { return }
        var http = HTTPConversation(ports: (first.segment.sourcePort, first.segment.destinationPort))
        var messages: [HTTPMessage] = []
        for s in connection.segments where s.length > 0 || s.flags.contains(.fin) {
            let role = http.add(s.segment.payload, length: s.length, from: s.from, fin: s.flags.contains(.fin))
            messages += role.completed
            for m in role.completed where m.framing == .untilClose && s.flags.contains(.fin) { endedByClose[s.number] = m }
        }
        guard http.isHTTP else { return }
        for m in messages + http.unfinished {
            let start = connection.segments.first { s in
                s.from == m.from && s.length > 0 && Int(s.relativeSequence) - 1 <= m.range.lowerBound
                    && m.range.lowerBound < Int(s.relativeSequence) - 1 + s.length
            }
            if let start { starts[start.number, default: []].append(m.head.startLine) }
        }
    }
}

extension ConnectionWalk {
    /// "It carries the request "GET / HTTP/1.1"." or "It starts the response "HTTP/1.1 200 OK"."
    func httpLine(_ s: AnalyzedSegment) -> String? {
        guard let line = http.starts[s.number]?.first else { return nil }
        return line.hasPrefix("HTTP/") || line.hasPrefix("ICY ")
            ? "It starts the response \"\(line)\"." : "It carries the request \"\(line)\"."
    }

    /// A FIN that ends a body sent without Content-Length: the close is what delimits it.
    func bodyEndReason(_ s: AnalyzedSegment) -> String? {
        guard let message = http.endedByClose[s.number] else { return nil }
        return "This FIN also ends the body of \"\(message.head.startLine)\" (\(bytes(message.bodyLength))): the response "
            + "has no Content-Length, so its body runs until the server closes the connection (RFC 9112 §6.3)."
    }
}
