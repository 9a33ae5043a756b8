import Testing
@testable import LabHTTP
import LabModel

@Suite struct HTTPTests {
    func head(_ text: String) throws(HTTPRequestHead.Problem) -> HTTPRequestHead {
        try HTTPRequestHead(parsing: Array(text.utf8)[...])
    }

    @Test func parsesARequestLineAndHeaders() throws {
        let h = try head("GET /a%20b HTTP/1.1\r\nHost: x\r\nConnection:  close \r\nX-Empty:")
        #expect(h.method == "GET" && h.target == "/a%20b" && h.version == "HTTP/1.1")
        #expect(h.header("connection") == "close")
        #expect(h.header("X-Empty") == "")
        #expect(!h.keepAlive)
        #expect(try head("GET / HTTP/1.0\r\nConnection: keep-alive").keepAlive)
        #expect(try !head("GET / HTTP/1.0").keepAlive)
    }

    @Test(arguments: [
        ("", HTTPRequestHead.Problem.malformed("empty request")),
        ("GET /", .malformed("request line has 2 parts, not 3")),
        ("get / HTTP/1.1\r\nHost: x", .malformed("bad method")),
        ("GET / HTTP/1.1", .malformed("HTTP/1.1 request without Host")),
        ("GET / HTTP/3", .versionNotSupported),
        ("GET / HTTP/1.1\r\nHost: x\r\nBad Header: y", .malformed("space in a header name")),
    ])
    func rejectsMalformedHeads(text: String, problem: HTTPRequestHead.Problem) {
        #expect(throws: problem) { try head(text) }
    }

    @Test func limitsLinesHeadersAndSize() {
        #expect(throws: HTTPRequestHead.Problem.targetTooLong) { try head("GET /\(String(repeating: "a", count: 9000)) HTTP/1.1") }
        let many = (0..<65).map { "X-\($0): y" }.joined(separator: "\r\n")
        #expect(throws: HTTPRequestHead.Problem.headersTooLarge) { try head("GET / HTTP/1.1\r\nHost: x\r\n" + many) }
        #expect(HTTPRequestHead.Problem.headersTooLarge.status == 431 && HTTPRequestHead.Problem.targetTooLong.status == 414)
    }

    @Test(arguments: [
        ("/index.html", "/index.html" as String?),
        ("/a%20b", "/a b"),
        ("/%2e%2e/x", "/../x"),  // decoded, then refused as a dot segment by lookup
        ("/a%2fb", nil),  // encoded slash
        ("/a%00", nil),  // encoded NUL
        ("/a%5cb", nil),  // encoded backslash
        ("/a%zz", nil),  // bad escape
        ("/a%4", nil),  // cut escape
    ])
    func percentDecodingRefusesWhatCouldEscape(target: String, decoded: String?) {
        #expect(StaticSite.percentDecoded(target) == decoded)
    }

    @Test(arguments: [
        (0 as Int64, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
        (1_795_618_620, "Wed, 25 Nov 2026 14:57:00 GMT"),
    ])
    func formatsIMFFixdates(seconds: Int64, text: String) {
        #expect(HTTPResponse.httpDate(seconds) == text)
        #expect(HTTPResponse.httpDate(seconds).count == 29)
    }

    @Test func buildsResponsesWithTheHeadersTheLabShows() {
        let bytes = HTTPResponse.build(status: 200, contentType: "image/x-icon", body: [1, 2, 3], keepAlive: true,
                                       includeBody: true, now: 0)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\nServer: tcplab\r\n"))
        #expect(text.contains("Content-Type: image/x-icon\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\n"))
        #expect(Array(bytes.suffix(3)) == [1, 2, 3])
        let head = HTTPResponse.build(status: 200, contentType: "text/plain", body: [1, 2, 3], keepAlive: false,
                                      includeBody: false, now: 0)
        #expect(String(decoding: head, as: UTF8.self).hasSuffix("Content-Length: 3\r\nConnection: close\r\n\r\n"))
    }
}
