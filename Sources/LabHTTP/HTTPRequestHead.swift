import LabPackets

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

    /// True when the request carries a body (Content-Length above 0, or chunked): the server
    /// answers it and closes rather than read the body as the next request.
    public var hasBody = false

    /// Parses a head without its closing empty line (the CRLFCRLF excluded).
    public init(parsing head: ArraySlice<UInt8>) throws(Problem) {
        guard head.count <= Self.maxHeadLength else { throw .headersTooLarge }
        let parsed: HTTPHead
        do throws(HTTPHead.Problem) {
            parsed = try HTTPHead(parsing: head + [0x0d, 0x0a, 0x0d, 0x0a])
        } catch {
            throw Self.problem(error, head: head)
        }
        try self.init(parsed)
    }

    /// The server's rules on a head read by the shared parser: one of the methods it may
    /// answer, a target, HTTP/1.0 or 1.1, a Host for 1.1, and its limits on size.
    public init(_ head: HTTPHead) throws(Problem) {
        guard case let .request(method, target, version) = head.kind else { throw .malformed("not a request") }
        guard head.startLine.utf8.count <= Self.maxLineLength else { throw .targetTooLong }
        guard !head.startLine.contains("\0") else { throw .malformed("NUL in the request line") }
        let parts = head.startLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("request line has \(parts.count) parts, not 3") }
        guard method.allSatisfy({ $0.isLetter && $0.isUppercase }) else { throw .malformed("bad method") }
        guard !target.isEmpty else { throw .malformed("empty target") }
        guard version.hasPrefix("HTTP/") else { throw .malformed("bad version") }
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else { throw .versionNotSupported }
        guard head.fields.count <= Self.maxHeaderCount else { throw .headersTooLarge }
        for field in head.fields where field.name.utf8.count + field.value.utf8.count + 2 > Self.maxLineLength {
            throw .headersTooLarge
        }
        self.method = method
        self.target = target
        self.version = version
        headers = head.fields.map { ($0.name, $0.value) }
        if version == "HTTP/1.1", header("Host") == nil { throw .malformed("HTTP/1.1 request without Host") }
        do throws(HTTPHead.Problem) {
            if case .length(0) = try head.framing() {} else { hasBody = true }
        } catch {
            throw Self.problem(error, head: [])
        }
    }

    /// What a failure of the shared parser means for the server's answer.
    static func problem(_ error: HTTPHead.Problem, head: ArraySlice<UInt8>) -> Problem {
        switch error {
        case .incomplete, .tooLarge: return .headersTooLarge
        case let .malformed(detail): return .malformed(detail)
        case .notHTTP:
            let line = head.prefix { $0 != 0x0d && $0 != 0x0a }
            if line.isEmpty { return .malformed("empty request") }
            if line.count > maxLineLength { return .targetTooLong }
            if line.contains(0) { return .malformed("NUL in the request line") }
            let parts = line.split(separator: 0x20, omittingEmptySubsequences: false)
            if parts.count != 3 { return .malformed("request line has \(parts.count) parts, not 3") }
            return .malformed("bad method")
        }
    }
}
