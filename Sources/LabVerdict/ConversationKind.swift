import LabPackets

/// What a connection carries, as far as its first bytes tell.
public enum ConversationKind: Equatable, Sendable {
    case http, tls, ssh, exchange, noData

    init(_ c: Connection) {
        var reader = ConversationKindReader(c)
        for s in c.segments { reader.add(s) }
        self = reader.kind
    }

    var name: String {
        switch self {
        case .http: "HTTP"
        case .tls: "TLS"
        case .ssh: "SSH"
        case .exchange: "TCP data"
        case .noData: "no data"
        }
    }

    /// A Part 2 experiment is about HTTP; a Part 1 experiment about a plain exchange of data.
    func fits(http: Bool) -> Bool { http ? self == .http : self == .exchange }
}

/// Tells a connection's kind from its segments as they go by, so a pass that keeps no segments
/// can still choose connections. It holds what the HTTP parser holds (at most a head per side)
/// until a message starts, and the first data segment's first bytes.
public struct ConversationKindReader: Sendable {
    private var http: HTTPConversation
    private var sawHTTP = false
    /// The first data segment's first four bytes: enough for TLS's and SSH's openings.
    private var firstBytes: [UInt8]?

    init(_ c: Connection) { self.init(ports: (c.client.port, c.server.port)) }

    /// For a connection between these ports, in either order.
    public init(ports: (UInt16, UInt16)) {
        http = HTTPConversation(ports: ports)
    }

    public mutating func add(_ s: AnalyzedSegment) {
        guard !sawHTTP, s.length > 0 else { return }
        if firstBytes == nil { firstBytes = Array(s.segment.payload.prefix(4)) }
        _ = http.add(s.segment.payload, length: s.length, from: s.from, fin: false)
        if http.sawMessage {
            sawHTTP = true
            http = HTTPConversation(ports: (0, 0))  // what it held is no longer needed
        }
    }

    public var kind: ConversationKind {
        if sawHTTP { return .http }
        guard let firstBytes else { return .noData }
        if firstBytes.starts(with: [0x16, 0x03]) { return .tls }
        if firstBytes.starts(with: Array("SSH-".utf8)) { return .ssh }
        return .exchange
    }
}
