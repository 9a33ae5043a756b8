import LabPackets

/// A connection's HTTP messages, read from each side's bytes (each byte once, in sequence
/// order) by the same parser that gives `show` its Info column, so the judge and the packet
/// list agree on what is HTTP.
struct HTTPExchange {
    /// Requests and responses, each in the order sent; a message the capture ends inside counts
    /// when its head was read.
    var requests: [HTTPMessage] = []
    var responses: [HTTPMessage] = []
    /// The range of the server's response that had not ended when the bytes stopped, if any.
    var unfinishedResponse: Range<Int>?

    init(_ c: Connection, judge: ExpectationJudge) {
        var http = HTTPConversation(ports: (c.client.port, c.server.port), keepBodies: true)
        for side in [Direction.client, .server] {
            let bytes = judge.stream(c, side)
            let fin = c.segments(from: side).contains { $0.flags.contains(.fin) }
            _ = http.add(bytes[...], length: bytes.count, from: side, fin: fin)
        }
        unfinishedResponse = http.unfinished.first { $0.from == .server }?.range
        for message in http.messages + http.unfinished {
            if message.from == .client { requests.append(message) } else { responses.append(message) }
        }
    }
}

/// Each connection's exchange, read once however many expectations ask about it: reading it
/// streams and parses the connection's bytes, bodies included.
final class HTTPExchanges {
    private var byConnection: [Int: HTTPExchange] = [:]

    func of(_ c: Connection, judge: ExpectationJudge) -> HTTPExchange {
        if let known = byConnection[c.index] { return known }
        let exchange = HTTPExchange(c, judge: judge)
        byConnection[c.index] = exchange
        return exchange
    }
}
