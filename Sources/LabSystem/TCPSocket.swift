#if canImport(Glibc)
import Glibc
#endif
import CLinux
import Synchronization

/// A blocking IPv4 TCP socket. Every method is one system call unless its name says
/// otherwise (`sendAll`), because the experiments' segment sizes follow the calls made.
public final class TCPSocket: @unchecked Sendable {
    // Sendable: `fd` never changes and `closed` is a Mutex; the kernel serialises calls on one socket.
    // Sendable because one endpoint thread owns each socket; another thread may only
    // `interrupt` it, which is ordered with `close` by `closed`'s lock.
    public let fd: Int32
    /// Held across the close itself, so an interrupt never reaches a reused descriptor.
    private let closed = Mutex(false)

    init(fd: Int32) { self.fd = fd }

    deinit { closed.withLock { if !$0 { _ = Glibc.close(fd) } } }

    /// Shuts the socket down from another thread, waking a call blocked on it; nothing once closed.
    public func interrupt() {
        closed.withLock { if !$0 { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) } }
    }

    public enum ShutdownHow: String, Sendable { case read, write, both }

    /// Creates, binds to `address`:`port` with SO_REUSEADDR, and listens.
    public static func listen(on address: IPv4Address = .loopback, port: UInt16, backlog: Int32 = 16) throws(SystemError) -> TCPSocket {
        let socket = try unconnected()
        let fd = socket.fd
        var one: Int32 = 1
        _ = try valueOrErrno("setsockopt(SO_REUSEADDR)", "fd \(fd)") {
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        try bind(fd, to: SocketAddress(address, port: port))
        _ = try valueOrErrno("listen", "fd \(fd)") { Glibc.listen(fd, backlog) }
        return socket
    }

    /// Binds a socket to `address`:`port` without SO_REUSEADDR and closes it: throws EADDRINUSE
    /// while anything holds the port, a listener or a connection in TIME_WAIT.
    public static func checkFree(on address: IPv4Address = .loopback, port: UInt16) throws(SystemError) {
        let socket = try unconnected()
        defer { try? socket.close() }
        try bind(socket.fd, to: SocketAddress(address, port: port))
    }

    private static func bind(_ fd: Int32, to endpoint: SocketAddress) throws(SystemError) {
        var raw = endpoint.socketAddress
        _ = try valueOrErrno("bind", endpoint.description) {
            withUnsafePointer(to: &raw) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    /// Connects to `address`:`port`; `timeout` bounds the handshake through SO_SNDTIMEO.
    public static func connect(to address: IPv4Address = .loopback, port: UInt16, timeout: Duration) throws(SystemError) -> TCPSocket {
        let socket = try unconnected()
        try socket.setTimeout(timeout)
        try socket.connect(to: SocketAddress(address, port: port))
        return socket
    }

    /// A fresh socket, not yet connected: `connect` sets its options first.
    public static func unconnected() throws(SystemError) -> TCPSocket {
        let fd = try valueOrErrno("socket") { Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        return TCPSocket(fd: fd)
    }

    public func connect(to endpoint: SocketAddress) throws(SystemError) {
        var raw = endpoint.socketAddress
        _ = try valueOrErrno("connect", endpoint.description, retryOnInterrupt: false) {
            withUnsafePointer(to: &raw) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    /// One `accept`; `timeout` bounds the wait through SO_RCVTIMEO on the listener.
    public func accept(timeout: Duration) throws(SystemError) -> TCPSocket {
        try setTimeout(timeout)
        let fd = try valueOrErrno("accept", "fd \(self.fd)") { clinux_accept_cloexec(self.fd) }
        return TCPSocket(fd: fd)
    }

    /// One `accept` that also gives up, returning nil, once `giveUp` holds when `wakeup` is
    /// signalled and nothing is waiting to be accepted: how a server learns that a client
    /// program ended without connecting.
    public func accept(timeout: Duration, wakeup: Wakeup, giveUp: () -> Bool) throws(SystemError) -> TCPSocket? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let left = deadline - ContinuousClock.now
            let ready = try Poll.readable([fd, wakeup.fd], timeout: max(left, .zero))
            if ready.contains(wakeup.fd) { wakeup.drain() }
            if ready.contains(fd) { return try accept(timeout: timeout) }
            if giveUp() {
                // The last look: a connection completed just before the client ended is still ours.
                if try Poll.readable([fd], timeout: .zero).contains(fd) { return try accept(timeout: timeout) }
                return nil
            }
            if left <= .zero { throw SystemError(call: "accept", subject: "fd \(fd)", errno: EAGAIN) }
        }
    }

    /// Exactly one `recv` of at most `count` bytes. An empty result is end of stream.
    public func receive(upTo count: Int) throws(SystemError) -> [UInt8] {
        guard count > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: count)
        let n = try valueOrErrno("recv", "fd \(fd)") {
            buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, count, 0) }
        }
        buffer.removeSubrange(n...)
        return buffer
    }

    /// One `recv` with MSG_PEEK | MSG_WAITALL: blocks until `count` bytes wait unread (or the
    /// stream ends, or the timeout passes), and leaves them there. Returns how many wait.
    public func waitUntilUnread(_ count: Int) throws(SystemError) -> Int {
        guard count > 0 else { return 0 }
        var buffer = [UInt8](repeating: 0, count: count)
        return try valueOrErrno("recv(MSG_PEEK|MSG_WAITALL)", "fd \(fd)") {
            buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, count, Int32(MSG_PEEK) | Int32(MSG_WAITALL)) }
        }
    }

    /// Exactly one `send` with MSG_NOSIGNAL; returns how many bytes the kernel took.
    public func send(_ bytes: some Collection<UInt8>) throws(SystemError) -> Int {
        let array = Array(bytes)
        return try valueOrErrno("send", "fd \(fd)") {
            array.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
    }

    /// Loops `send` until every byte is taken. With a blocking socket this is one call
    /// unless the send buffer fills.
    public func sendAll(_ bytes: [UInt8]) throws(SystemError) {
        var sent = 0
        try sendAll(bytes, counting: &sent)
    }

    /// Sends every byte, adding to `sent` as they go, so a send that times out still says how far it got.
    public func sendAll(_ bytes: [UInt8], counting sent: inout Int) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let n = try send(bytes[offset...])
            offset += n
            sent += n
        }
    }

    public enum Option: String, Sendable, CaseIterable {
        case noDelay = "TCP_NODELAY"
        case cork = "TCP_CORK"
        case quickAck = "TCP_QUICKACK"
        case maxSegment = "TCP_MAXSEG"

        var name: Int32 {
            switch self {
            case .noDelay: TCP_NODELAY
            case .cork: TCP_CORK
            case .quickAck: TCP_QUICKACK
            case .maxSegment: TCP_MAXSEG
            }
        }
    }

    public func set(_ option: Option, _ value: Int32) throws(SystemError) {
        var value = value
        _ = try valueOrErrno("setsockopt(\(option.rawValue))", "fd \(fd)") {
            setsockopt(fd, Int32(IPPROTO_TCP), option.name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// Bytes received but not yet read (SIOCINQ): what a close will discard with an RST.
    public func unreadByteCount() throws(SystemError) -> Int {
        var count: Int32 = 0
        _ = try valueOrErrno("ioctl(SIOCINQ)", "fd \(fd)") { ioctl(fd, UInt(FIONREAD), &count) }
        return Int(count)
    }

    /// Bounds every later blocking call on this socket (SO_RCVTIMEO and SO_SNDTIMEO).
    public func setTimeout(_ timeout: Duration) throws(SystemError) {
        let (seconds, attoseconds) = timeout.components
        var value = timeval(tv_sec: Int(max(0, seconds)), tv_usec: Int(max(0, attoseconds) / 1_000_000_000_000))
        if value.tv_sec == 0 && value.tv_usec == 0 { value.tv_usec = 1 }  // 0 would mean "forever"
        for (option, name) in [(SO_RCVTIMEO, "SO_RCVTIMEO"), (SO_SNDTIMEO, "SO_SNDTIMEO")] {
            _ = try valueOrErrno("setsockopt(\(name))", "fd \(fd)") {
                setsockopt(fd, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<timeval>.size))
            }
        }
    }

    public func shutdown(_ how: ShutdownHow) throws(SystemError) {
        let mode: Int32 = switch how {
        case .read: Int32(SHUT_RD)
        case .write: Int32(SHUT_WR)
        case .both: Int32(SHUT_RDWR)
        }
        _ = try valueOrErrno("shutdown", "fd \(fd)") { Glibc.shutdown(fd, mode) }
    }

    /// One `close`, never retried: after EINTR the descriptor is already gone on Linux.
    public func close() throws(SystemError) {
        let failure: Int32? = closed.withLock { isClosed in
            guard !isClosed else { return nil }
            isClosed = true
            return Glibc.close(fd) == -1 ? Glibc.errno : nil
        }
        if let failure { throw SystemError(call: "close", subject: "fd \(fd)", errno: failure) }
    }

    public var localPort: UInt16? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return rc == 0 ? UInt16(bigEndian: address.sin_port) : nil
    }
}

