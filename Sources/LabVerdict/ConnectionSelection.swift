import LabModel
import LabPackets

/// `10.0.2.15:51234` or `[::1]:51234`: the endpoint a user names as the client.
public struct ClientSelector: Sendable, Equatable {
    public var host: String
    public var port: UInt16

    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        (self.host, self.port) = (host, port)
    }

    public func matches(_ endpoint: Endpoint) -> Bool { endpoint.port == port && endpoint.address.description == host }

    /// How a user writes `endpoint` on the command line.
    public static func text(_ endpoint: Endpoint) -> String { endpoint.description }
}

/// Which of a foreign capture's connections an experiment's expectations are about, or the one
/// reason none is.
public struct ConnectionSelection: Sendable {
    /// Renumbered from 1.
    public var chosen: [Connection]
    /// The index each chosen connection had in the file, in the same order.
    public var sources: [Int] = []
    /// Set when nothing was chosen: what the file holds instead, in one line.
    public var diagnosis: String?

    /// With a client named, its connections, turned so it is the client. Otherwise those whose
    /// opening was captured, to the experiment's port if any go there, else those that carry what
    /// the experiment is about (HTTP for Part 2, a plain exchange for Part 1).
    public init(_ connections: [Connection], experiment: Experiment, client: ClientSelector?) {
        self.init(connections, kinds: connections.map(ConversationKind.init), experiment: experiment, client: client)
    }

    /// The same from connections whose segments were not kept: `kinds[i]` is what
    /// `connections[i]` carries, read as its segments went by (`ConversationKindReader`).
    public init(_ connections: [Connection], kinds: [ConversationKind], experiment: Experiment, client: ClientSelector?) {
        var chosen: [Connection]
        func kind(_ c: Connection) -> ConversationKind { kinds[c.index - 1] }
        if let client {
            chosen = connections.filter { client.matches($0.client) || client.matches($0.server) }
                .map { $0.oriented(client: client) }
            if chosen.isEmpty {
                diagnosis = "no connection in the file has the endpoint \(client.host):\(client.port)"
                    + Self.listing(connections, kind)
            }
        } else {
            let opened = connections.filter(\.sawOpening)
            let toPort = opened.filter { $0.server.port == experiment.port }
            let wantsHTTP = experiment.isHTTP
            chosen = toPort.isEmpty ? opened.filter { kind($0).fits(http: wantsHTTP) } : toPort
            if connections.isEmpty {
                diagnosis = "there is no TCP connection in the file"
            } else if opened.isEmpty {
                let c = connections[0]
                let guess = c.server.port == experiment.port || c.client.port > c.server.port ? c.client : c.server
                diagnosis = "no connection's opening (SYN) is in the file: the capture started after the handshake, or it was cut out. "
                    + "To judge \(c.client) ↔ \(c.server) from the middle, name its client: --client \(ClientSelector.text(guess))"
            } else if chosen.isEmpty {
                diagnosis = "no conversation in the file matches \(experiment.name) (\(wantsHTTP ? "HTTP" : "a TCP exchange") on port \(experiment.port))"
                    + Self.listing(opened, kind)
            }
        }
        sources = chosen.map(\.index)
        for i in chosen.indices { chosen[i].index = i + 1 }
        self.chosen = chosen
    }

    /// ": its 2 connections are to 443 (TLS), 22 (SSH)".
    static func listing(_ connections: [Connection], _ kind: (Connection) -> ConversationKind) -> String {
        guard !connections.isEmpty else { return "" }
        let shown = connections.prefix(5).map { "\($0.server.port) (\(kind($0).name))" }
        let more = connections.count > 5 ? ", …" : ""
        return ": its \(connections.count == 1 ? "connection is" : "\(connections.count) connections are") to "
            + shown.joined(separator: ", ") + more
    }
}

extension Connection {
    /// Whether `oriented(client:)` turns it round: `selector` names its server.
    public func isTurned(by selector: ClientSelector?) -> Bool {
        guard let selector else { return false }
        return !selector.matches(client) && selector.matches(server)
    }

    /// The same connection with `client` as the client, for captures whose opening is missing.
    public func oriented(client selector: ClientSelector) -> Connection {
        guard isTurned(by: selector) else { return self }
        var flipped = self
        (flipped.client, flipped.server) = (server, client)
        (flipped.clientStats, flipped.serverStats) = (serverStats, clientStats)
        flipped.segments = segments.map(\.turned)
        flipped.capturedAt = capturedAt?.other
        return flipped
    }
}

extension AnalyzedSegment {
    /// The segment as seen from the other end, for a connection turned round.
    public var turned: AnalyzedSegment {
        var s = self
        s.from = s.from.other
        return s
    }
}

extension Experiment {
    /// A Part 2 experiment: its server serves files, or its expectations read HTTP.
    public var isHTTP: Bool {
        if webServer != nil { return true }
        return expectations.contains { e in
            switch e.kind {
            case .request, .response, .requests, .statuses, .responseSegments: true
            default: false
            }
        }
    }
}
