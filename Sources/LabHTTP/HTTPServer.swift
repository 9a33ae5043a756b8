import LabPackets
import LabSystem
import Synchronization

/// The lab's part-2 file server on blocking sockets: it accepts until its listener is shut
/// down, and serves each connection on a thread of its own, keeping it alive until the
/// client has been idle for `idleTimeout`, then closing first, as the lab's server does.
public struct HTTPServer: Sendable {
    public let site: StaticSite
    public let idleTimeout: Duration
    /// Bounds a request that has started to arrive.
    public let requestTimeout: Duration
    /// Told when a connection opens or closes and when a response goes out.
    let activity: (@Sendable (Activity) -> Void)?

    public enum Activity: Sendable { case opened, closed, responded }

    public init(site: StaticSite, idleTimeout: Duration, requestTimeout: Duration = .seconds(10)) {
        self.init(site: site, idleTimeout: idleTimeout, requestTimeout: requestTimeout, activity: nil)
    }

    public init(site: StaticSite, idleTimeout: Duration, requestTimeout: Duration = .seconds(10),
                activity: (@Sendable (Activity) -> Void)?) {
        self.site = site
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.activity = activity
    }

    /// What the server did, for the run record.
    public struct Tally: Sendable {
        public var connections = 0
        public var responses: [Int: Int] = [:]
    }

    /// Accepts until `accept` fails (the listener was shut down), then waits for every
    /// connection thread. `acceptTimeout` bounds each wait for a new connection. A server that
    /// runs until interrupted (`tcplab serve`) passes `joinConnections: false`, so finished
    /// connection threads are released at once instead of being kept for a final join.
    /// `acceptLimit` stops accepting after that many connections, leaving the listener open:
    /// how `tcplab serve` ends one client's visit and keeps listening for the next.
    public func serve(_ listener: TCPSocket, acceptTimeout: Duration?, joinConnections: Bool = true, acceptLimit: Int? = nil) -> Tally {
        let tally = Mutex(Tally())
        var threads: [OSThread] = []
        while acceptLimit.map({ limit in tally.withLock { $0.connections } < limit }) ?? true {
            let connection: TCPSocket
            do {
                connection = try listener.accept(timeout: acceptTimeout ?? .seconds(86_400 * 365))
            } catch {
                break
            }
            tally.withLock { $0.connections += 1 }
            activity?(.opened)
            let server = self
            if let thread = try? OSThread.spawn({ server.handle(connection, tally: tally) }) {
                if joinConnections { threads.append(thread) } else { thread.detach() }
            } else {
                // No thread to serve it: close it, and say so, or the count of open ones never settles.
                try? connection.close()
                activity?(.closed)
            }
        }
        for thread in threads { thread.join() }
        return tally.withLock { $0 }
    }

    /// One connection: requests until the client is idle past the timeout, closes, or errs.
    func handle(_ socket: TCPSocket, tally: borrowing Mutex<Tally>) {
        defer {
            try? socket.close()
            activity?(.closed)
        }
        var pending: [UInt8] = []
        while true {
            guard let (head, rest) = readHead(socket, buffered: pending) else { return }
            pending = rest
            let (status, response, keepAlive) = respond(to: head)
            tally.withLock { $0.responses[status, default: 0] += 1 }
            do { try socket.sendAll(response) } catch { return }
            activity?(.responded)
            if !keepAlive { return }
        }
    }

    /// Reads until the head's empty line. Nil when the connection should just be closed: idle
    /// timeout, end of stream, or an error. A head over the size limit is answered with 431 first.
    func readHead(_ socket: TCPSocket, buffered: [UInt8]) -> (Result<HTTPRequestHead, HTTPRequestHead.Problem>, [UInt8])? {
        var bytes = buffered
        while true {
            do throws(HTTPHead.Problem) {
                let head = try HTTPHead(parsing: bytes[...])
                let rest = Array(bytes[head.length...])
                do throws(HTTPRequestHead.Problem) {
                    return (.success(try HTTPRequestHead(head)), rest)
                } catch {
                    return (.failure(error), [])
                }
            } catch .incomplete {
                if bytes.count > HTTPRequestHead.maxHeadLength {
                    let firstLine = bytes.firstIndex(of: 0x0a) == nil && bytes.count > HTTPRequestHead.maxLineLength
                    return (.failure(firstLine ? .targetTooLong : .headersTooLarge), [])
                }
            } catch {
                return (.failure(HTTPRequestHead.problem(error, head: bytes[...])), [])
            }
            do {
                // Idle between requests: the keep-alive timeout. Mid-request: the request timeout.
                try socket.setTimeout(bytes.isEmpty ? idleTimeout : requestTimeout)
                let chunk = try socket.receive(upTo: 4096)
                if chunk.isEmpty { return nil }
                bytes += chunk
            } catch {
                return nil
            }
        }
    }

    func respond(to parsed: Result<HTTPRequestHead, HTTPRequestHead.Problem>) -> (Int, [UInt8], Bool) {
        let now = WallClock.secondsSinceEpoch()
        let head: HTTPRequestHead
        switch parsed {
        case let .failure(problem):
            return (problem.status, HTTPResponse.error(problem.status, keepAlive: false, now: now), false)
        case let .success(h):
            head = h
        }
        // A body would be read as the next request: answer this one and close.
        let keepAlive = head.keepAlive && !head.hasBody
        guard head.method == "GET" || head.method == "HEAD" else {
            return (405, HTTPResponse.error(405, keepAlive: keepAlive, now: now), keepAlive)
        }
        let includeBody = head.method == "GET"
        switch site.lookup(head.target) {
        case let .refused(status, _):
            return (status, HTTPResponse.error(status, keepAlive: keepAlive, now: now, includeBody: includeBody), keepAlive)
        case let .file(path, contentType):
            guard let body = try? FileSystem.contents(of: path) else {
                return (404, HTTPResponse.error(404, keepAlive: keepAlive, now: now, includeBody: includeBody), keepAlive)
            }
            return (200, HTTPResponse.build(status: 200, contentType: contentType, body: body, keepAlive: keepAlive,
                                            includeBody: includeBody, now: now), keepAlive)
        }
    }
}
