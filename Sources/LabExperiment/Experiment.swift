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
        copy.expectations = expectations.filter { $0.clients.contains("browser") }
        return copy
    }

    /// The experiment with its own in-process client: the expectations marked for it.
    public func withInProcessClient() -> Experiment {
        var copy = self
        copy.expectations = expectations.filter { $0.clients.contains("inprocess") }
        return copy
    }

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
        case setOption(String, Int32)
        /// A barrier: blocks until the other side has finished its step of this name.
        case waitFor(String)
        case shutdown(String)
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
        case let .setOption(o, v): "setsockopt \(o)=\(v)"
        case let .waitFor(n): "wait for \(n)"
        case let .shutdown(h): "shutdown \(h)"
        case .close: "close"
        case let .serveHTTP(root, idle): "serve \(root) over HTTP (idle timeout \(formatDuration(idle)))"
        case let .fetch(path): "GET \(path)"
        case let .browse(paths, _): "chromium \(paths.joined(separator: " then "))"
        }
    }
}

/// "5s", "40ms", "1.5s", "250us" → Duration.
public func parseDuration(_ text: String) -> Duration? {
    let units: [(String, Double)] = [("ms", 1e-3), ("us", 1e-6), ("µs", 1e-6), ("ns", 1e-9), ("s", 1)]
    for (suffix, scale) in units where text.hasSuffix(suffix) {
        guard let value = Double(text.dropLast(suffix.count)), value >= 0, value.isFinite else { return nil }
        return .nanoseconds(Int64((value * scale * 1e9).rounded()))
    }
    return nil
}

public func formatDuration(_ d: Duration) -> String {
    let ns = Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9
    if ns >= 1e9 { return trimmed(ns / 1e9) + "s" }
    if ns >= 1e6 { return trimmed(ns / 1e6) + "ms" }
    return trimmed(ns / 1e3) + "µs"
}

private func trimmed(_ v: Double) -> String {
    let r = (v * 1000).rounded() / 1000
    return r == r.rounded() ? String(Int(r)) : String(r)
}
