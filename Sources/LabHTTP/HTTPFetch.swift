import LabPackets
import LabSystem

/// The in-process browser: one resource per connection, as the lab's trace shows. It sends
/// the headers a browser sends, reads the response by Content-Length, then keeps the
/// connection open until the server closes it, and closes its side after.
public enum HTTPFetch {
    public struct Result: Sendable {
        public var status: Int
        public var bodyBytes: Int
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    static func request(path: String, host: IPv4Address = .loopback, port: UInt16) -> [UInt8] {
        let lines = [
            "GET \(path) HTTP/1.1",
            "Host: \(host):\(port)",
            "Connection: keep-alive",
            "User-Agent: Mozilla/5.0 (X11; Linux x86_64) tcplab/0.1",
            "Accept: \(path.hasSuffix(".ico") || path.hasSuffix(".jpg") ? "image/avif,image/webp,image/*,*/*;q=0.8" : "text/html,application/xhtml+xml,*/*;q=0.8")",
            "Accept-Encoding: identity",
            "Accept-Language: en-US,en;q=0.9",
        ]
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    public static func fetch(path: String, host: IPv4Address = .loopback, port: UInt16, timeout: Duration) throws -> Result {
        let socket = try TCPSocket.connect(to: host, port: port, timeout: timeout)
        defer { try? socket.close() }
        try socket.setTimeout(timeout)
        try socket.sendAll(request(path: path, host: host, port: port))
        let (head, bytes) = try readHead(socket)
        guard let status = head.status, !head.isRequest else {
            throw Failure(description: "not an HTTP response: \(head.startLine.prefix(40))")
        }
        let framing: HTTPHead.Framing
        do throws(HTTPHead.Problem) { framing = try head.framing(requestMethod: "GET") } catch {
            throw Failure(description: "the response's framing is broken: \(error)")
        }
        let body = try readBody(socket, framing, leftover: Array(bytes[head.length...]))
        // Like a browser, hold the connection until the server's idle timeout closes it.
        while !body.closed {
            let chunk = try socket.receive(upTo: 65536)
            if chunk.isEmpty { break }
        }
        return Result(status: status, bodyBytes: body.bytes)
    }

    /// Reads the body as its framing says: its length, and whether the server has closed (the
    /// end of a body framed by the close).
    private static func readBody(_ socket: TCPSocket, _ framing: HTTPHead.Framing, leftover first: [UInt8]) throws -> (bytes: Int, closed: Bool) {
        var body = first.count
        switch framing {
        case let .length(length):
            while body < length {
                let chunk = try socket.receive(upTo: 65536)
                guard !chunk.isEmpty else { throw Failure(description: "the server closed after \(body) of \(length) body bytes") }
                body += chunk.count
            }
        case .chunked:
            var chunks = ChunkedBody()
            var ignored: [UInt8]?
            var leftover = first
            while true {
                do { _ = try chunks.consume(leftover[...], into: &ignored) } catch {
                    throw Failure(description: "bad chunked body: \(error.detail)")
                }
                if chunks.isDone { break }
                leftover = try socket.receive(upTo: 65536)
                guard !leftover.isEmpty else { throw Failure(description: "the server closed in the middle of a chunked body") }
                body += leftover.count
            }
        case .untilClose:
            while true {
                let chunk = try socket.receive(upTo: 65536)
                if chunk.isEmpty { return (body, true) }
                body += chunk.count
            }
        }
        return (body, false)
    }

    /// The response's head, and every byte read with it (the body's first bytes, maybe).
    private static func readHead(_ socket: TCPSocket) throws -> (HTTPHead, [UInt8]) {
        var bytes: [UInt8] = []
        while true {
            let chunk = try socket.receive(upTo: 65536)
            guard !chunk.isEmpty else { throw Failure(description: "the server closed before the response headers ended") }
            bytes += chunk
            do throws(HTTPHead.Problem) {
                return (try HTTPHead(parsing: bytes[...]), bytes)
            } catch .incomplete {
                continue
            } catch .tooLarge {
                throw Failure(description: "response headers over 64 KiB")
            } catch {
                throw Failure(description: "not an HTTP response: \(String(decoding: bytes.prefix(40), as: UTF8.self))")
            }
        }
    }
}
