#if canImport(Glibc)
import Glibc
#endif

/// The TCP sockets of the calling thread's network namespace, as the kernel lists them in
/// `/proc/thread-self/net/tcp` and `tcp6` (`/proc/net` would show the process's first
/// thread's namespace, not the run's).
public enum SocketTable {
    /// The local ports with a socket in LISTEN state, sorted.
    public static func listeningPorts() -> [UInt16] { Set(listeners().map(\.port)).sorted() }

    /// Every TCP socket of the namespace with its state and queues, for saying at a deadline which
    /// side was waiting on which.
    public static func sockets() -> [SocketState] { rows(parseSockets) }

    /// The sockets in LISTEN state with the address each is bound to: "0.0.0.0" or "::" for
    /// every address, else one, so a client that connects to another host can be told so.
    public static func listeners() -> [Listener] { rows(parseListeners) }

    /// The IPv4 table's rows, then the IPv6 table's, each read by `parse`.
    private static func rows<Row>(_ parse: (String) -> [Row]) -> [Row] {
        ["/proc/thread-self/net/tcp", "/proc/thread-self/net/tcp6"].flatMap { file in
            (try? FileSystem.contents(of: file)).map { parse(String(decoding: $0, as: UTF8.self)) } ?? []
        }
    }

    /// The rows of a `/proc/net/tcp` table: `sl local rem st tx_queue:rx_queue …`, in hex.
    static func parseSockets(_ table: String) -> [SocketState] {
        table.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count > 4, let local = port(fields[1]), let remote = port(fields[2]),
                  let state = UInt8(fields[3], radix: 16) else { return nil }
            let queues = fields[4].split(separator: ":")
            guard queues.count == 2, let tx = Int(queues[0], radix: 16), let rx = Int(queues[1], radix: 16) else { return nil }
            return SocketState(localPort: local, remotePort: remote, state: SocketState.Name(rawValue: state) ?? .other,
                               sendQueue: tx, receiveQueue: rx)
        }
    }

    private static func port(_ field: Substring) -> UInt16? {
        field.lastIndex(of: ":").flatMap { UInt16(field[field.index(after: $0)...], radix: 16) }
    }

    /// The rows in LISTEN state (`st` 0A) of a `/proc/net/tcp` table, with their local address.
    static func parseListeners(_ table: String) -> [Listener] {
        table.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count > 3, fields[3] == "0A", let colon = fields[1].lastIndex(of: ":"),
                  let port = UInt16(fields[1][fields[1].index(after: colon)...], radix: 16),
                  let address = address(fields[1][..<colon]) else { return nil }
            return Listener(address: address, port: port)
        }
    }

    /// The kernel prints an address as 32-bit words in hex, each in the machine's byte order
    /// (little-endian here): "0100007F" is 127.0.0.1.
    static func address(_ hex: Substring) -> String? {
        guard hex.count == 8 || hex.count == 32, hex.allSatisfy(\.isHexDigit) else { return nil }
        let chars = Array(hex)
        var bytes: [UInt8] = []
        for word in stride(from: 0, to: chars.count, by: 8) {
            let b = (0..<4).compactMap { UInt8(String(chars[word + 2 * $0 ..< word + 2 * $0 + 2]), radix: 16) }
            bytes += b.reversed()
        }
        var text = [CChar](repeating: 0, count: 64)
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        guard inet_ntop(family, bytes, &text, socklen_t(text.count)) != nil else { return nil }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Ports in LISTEN state (`st` 0A) in the text of a `/proc/net/tcp` table.
    static func parseListening(_ table: String) -> [UInt16] { parseListeners(table).map(\.port) }
}

/// A listening socket: the address it is bound to and its port.
public struct Listener: Sendable, Equatable {
    public var address: String
    public var port: UInt16

    public init(address: String, port: UInt16) { (self.address, self.port) = (address, port) }

    /// Bound to every address of its family (INADDR_ANY or in6addr_any, which takes IPv4 too
    /// unless IPV6_V6ONLY is set).
    public var onEveryAddress: Bool { address == "0.0.0.0" || address == "::" }
}

/// One row of the socket table: what a socket was doing when it was read.
public struct SocketState: Sendable, Equatable {
    /// The kernel's TCP states (include/net/tcp_states.h), as the table numbers them.
    public enum Name: UInt8, Sendable {
        case established = 1, synSent, synReceived, finWait1, finWait2, timeWait, close, closeWait, lastAck, listen, closing
        case other = 0
    }

    public var localPort: UInt16
    public var remotePort: UInt16
    public var state: Name
    /// Bytes sent and not yet acknowledged (tx_queue).
    public var sendQueue: Int
    /// Bytes arrived and not yet read by the program (rx_queue).
    public var receiveQueue: Int

    public init(localPort: UInt16, remotePort: UInt16, state: Name, sendQueue: Int, receiveQueue: Int) {
        (self.localPort, self.remotePort, self.state, self.sendQueue, self.receiveQueue) = (localPort, remotePort, state, sendQueue, receiveQueue)
    }
}
