/// A parsed HTTP/1.x request line and headers. Pure, with hard limits, so a hostile client
/// can neither crash the server nor make it buffer without end.
public struct HTTPRequestHead: Sendable, Equatable {
    public var method: String
    /// The request target as sent, still percent-encoded.
    public var target: String
    public var version: String
    public var headers: [(name: String, value: String)]

    public static func == (a: Self, b: Self) -> Bool {
        a.method == b.method && a.target == b.target && a.version == b.version
            && a.headers.map(\.name) == b.headers.map(\.name) && a.headers.map(\.value) == b.headers.map(\.value)
    }

    public static let maxLineLength = 8192
    public static let maxHeaderCount = 64
    public static let maxHeadLength = 16384

    /// The status a bad request earns.
    public enum Problem: Error, Equatable, Sendable {
        case malformed(String)  // 400
        case targetTooLong  // 414
        case headersTooLarge  // 431
        case versionNotSupported  // 505

        public var status: Int {
            switch self {
            case .malformed: 400
            case .targetTooLong: 414
            case .headersTooLarge: 431
            case .versionNotSupported: 505
            }
        }
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Whether the client wants the connection kept after this request.
    public var keepAlive: Bool {
        let connection = header("Connection")?.lowercased() ?? ""
        return version == "HTTP/1.1" ? !connection.contains("close") : connection.contains("keep-alive")
    }

    /// Parses a head that ends with an empty line (the CRLFCRLF excluded).
    public init(parsing head: ArraySlice<UInt8>) throws(Problem) {
        guard head.count <= Self.maxHeadLength else { throw .headersTooLarge }
        var lines: [ArraySlice<UInt8>] = []
        var start = head.startIndex
        var i = head.startIndex
        while i < head.endIndex {
            if head[i] == 0x0a {
                let end = i > start && head[i - 1] == 0x0d ? i - 1 : i
                lines.append(head[start..<end])
                start = i + 1
            }
            i += 1
        }
        if start < head.endIndex { lines.append(head[start...]) }
        guard let first = lines.first else { throw .malformed("empty request") }
        guard first.count <= Self.maxLineLength else { throw .targetTooLong }
        guard !first.contains(0) else { throw .malformed("NUL in the request line") }
        let parts = first.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("request line has \(parts.count) parts, not 3") }
        method = String(decoding: parts[0], as: UTF8.self)
        target = String(decoding: parts[1], as: UTF8.self)
        version = String(decoding: parts[2], as: UTF8.self)
        guard !method.isEmpty, method.allSatisfy({ $0.isLetter && $0.isUppercase }) else { throw .malformed("bad method") }
        guard !target.isEmpty else { throw .malformed("empty target") }
        guard version.hasPrefix("HTTP/") else { throw .malformed("bad version") }
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else { throw .versionNotSupported }
        headers = []
        for line in lines.dropFirst() {
            guard line.count <= Self.maxLineLength else { throw .headersTooLarge }
            guard headers.count < Self.maxHeaderCount else { throw .headersTooLarge }
            guard let colon = line.firstIndex(of: 0x3a), colon > line.startIndex else { throw .malformed("header without a name") }
            let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self)
            guard !name.contains(" "), !name.contains("\t") else { throw .malformed("space in a header name") }
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces
            headers.append((name, value))
        }
        if version == "HTTP/1.1", header("Host") == nil { throw .malformed("HTTP/1.1 request without Host") }
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
