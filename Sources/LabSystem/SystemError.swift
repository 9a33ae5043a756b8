#if canImport(Glibc)
import Glibc
#endif

/// A failed system call, named after the call and the object it acted on,
/// e.g. `recv(fd 7): Connection reset by peer (errno 104)`.
public struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    public var call: String
    public var subject: String
    public var errno: Int32

    public init(call: String, subject: String = "", errno: Int32) {
        self.call = call
        self.subject = subject
        self.errno = errno
    }

    /// The symbolic name (`ECONNRESET`) where we know it, so experiments can name errors.
    public var symbol: String { Errno.symbol(for: errno) }

    /// "No such file or directory", for messages that already name the file.
    public static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }

    public var isPermissionDenied: Bool { errno == EPERM || errno == EACCES }

    public var isTimeout: Bool { errno == EAGAIN || errno == EWOULDBLOCK || errno == ETIMEDOUT }

    public var description: String {
        let reason = String(cString: strerror(errno))
        let target = subject.isEmpty ? "" : "(\(subject))"
        return "\(call)\(target): \(reason) (\(symbol), errno \(errno))"
    }
}

public enum Errno {
    static let symbols: [Int32: String] = [
        EPERM: "EPERM", ENOENT: "ENOENT", EINTR: "EINTR", EBADF: "EBADF", EAGAIN: "EAGAIN",
        EACCES: "EACCES", EINVAL: "EINVAL", EPIPE: "EPIPE", EADDRINUSE: "EADDRINUSE",
        ECONNRESET: "ECONNRESET", ECONNREFUSED: "ECONNREFUSED", ECONNABORTED: "ECONNABORTED",
        ETIMEDOUT: "ETIMEDOUT", ENOTCONN: "ENOTCONN", ENOSYS: "ENOSYS", ENODEV: "ENODEV",
        EOPNOTSUPP: "EOPNOTSUPP", EHOSTUNREACH: "EHOSTUNREACH", ENETUNREACH: "ENETUNREACH",
        ENOSPC: "ENOSPC", ENOMEM: "ENOMEM", EMFILE: "EMFILE", EFBIG: "EFBIG", ECHILD: "ECHILD",
    ]

    public static func symbol(for code: Int32) -> String { symbols[code] ?? "E\(code)" }

    public static func code(forSymbol name: String) -> Int32? {
        symbols.first { $0.value == name }?.key
    }
}

/// Runs a call that returns -1 and sets errno on failure, retrying EINTR when asked.
/// Never used for `close`, which must not be retried.
@inline(__always)
func valueOrErrno<T: BinaryInteger>(
    _ call: String, _ subject: @autoclosure () -> String = "",
    retryOnInterrupt: Bool = true, _ body: () -> T
) throws(SystemError) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = Glibc.errno
        if retryOnInterrupt && code == EINTR { continue }
        throw SystemError(call: call, subject: subject(), errno: code)
    }
}
