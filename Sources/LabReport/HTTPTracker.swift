import LabPackets

/// Reproduces what tshark's Info column shows for HTTP/1.x on the ports its dissector
/// registers: the request line, and the status line once the whole response has arrived,
/// with "[TCP segment of a reassembled PDU]" on the segments before that.
struct HTTPTracker {
    /// The TCP ports Wireshark 4.0's HTTP dissector registers by default.
    static let ports: Set<UInt16> = [80, 3128, 3132, 5985, 8080, 8088, 11371, 1900, 2869, 2710]
    static let methods = ["GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE "]

    struct Key: Hashable {
        var connection: Int
        var from: Direction
    }

    struct Pending {
        var summary: String
        var remaining: Int
    }

    private var pending: [Key: Pending] = [:]
    /// Per connection, whether each unanswered request was a HEAD (its response has no body).
    private var heads: [Int: [Bool]] = [:]

    /// (Protocol, Info) for an HTTP segment, or nil to show it as TCP.
    mutating func summary(_ s: AnalyzedSegment) -> (String, String)? {
        let tcp = s.segment
        guard s.length > 0, Self.ports.contains(tcp.sourcePort) || Self.ports.contains(tcp.destinationPort) else { return nil }
        let key = Key(connection: s.connection, from: s.from)
        if var waiting = pending[key] {
            waiting.remaining -= s.length
            if waiting.remaining > 0 {
                pending[key] = waiting
                return ("TCP", s.analysis.infoPrefix + PacketRow.tcpInfo(s) + " [TCP segment of a reassembled PDU]")
            }
            pending[key] = nil
            return ("HTTP", waiting.summary)
        }
        let head = tcp.payload.prefix(4096)
        guard let lineEnd = head.firstIndex(of: 0x0d) else { return nil }
        let line = String(decoding: head[head.startIndex..<lineEnd], as: UTF8.self)
        if Self.methods.contains(where: line.hasPrefix), line.contains(" HTTP/1.") {
            heads[s.connection, default: []].append(line.hasPrefix("HEAD "))
            return ("HTTP", line + " ")
        }
        guard line.hasPrefix("HTTP/1.") else { return nil }
        return response(line, head: head, segment: s, key: key)
    }

    /// What tshark names a body: the dissector's name where it has one for the media type
    /// (checked against tshark 4.0), else the media type itself.
    static func bodyName(_ type: String) -> String {
        ["image/jpeg": "JPEG JFIF image"][type.lowercased()] ?? type
    }

    private mutating func response(_ line: String, head: ArraySlice<UInt8>, segment s: AnalyzedSegment,
                                   key: Key) -> (String, String) {
        let wasHead = heads[s.connection]?.isEmpty == false ? heads[s.connection]!.removeFirst() : false
        let terminator: [UInt8] = [0x0d, 0x0a, 0x0d, 0x0a]
        guard let headerEnd = head.indices.first(where: { head[$0...].starts(with: terminator) }) else {
            return ("HTTP", line + " ")
        }
        let headerLength = headerEnd + 4 - head.startIndex
        var length = 0
        var type: String?
        for field in String(decoding: head[head.startIndex..<headerEnd], as: UTF8.self).split(separator: "\r\n").dropFirst() {
            let lower = field.lowercased()
            if lower.hasPrefix("content-length:") { length = Int(lower.dropFirst(15).filter { $0 != " " }) ?? 0 }
            if lower.hasPrefix("content-type:") {
                type = String(field.dropFirst(13).drop(while: { $0 == " " }).prefix { $0 != ";" })
            }
        }
        let status = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        if wasHead || (100..<200).contains(status) || status == 204 || status == 304 { length = 0 }
        let summary = length > 0 ? type.map { "\(line)  (\(Self.bodyName($0)))" } ?? line : line + " "
        let remaining = headerLength + length - s.length
        guard remaining > 0 else { return ("HTTP", summary) }
        pending[key] = Pending(summary: summary, remaining: remaining)
        return ("TCP", "\(line)  [TCP segment of a reassembled PDU]")
    }
}
