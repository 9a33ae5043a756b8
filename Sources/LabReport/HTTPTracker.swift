import LabPackets

/// Reproduces what tshark 4.0's Info column shows for HTTP/1.x, on any port (see
/// `HTTPConversation` for which connections count): request and status lines when their message
/// is whole, "[TCP segment of a reassembled PDU]" on the segments before, and the media type of
/// a body, Wireshark's way.
struct HTTPTracker {
    /// The connections that carried bytes, in order of their first.
    private var conversations: [HTTPConversation] = []
    /// By connection number less one (connections are numbered densely from 1): the index of
    /// its conversation, -1 for none yet. An array, where a dictionary would hash on every
    /// segment; four bytes a connection.
    private var conversationIndex: [Int32] = []
    /// Connections whose numbers do not fit that index, which only segments built by hand have.
    private var oddConversations: [Int: HTTPConversation] = [:]

    /// (Protocol, Info) for a segment the HTTP dissector claims, or nil to show it as TCP.
    mutating func summary(_ s: AnalyzedSegment) -> (String, String)? {
        let fin = s.flags.contains(.fin)
        guard s.length > 0 || fin else { return nil }
        let tcp = s.segment
        let connection = s.connection - 1
        // Numbers arrive in order of first appearance, so the index grows by the connections
        // seen since the last one with bytes; a number far beyond that was set by hand.
        if !oddConversations.isEmpty, oddConversations[s.connection] != nil { return oddSummary(s) }
        guard connection >= 0, connection < conversationIndex.count + 1 << 20 else { return oddSummary(s) }
        if connection >= conversationIndex.count {
            conversationIndex.append(contentsOf: repeatElement(-1, count: connection + 1 - conversationIndex.count))
        }
        if conversationIndex[connection] < 0 {
            conversationIndex[connection] = Int32(conversations.count)
            conversations.append(HTTPConversation(ports: (tcp.sourcePort, tcp.destinationPort)))
        }
        // Mutated in place: a copy out and back would copy its pending bytes on every segment.
        let role = conversations[Int(conversationIndex[connection])].add(tcp.payload, length: s.length, from: s.from, fin: fin)
        return Self.summary(role, s)
    }

    private mutating func oddSummary(_ s: AnalyzedSegment) -> (String, String)? {
        let tcp = s.segment
        let role = oddConversations[s.connection, default: HTTPConversation(ports: (tcp.sourcePort, tcp.destinationPort))]
            .add(tcp.payload, length: s.length, from: s.from, fin: s.flags.contains(.fin))
        return Self.summary(role, s)
    }

    private static func summary(_ role: HTTPSegmentRole, _ s: AnalyzedSegment) -> (String, String)? {
        if let first = role.completed.first {
            let (name, first) = Self.dissector(first)
            var pieces = role.completed.map(Self.summary)
            if let first { pieces[0] = first }
            if let line = role.incompleteLine { pieces.append(line + " ") }
            return (name, pieces.joined())
        }
        if let line = role.incompleteLine { return ("TCP", "\(line)  [TCP segment of a reassembled PDU]") }
        if role.continuation { return ("HTTP", "Continuation") }
        if role.reassembling { return ("TCP", s.analysis.infoPrefix + PacketRow.tcpInfo(s) + " [TCP segment of a reassembled PDU]") }
        return nil
    }

    /// "GET / HTTP/1.1 ", or "HTTP/1.1 200 OK  (text/html)" for a message with a body of a type
    /// the media dissector names.
    static func summary(_ message: HTTPMessage) -> String {
        let line = message.head.startLine + " "
        guard message.bodyLength > 0, let type = message.head.mediaType, let name = bodyName(type) else { return line }
        return line + " (\(name))"
    }

    /// What tshark names a body: the dissector's name where it has one for the media type
    /// (checked against tshark 4.0), nothing for raw bytes, else the media type itself.
    static func bodyName(_ type: String) -> String? {
        switch type {
        case "image/jpeg": "JPEG JFIF image"
        case "application/octet-stream": nil
        default: type
        }
    }

    /// Media types whose own dissector takes over the Protocol column, and what it makes of the
    /// summary (nil: unchanged).
    static func dissector(_ message: HTTPMessage) -> (String, String?) {
        guard message.bodyLength > 0, let type = message.head.mediaType else { return ("HTTP", nil) }
        switch type {
        case "application/json": return ("HTTP/JSON", message.head.startLine + " , JavaScript Object Notation (application/json)")
        case "text/xml", "application/xml", "image/svg+xml": return ("HTTP/XML", message.head.startLine + " ")
        default: return ("HTTP", nil)
        }
    }
}
