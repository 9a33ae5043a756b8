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
}

/// Which of a foreign capture's connections an experiment's expectations are about.
public enum ConnectionSelection {
    /// With a client named, its connections, turned so it is the client. Otherwise those whose
    /// opening was captured, to the experiment's port if any go there. Renumbered from 1.
    public static func select(_ connections: [Connection], port: UInt16, client: ClientSelector?) -> [Connection] {
        var chosen: [Connection]
        if let client {
            chosen = connections.filter { client.matches($0.client) || client.matches($0.server) }
                .map { $0.oriented(client: client) }
        } else {
            let opened = connections.filter(\.sawOpening)
            let toPort = opened.filter { $0.server.port == port }
            chosen = toPort.isEmpty ? opened : toPort
        }
        for i in chosen.indices { chosen[i].index = i + 1 }
        return chosen
    }
}

extension Connection {
    /// The same connection with `client` as the client, for captures whose opening is missing.
    public func oriented(client selector: ClientSelector) -> Connection {
        guard !selector.matches(client), selector.matches(server) else { return self }
        var flipped = self
        (flipped.client, flipped.server) = (server, client)
        (flipped.clientStats, flipped.serverStats) = (serverStats, clientStats)
        flipped.segments = segments.map { var s = $0; s.from = s.from.other; return s }
        flipped.capturedAt = capturedAt?.other
        return flipped
    }
}
