/// An HTTP/1.x message head: the start line and the header fields, up to the empty line.
///
/// The one head parser of tcplab: the file server, the in-process browser, `show`'s Info column
/// and the judge all read heads through it, so they agree on what a message is and how long its
/// body runs. Pure and bounded: it never reads past the bytes given, and every count is checked.
/// Lines may end with CRLF or a bare LF, as Wireshark and every browser accept.
public struct HTTPHead: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case request(method: String, target: String, version: String)
        case response(version: String, status: Int?, reason: String)
    }

    /// The start line as sent, without its line end.
    public var startLine: String
    public var kind: Kind
    /// Header fields in order, names as sent, values without surrounding whitespace.
    public var fields: [Field]
    /// Bytes from the start of the message to the end of the empty line.
    public var length: Int

    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    /// Heads are at most this long: more is a hostile or broken peer (a 431 for the server).
    public static let maxLength = 65_536
    public static let maxFields = 100

    /// What ended a parse early.
    public enum Problem: Error, Sendable, Equatable {
        /// No empty line yet: more bytes may complete the head.
        case incomplete
        case tooLarge
        /// The start line is neither a request line nor a status line.
        case notHTTP
        case malformed(String)
    }

    public var isRequest: Bool { if case .request = kind { true } else { false } }

    public var method: String? { if case let .request(method, _, _) = kind { method } else { nil } }

    public var status: Int? { if case let .response(_, status, _) = kind { status } else { nil } }

    /// The value of the first field of this name (names compare case-insensitively).
    public func field(_ name: String) -> String? {
        fields.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The media type without parameters, lower-cased: `text/html` of `Text/HTML; charset=utf-8`.
    public var mediaType: String? {
        guard let value = field("Content-Type") else { return nil }
        let type = value.prefix { $0 != ";" }.trimmingSpaces.lowercased()
        return type.isEmpty ? nil : type
    }

    /// Parses the head at the start of `bytes`. `.incomplete` while the empty line has not come.
    public init(parsing bytes: ArraySlice<UInt8>) throws(Problem) {
        var lines: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        var end: Int?
        var i = bytes.startIndex
        while i < bytes.endIndex {
            if i - bytes.startIndex >= Self.maxLength { throw .tooLarge }
            if bytes[i] == 0x0a {
                let lineEnd = i > start && bytes[i - 1] == 0x0d ? i - 1 : i
                if lineEnd == start, !lines.isEmpty {
                    end = i + 1
                    break
                }
                if lines.count > Self.maxFields { throw .tooLarge }
                lines.append(bytes[start..<lineEnd])
                start = i + 1
            }
            i += 1
        }
        guard let end else { throw .incomplete }
        let first = String(decoding: lines[0], as: UTF8.self)
        guard let kind = Self.startLine(first) else { throw .notHTTP }
        var fields: [Field] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: 0x3a), colon > line.startIndex else {
                throw .malformed("header without a name")
            }
            let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self)
            guard !name.contains(" "), !name.contains("\t") else { throw .malformed("space in a header name") }
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces
            fields.append(Field(name: name, value: value))
        }
        self.init(startLine: first, kind: kind, fields: fields, length: end - bytes.startIndex)
    }

    public init(startLine: String, kind: Kind, fields: [Field], length: Int) {
        self.startLine = startLine
        self.kind = kind
        self.fields = fields
        self.length = length
    }

    /// A request line (a method Wireshark knows, a space, the rest) or a status line (`HTTP/`…):
    /// packet-http.c's is_http_request_or_reply, which decides what its Info column calls HTTP.
    static func startLine(_ line: String) -> Kind? {
        if line.hasPrefix("HTTP/") || line.hasPrefix("ICY ") {
            let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            let status = parts.count > 1 && parts[1].count == 3 ? Int(parts[1]) : nil
            return .response(version: String(parts[0]), status: status, reason: parts.count > 2 ? String(parts[2]) : "")
        }
        guard let space = line.firstIndex(of: " "), HTTPMethods.known.contains(String(line[..<space])) else { return nil }
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        let version = parts.count > 2 ? String(parts[2]) : ""
        return .request(method: String(parts[0]), target: parts.count > 1 ? String(parts[1]) : "", version: version)
    }
}

/// The methods packet-http.c recognises at the start of a request line (WebDAV, SSDP and
/// Subversion's included), case-sensitively.
enum HTTPMethods {
    static let known: Set<String> = [
        "GET", "PUT", "COPY", "HEAD", "LOCK", "MOVE", "POLL", "POST", "BCOPY", "BMOVE", "MKCOL", "TRACE", "LABEL",
        "MERGE", "PATCH", "DELETE", "SEARCH", "UNLOCK", "REPORT", "UPDATE", "NOTIFY", "BDELETE", "CONNECT", "OPTIONS",
        "CHECKIN", "PROPFIND", "CHECKOUT", "CCM_POST", "M-SEARCH", "SUBSCRIBE", "PROPPATCH", "BPROPFIND", "BPROPPATCH",
        "UNCHECKOUT", "MKACTIVITY", "MKWORKSPACE", "UNSUBSCRIBE", "RPC_CONNECT", "VERSION-CONTROL", "BASELINE-CONTROL",
    ]
    static let knownBytes: Set<[UInt8]> = Set(known.map { Array($0.utf8) })
    static let longest = known.map(\.utf8.count).max() ?? 0
}

extension HTTPHead {
    /// How the message's body is delimited (RFC 9112 §6.3).
    public enum Framing: Sendable, Equatable {
        case length(Int)
        case chunked
        /// A response without Content-Length: its body is everything until the server closes.
        case untilClose
    }

    /// A Content-Length field as RFC 9110 §8.6 allows it: digits only, at most 18 of them, and
    /// where the field repeats (or lists values), all the same.
    public enum ContentLength: Sendable, Equatable {
        case absent
        case value(Int)
        case invalid(String)
    }

    public var contentLength: ContentLength {
        var seen: Int?
        for field in fields where field.name.lowercased() == "content-length" {
            for item in field.value.split(separator: ",", omittingEmptySubsequences: false) {
                let digits = item.trimmingSpaces
                guard !digits.isEmpty, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
                    return .invalid("Content-Length \"\(field.value)\" is not a number of bytes")
                }
                guard digits.utf8.count <= 18, let value = Int(digits) else {
                    return .invalid("Content-Length \(digits) is larger than any body")
                }
                if let seen, seen != value { return .invalid("two different Content-Lengths, \(seen) and \(value)") }
                seen = value
            }
        }
        return seen.map(ContentLength.value) ?? .absent
    }

    /// True when the last transfer coding is chunked.
    public var isChunked: Bool {
        guard let codings = field("Transfer-Encoding") else { return false }
        return codings.split(separator: ",").last?.trimmingSpaces.lowercased() == "chunked"
    }

    /// The body's framing. A response also needs its request's method (a HEAD's has no body);
    /// `lenient` reads an invalid Content-Length as absent, as Wireshark does, instead of failing.
    public func framing(requestMethod: String? = nil, lenient: Bool = false) throws(Problem) -> Framing {
        if case let .response(_, status, _) = kind {
            if requestMethod == "HEAD" { return .length(0) }
            if let status, (100..<200).contains(status) || status == 204 || status == 304 { return .length(0) }
        }
        if isChunked { return .chunked }
        switch contentLength {
        case let .value(n): return .length(n)
        case let .invalid(reason) where !lenient: throw .malformed(reason)
        case .absent, .invalid:
            // Wireshark takes the first well-formed value of a repeated field.
            if let first = fields.lazy.filter({ $0.name.lowercased() == "content-length" })
                .compactMap({ Int($0.value) }).first(where: { $0 >= 0 }), lenient { return .length(first) }
            return isRequest ? .length(0) : .untilClose
        }
    }
}

extension StringProtocol {
    /// Without the spaces and tabs HTTP allows around a field value (RFC 9110 §5.5).
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
