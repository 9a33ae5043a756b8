import LabPackets

/// One lab experiment: what each side does, over which link, and the packets expected.
public struct Experiment: Sendable {
    /// The file name without `.json`, e.g. `experiment-2`.
    public var name: String
    public var title: String
    /// The paragraph of the lab this experiment reproduces.
    public var lab: String
    /// The trace's file name, as the lab names it (`trace2.pcap`).
    public var trace: String
    public var port: UInt16
    public var link: LinkProfile
    public var server: [Step]
    public var client: [Step]
    public var expectations: [Expectation]
    /// Bytes kept of each packet: 262144 keeps everything; about 128 keeps only the headers,
    /// for bulk transfers whose payload nobody reads.
    public var snapLength = 262_144
    /// The longest any single blocking step may take before the run fails as stuck.
    public var stepTimeout: Duration
    /// The folder the experiment file is in; relative paths in it (a web root) start here.
    public var directory = "."
    /// What a real browser visits with `--client browser`, and the responses each visit ends with.
    public var browser: BrowserVisit?
    /// The sides played by a program instead of their steps.
    public var programs: [Direction: Program] = [:]
    /// The lab's own code for each side it has, played by `--endpoints lab`.
    public var labCode: [Direction: Program] = [:]
    /// The longest a run may take, from the start fence until both sides are done, when the
    /// file or the command line sets one; see `deadline`.
    public var explicitDeadline: Duration?

    /// The longest a run may take: the file's `"deadline"`, else its scripted sleeps plus four
    /// step timeouts (60 s with the default 15 s). Past it every program still running is killed
    /// with its group, and scripted steps are stopped; the run is a harness failure naming the step.
    public var deadline: Duration {
        get { explicitDeadline ?? scriptedDuration + stepTimeout * 4 }
        set { explicitDeadline = newValue }
    }

    public struct BrowserVisit: Sendable {
        public var paths: [String]
        public var responses: [Int]
    }

    /// The experiment as a real browser does it: its client steps replaced by one `browse`,
    /// and only the expectations that hold for a browser.
    public func withBrowserClient() -> Experiment? {
        guard let browser else { return nil }
        var copy = self
        copy.client = [Step(action: .browse(browser.paths, responses: browser.responses), name: nil, expectError: nil)]
        copy.expectations = expectations.filter { $0.clients.contains(.browser) }
        return copy
    }

    /// The experiment with its own in-process client: the expectations marked for it.
    public func withInProcessClient() -> Experiment {
        var copy = self
        copy.expectations = expectations.filter { $0.clients.contains(.inprocess) }
        return copy
    }

    /// The experiment as played by `client`: nil when it has no browser visit for a browser.
    public func with(client: ClientKind) -> Experiment? {
        switch client {
        case .inprocess: withInProcessClient()
        case .browser: withBrowserClient()
        }
    }

    /// The experiment with `program` playing `side`: that side's steps are dropped, and the other
    /// side's barriers on them are skipped when it runs, since a program posts none.
    public func with(program: Program, for side: Direction) -> Experiment {
        var copy = self
        copy.programs[side] = program
        if side == .server { copy.server = [] } else { copy.client = [] }
        return copy
    }

    /// The experiment played by the lab's own code on every side it has code for; nil when it has none.
    public func withLabCode() -> Experiment? {
        guard !labCode.isEmpty else { return nil }
        return labCode.reduce(self) { $0.with(program: $1.value, for: $1.key) }
    }

    /// True when the lab's literal code plays at least one side.
    public var runsLabCode: Bool { programs.values.contains { $0.origin == .labCode } }

    /// The server's web root (resolved against the experiment's folder) and idle timeout, when
    /// the server serves files over HTTP.
    public var webServer: (root: String, idleTimeout: Duration)? {
        for step in server {
            if case let .serveHTTP(root, idle) = step.action { return (resolve(root), idle) }
        }
        return nil
    }

    /// A path as the experiment file writes it, relative to the file's folder unless absolute.
    public func resolve(_ path: String) -> String { path.hasPrefix("/") ? path : directory + "/" + path }

    /// The time the experiment spends on purpose (its sleeps), which is not harness overhead.
    public var scriptedDuration: Duration {
        (server + client).reduce(.zero) { total, step in
            if case let .sleep(d) = step.action { return total + d }
            return total
        }
    }
}

public struct LinkProfile: Sendable, Equatable {
    /// Nil keeps lo's own MTU of 65536.
    public var mtu: Int?
    /// TSO, GSO and GRO. Off makes the kernel cut data at the MSS, as on Ethernet.
    public var offloads: Bool

    public static let loopback = LinkProfile(mtu: nil, offloads: true)

    public var description: String {
        if self == .loopback { return "lo (MTU 65536, offloads on)" }
        return "lo (MTU \(mtu ?? 65536), offloads \(offloads ? "on" : "off"))"
    }
}

public struct Step: Sendable {
    public var action: Action
    /// Lets the other side wait for this step with `waitFor`.
    public var name: String?
    /// The step must fail with this error (e.g. `ECONNRESET`); the endpoint then goes on.
    public var expectError: String?

    public enum Transform: String, Sendable, CaseIterable {
        case upper
        case same

        public func apply(_ bytes: [UInt8]) -> [UInt8] {
            switch self {
            case .upper: bytes.map { (0x61...0x7a).contains($0) ? $0 - 0x20 : $0 }
            case .same: bytes
            }
        }
    }

    public enum Action: Sendable {
        case accept
        case connect
        /// One `send` of `text` repeated `repeat` times.
        case send(text: String, repeat: Int)
        /// One `send` of what the last receive returned, transformed and repeated.
        case sendBack(Transform, repeat: Int)
        /// Exactly one `recv` of at most this many bytes.
        case recv(Int)
        /// `recv` until this many bytes arrived, or until end of stream when nil.
        case recvUntil(Int?)
        /// Sends this many bytes of a fixed pattern in large `send` calls, never holding them all.
        case stream(Int)
        /// `recv` until end of stream, counting the bytes and keeping none.
        case drain
        /// Until end of stream: [sleep], one `recv` of `recv` bytes, send it back transformed.
        case echoLoop(recv: Int, transform: Transform, repeat: Int, sleepBeforeRecv: Duration?)
        case sleep(Duration)
        case setOption(SocketOption, Int32)
        /// A barrier: blocks until the other side has finished its step of this name.
        case waitFor(String)
        case shutdown(ShutdownHow)
        case close
        /// Part 2's file server: serves `root` until the client is done, one thread per
        /// connection, closing a connection after `idleTimeout` without a request.
        case serveHTTP(root: String, idleTimeout: Duration)
        /// Part 2's browser: GET `path` on a new connection, read the response, wait for the
        /// server to close, close.
        case fetch(String)
        /// A real headless Chromium in the run's namespace opens each path in turn; each visit
        /// ends when the server has sent `responses` responses in all and closed every connection.
        case browse([String], responses: [Int])
    }

    /// A short text naming the step in messages: `recv 1024`, `sleep 5s`.
    public var label: String {
        switch action {
        case .accept: "accept"
        case .connect: "connect"
        case let .send(text, n): n == 1 ? "send \(text.utf8.count) bytes" : "send \(text.utf8.count)×\(n) bytes"
        case let .sendBack(t, n): "send back \(t.rawValue)\(n == 1 ? "" : " ×\(n)")"
        case let .recv(n): "recv \(n)"
        case let .recvUntil(n): n.map { "recv until \($0) bytes" } ?? "recv until EOF"
        case let .stream(n): "stream \(n) bytes"
        case .drain: "drain until EOF"
        case let .echoLoop(n, t, r, sleep):
            "loop { \(sleep.map { "sleep \(formatDuration($0)); " } ?? "")recv \(n); send \(t.rawValue)\(r == 1 ? "" : " ×\(r)") } until EOF"
        case let .sleep(d): "sleep \(formatDuration(d))"
        case let .setOption(o, v): "setsockopt \(o.rawValue)=\(v)"
        case let .waitFor(n): "wait for \(n)"
        case let .shutdown(h): "shutdown \(h.rawValue)"
        case .close: "close"
        case let .serveHTTP(root, idle): "serve \(root) over HTTP (idle timeout \(formatDuration(idle)))"
        case let .fetch(path): "GET \(path)"
        case let .browse(paths, _): "chromium \(paths.joined(separator: " then "))"
        }
    }
}

/// The socket options a step may set, by the names a student writes.
public enum SocketOption: String, Sendable, CaseIterable {
    case noDelay = "TCP_NODELAY"
    case cork = "TCP_CORK"
    case quickAck = "TCP_QUICKACK"
    case maxSegment = "TCP_MAXSEG"
}

/// Which half of a connection `shutdown` closes.
public enum ShutdownHow: String, Sendable, CaseIterable {
    case read, write, both
}

/// Who plays the client of a run: tcplab's own in-process client, or headless Chromium.
public enum ClientKind: String, Sendable, CaseIterable {
    case inprocess, browser
}
