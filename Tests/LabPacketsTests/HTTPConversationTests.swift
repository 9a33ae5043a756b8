import Testing
@testable import LabPackets

/// The one HTTP head parser and the conversation model that `show` and the judge share.
@Suite struct HTTPConversationTests {
    func head(_ text: String) throws(HTTPHead.Problem) -> HTTPHead { try HTTPHead(parsing: Array(text.utf8)[...]) }

    @Test func aStatusLineWithNoHeaderLinesIsAWholeHeadWithItsStatus() throws {
        let h = try head("HTTP/1.1 200 OK\r\n\r\n<html>")
        #expect(h.status == 200 && h.fields.isEmpty && h.length == 19)
        #expect(try h.framing(requestMethod: "GET") == .untilClose)
    }

    @Test func headsEndAtTheFirstEmptyLineAndAcceptBareLineFeeds() throws {
        let h = try head("GET / HTTP/1.1\nHost: x\n\nbody")
        #expect(h.method == "GET" && h.field("host") == "x" && h.length == 24)
        #expect(throws: HTTPHead.Problem.incomplete) { try head("GET / HTTP/1.1\r\nHost: x\r\n") }
        #expect(throws: HTTPHead.Problem.notHTTP) { try head("hello\r\n\r\n") }
        #expect(throws: HTTPHead.Problem.notHTTP) { try head("get / HTTP/1.1\r\n\r\n") }
    }

    @Test(arguments: [
        ("Content-Length: 12", HTTPHead.ContentLength.value(12)),
        ("Content-Length: 5, 5", .value(5)),
        ("Content-Length: 5\r\nContent-Length: 5", .value(5)),
        ("Content-Length: 5\r\nContent-Length: 6", .invalid("two different Content-Lengths, 5 and 6")),
        ("Content-Length: -1000", .invalid("Content-Length \"-1000\" is not a number of bytes")),
        ("Content-Length: +12", .invalid("Content-Length \"+12\" is not a number of bytes")),
        ("Content-Length: 1 2", .invalid("Content-Length \"1 2\" is not a number of bytes")),
        ("Content-Length: 9223372036854775807", .invalid("Content-Length 9223372036854775807 is larger than any body")),
        ("X-Other: 1", .absent),
    ])
    func contentLengthFollowsRFC9110(field: String, expected: HTTPHead.ContentLength) throws {
        #expect(try head("HTTP/1.1 200 OK\r\n\(field)\r\n\r\n").contentLength == expected)
    }

    @Test func framingKnowsHeadAnd204And304AndChunked() throws {
        let ok = try head("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
        #expect(try ok.framing(requestMethod: "HEAD") == .length(0))
        #expect(try head("HTTP/1.1 304 Not Modified\r\n\r\n").framing() == .length(0))
        #expect(try head("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n").framing() == .chunked)
        #expect(try head("POST / HTTP/1.1\r\nHost: x\r\n\r\n").framing() == .length(0))
        let bad = try head("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n")
        #expect(throws: HTTPHead.Problem.self) { try bad.framing() }
        #expect(try bad.framing(lenient: true) == .length(2))
    }

    func feed(_ conversation: inout HTTPConversation, _ side: Direction, _ text: String, fin: Bool = false) -> HTTPSegmentRole {
        let bytes = Array(text.utf8)
        return conversation.add(bytes[...], length: bytes.count, from: side, fin: fin)
    }

    @Test func aResponseWithoutContentLengthEndsAtTheServersFIN() {
        var http = HTTPConversation(ports: (40000, 12345))
        #expect(feed(&http, .client, "GET / HTTP/1.1\r\nHost: x\r\n\r\n").completed.map(\.head.startLine) == ["GET / HTTP/1.1"])
        let first = feed(&http, .server, "HTTP/1.1 200 OK\r\n\r\n<p>\r\n\r\n</p>")
        #expect(first.completed.isEmpty && first.incompleteLine == "HTTP/1.1 200 OK")
        let more = feed(&http, .server, "HTTP/1.1 200 OK\r\n\r\n")
        #expect(more.reassembling && more.completed.isEmpty, "a body with a blank line and a status line in it is still body")
        let fin = feed(&http, .server, "", fin: true)
        #expect(fin.completed.count == 1 && fin.completed[0].bodyLength == 30)
    }

    @Test func onAnUnregisteredPortOnlyTheHeuristicMakesAConnectionHTTP() {
        var notHTTP = HTTPConversation(ports: (40000, 12345))
        let role = feed(&notHTTP, .client, "GET / XYZ\r\n\r\n")
        #expect(role.completed.isEmpty && role.incompleteLine == nil && !role.reassembling && !role.continuation)
        #expect(!notHTTP.isHTTP)
        var registered = HTTPConversation(ports: (40000, 8080))
        #expect(feed(&registered, .client, "GET / XYZ\r\n\r\n").completed.count == 1)
        #expect(HTTPConversation.passesHeuristic(Array("GET / HTTP/1.0\r\n".utf8)[...]))
        #expect(HTTPConversation.passesHeuristic(Array("http/1.1 200 ok\r\n".utf8)[...]))
        #expect(!HTTPConversation.passesHeuristic(Array("HTTP/1.1\r\n".utf8)[...]), "a line of exactly 8 bytes is excluded")
        #expect(HTTPConversation.passesHeuristic(Array("\r\nabc HTTP/1.1".utf8)[...]), "C's offset -8 reads the segment's end")
    }

    @Test func chunkedBodiesEndAtTheLastChunkInAnySplit() throws {
        let body = "5\r\nhello\r\n3;x=y\r\nabc\r\n0\r\nTrailer: t\r\n\r\n"
        for cut in 0...body.utf8.count {
            var chunks = ChunkedBody()
            var data: [UInt8]? = []
            let bytes = Array(body.utf8)
            _ = try chunks.consume(bytes[..<cut], into: &data)
            #expect(!chunks.isDone || cut == bytes.count)
            _ = try chunks.consume(bytes[cut...], into: &data)
            #expect(chunks.isDone && data == Array("helloabc".utf8))
        }
        var bad = ChunkedBody()
        var none: [UInt8]?
        #expect(throws: ChunkedBody.Malformed.self) { try bad.consume(Array("zz\r\n".utf8)[...], into: &none) }
    }

    @Test func pipelinedMessagesInOneSegmentAllComplete() {
        var http = HTTPConversation(ports: (40000, 12345), keepBodies: true)
        _ = feed(&http, .client, "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n")
        let role = feed(&http, .server, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        #expect(role.completed.map { $0.head.status } == [200, 404])
        #expect(http.messages.map(\.range) == [0..<27, 27..<55, 0..<39, 39..<84])
        #expect(http.messages[2].body == Array("a".utf8))
    }
}
