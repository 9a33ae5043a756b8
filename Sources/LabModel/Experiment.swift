import LabPackets
import LabSystem

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
    /// The two hosts of the lab's own trace, which `--hosts lab` runs on.
    public var labLink: LinkProfile?
    /// The lab's packet listing of this trace, to measure the run's fidelity against.
    public var labListing: LabListing?
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
    /// Set when a browser plays the client: how many expectations are for tcplab's own client only.
    public var notForTheBrowser: Int?
    /// A private namespace made for the run, or the one tcplab is in (`--network`).
    public var network = NetworkMode.private
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
        copy.notForTheBrowser = expectations.count - copy.expectations.count
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

    /// The experiment on `choice`'s topology; nil when it has no lab link.
    public func on(_ choice: HostsChoice) -> Experiment? {
        var copy = self
        switch choice {
        case .lo: copy.link.hosts = nil
        case .lab:
            guard let labLink else { return nil }
            copy.link = labLink
        }
        return copy
    }

    /// How many connections the client's steps open.
    public var clientConnections: Int {
        max(1, client.count { step in
            switch step.action {
            case .connect, .fetch: true
            default: false
            }
        })
    }

    /// Whether this experiment's link is one host or two.
    public var hostsKind: HostsChoice { link.hosts == nil ? .lo : .lab }

    /// The expectations that hold on this experiment's link: those marked for the other
    /// topology (`"hosts"`) are left out.
    public var applicableExpectations: [Expectation] { expectations.filter { $0.hosts?.contains(hostsKind) ?? true } }

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

    /// The side the experiment expects to close first (its FIN-order expectation), else the client:
    /// at a deadline that stops both programs, tcplab stops this one first.
    public var firstToClose: Direction {
        for e in expectations {
            if case let .finOrder(order) = e.kind, let first = order.first { return first }
        }
        return .client
    }

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
    /// Nil keeps lo's own MTU of 65536 (on two hosts: 1500).
    public var mtu: Int?
    /// TSO, GSO and GRO. Off makes the kernel cut data at the MSS, as on Ethernet.
    public var offloads: Bool
    /// Nil: both sides on the loopback of one namespace. Set: two namespaces joined by a veth pair.
    public var hosts: TwoHosts?

    public init(mtu: Int? = nil, offloads: Bool = true, hosts: TwoHosts? = nil) {
        self.mtu = mtu
        self.offloads = offloads
        self.hosts = hosts
    }

    public static let loopback = LinkProfile(mtu: nil, offloads: true)

    /// The server on another machine, for `tcplab serve` and `tcplab client`.
    public var remoteServer: IPv4Address?

    /// The address the server listens on and the client connects to.
    public var serverAddress: IPv4Address { remoteServer ?? hosts?.server.address ?? .loopback }

    public var description: String {
        guard let hosts else {
            if self == .loopback { return "lo (MTU 65536, offloads on)" }
            return "lo (MTU \(mtu ?? 65536), offloads \(offloads ? "on" : "off"))"
        }
        return "two hosts, client \(hosts.client) ↔ server \(hosts.server) over veth (MTU \(mtu ?? TwoHosts.defaultMTU), "
            + "offloads \(offloads ? "on" : "off")), captured on the \(hosts.capture.rawValue)'s \(hosts.captureInterface)"
    }
}

/// Two hosts joined by a veth pair, each in a private namespace of the run with no default
/// route, so a packet can reach only the other host.
public struct TwoHosts: Sendable, Equatable {
    public var client: Host
    public var server: Host
    public var capture: CapturePoint
    /// The device the capture opens in its host: "any" gives Linux cooked capture, as the lab's
    /// Wireshark did; the veth's own name ("eth0") gives Ethernet.
    public var captureInterface: String

    public static let defaultMTU = 1500
    /// Each host's end of the veth pair.
    public static let interface = "eth0"

    public init(client: Host, server: Host, capture: CapturePoint = .client, captureInterface: String = "any") {
        self.client = client
        self.server = server
        self.capture = capture
        self.captureInterface = captureInterface
    }

    public func host(_ side: Direction) -> Host { side == .server ? server : client }

    public enum CapturePoint: String, Sendable, CaseIterable {
        case client, server
        /// Both hosts' captures merged in time order, as `tshark -i any` on both machines would
        /// give them: each packet twice, leaving one host and arriving at the other. The run is
        /// checked on the client's capture.
        case both
    }
}

/// One host of a two-host link: its address and the TCP settings Linux keeps per namespace.
public struct Host: Sendable, Equatable, CustomStringConvertible {
    public var address: IPv4Address
    /// What it stands for when it is not a Linux machine ("VirtualBox's NAT"): its SYN-ACK and
    /// window are then compared with the lab's only for information.
    public var standsFor: String?
    public var tcp: TCPSettings

    public init(address: IPv4Address, standsFor: String? = nil, tcp: TCPSettings = TCPSettings()) {
        self.address = address
        self.standsFor = standsFor
        self.tcp = tcp
    }

    public var description: String { "\(address)" + (standsFor.map { " (\($0))" } ?? "") }
}

/// The per-namespace TCP sysctls a host may change; nil keeps Linux's default.
public struct TCPSettings: Sendable, Equatable {
    public var timestamps: Bool?
    public var sack: Bool?
    public var windowScaling: Bool?
    /// min, default, max in bytes, as net.ipv4.tcp_rmem takes them.
    public var rmem: [Int]?
    public var wmem: [Int]?

    public init(timestamps: Bool? = nil, sack: Bool? = nil, windowScaling: Bool? = nil, rmem: [Int]? = nil, wmem: [Int]? = nil) {
        self.timestamps = timestamps
        self.sack = sack
        self.windowScaling = windowScaling
        self.rmem = rmem
        self.wmem = wmem
    }

    /// The sysctls to write, by name.
    public var sysctls: [(name: String, value: String)] {
        var out: [(String, String)] = []
        func flag(_ name: String, _ value: Bool?) { if let value { out.append(("net.ipv4.\(name)", value ? "1" : "0")) } }
        flag("tcp_timestamps", timestamps)
        flag("tcp_sack", sack)
        flag("tcp_window_scaling", windowScaling)
        if let rmem { out.append(("net.ipv4.tcp_rmem", rmem.map(String.init).joined(separator: " "))) }
        if let wmem { out.append(("net.ipv4.tcp_wmem", wmem.map(String.init).joined(separator: " "))) }
        return out
    }
}

/// Which topology a run uses: the experiment's own link, one host's lo, or its lab link.
public enum HostsChoice: String, Sendable, CaseIterable {
    case lo, lab
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
        /// Blocks until this many bytes have arrived, reading none (`recv` with MSG_PEEK and
        /// MSG_WAITALL): pins what a later `close` finds unread when data comes in several segments.
        case awaitUnread(Int)
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
        case let .awaitUnread(n): "wait until \(n) bytes are unread"
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
