#if canImport(Glibc)
import Glibc
#endif
import CLinux

/// An eventfd that wakes a thread blocked in `Poll.wait` from another thread.
public final class Wakeup: @unchecked Sendable {
    // Sendable: eventfd reads and writes are atomic in the kernel.
    public let fd: Int32

    public init() throws(SystemError) {
        fd = try valueOrErrno("eventfd") { clinux_eventfd() }
    }

    deinit { _ = Glibc.close(fd) }

    public func signal() {
        var one: UInt64 = 1
        _ = write(fd, &one, 8)
    }

    public func drain() {
        var value: UInt64 = 0
        _ = read(fd, &value, 8)
    }
}

public enum Poll {
    /// Waits until one of `fds` is readable or `timeout` passes; returns the readable ones.
    public static func readable(_ fds: [Int32], timeout: Duration) throws(SystemError) -> [Int32] {
        var entries = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let ms = Int32(clamping: max(0, timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
        _ = try valueOrErrno("poll") { poll(&entries, nfds_t(entries.count), ms) }
        return entries.filter { $0.revents != 0 }.map(\.fd)
    }
}

/// One UDP datagram: the capture's fence marker, sent on a port the experiment never uses so
/// the capture filter's companion rule can tell it apart. On two hosts it goes to the other
/// host, so it crosses the captured interface.
public enum Marker {
    public static func send(to destination: IPv4Address = .loopback, port: UInt16, payload: [UInt8]) throws(SystemError) {
        let fd = try valueOrErrno("socket") { socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        defer { _ = Glibc.close(fd) }
        let endpoint = SocketAddress(destination, port: port)
        var address = endpoint.socketAddress
        _ = try valueOrErrno("sendto", endpoint.description) {
            payload.withUnsafeBytes { raw in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
        }
    }
}

public enum Clock {
    /// CLOCK_MONOTONIC now, for step timings.
    public static func now() -> ContinuousClock.Instant { ContinuousClock.now }

    /// Checks `condition` every `interval` until it holds or `limit` passes; true when it held.
    /// For a state the kernel gives no notice of (a socket's TCP state in the socket table): the
    /// wait ends on the state itself, never on the time alone.
    @discardableResult
    public static func poll(every interval: Duration, for limit: Duration, until condition: () -> Bool) -> Bool {
        let end = ContinuousClock.now + limit
        while true {
            if condition() { return true }
            if ContinuousClock.now >= end { return false }
            sleep(interval)
        }
    }

    /// A plain sleep. It is an experiment step ("the server sleeps 5 s"), never a way to wait
    /// for something to happen.
    public static func sleep(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
    }
}

public enum ProcessSetup {
    /// Sends on a closed peer should return EPIPE to the step, not kill the process.
    public static func ignoreSIGPIPE() { signal(SIGPIPE, SIG_IGN) }

    /// On SIGINT or SIGTERM: kill the children still tracked, remove partial files, exit 130/143.
    public static func cleanUpOnInterrupt() { clinux_install_interrupt_cleanup() }

    /// Line-buffers standard output, so a log or a pipe shows each verdict as it is reached.
    public static func lineBufferStandardOutput() { clinux_line_buffer_stdout() }
}
