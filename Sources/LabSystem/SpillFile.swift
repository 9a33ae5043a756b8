#if canImport(Glibc)
import Glibc
#endif

/// An unnamed file in the temporary folder for output that must be complete before it can be
/// laid out (the explanation's column is as wide as its widest label): it holds on disk what
/// would otherwise grow in memory with the capture. It is unlinked as soon as it is made, so
/// nothing is left behind, even after a crash.
public final class SpillFile {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private static let flushAt = 1 << 20

    public init() throws(SystemError) {
        let folder = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((folder + "/tcplab-XXXXXX").utf8CString)
        let fd = try valueOrErrno("mkstemp", folder) { mkstemp(&template) }
        unlink(template)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        self.fd = fd
        buffer.reserveCapacity(Self.flushAt + 4096)
    }

    deinit { _ = Glibc.close(fd) }

    /// Appends one record of two strings, read back by `readRecords` as they were.
    public func append(record first: String, _ second: String) throws(SystemError) {
        var first = first, second = second
        first.withUTF8 { a in
            second.withUTF8 { b in
                appendLength(a.count)
                appendLength(b.count)
                buffer.append(contentsOf: a)
                buffer.append(contentsOf: b)
            }
        }
        if buffer.count >= Self.flushAt { try flush() }
    }

    /// Every record appended, in order.
    public func readRecords(_ body: (String, String) throws -> Void) throws {
        try flush()
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw SystemError(call: "lseek", subject: "a temporary file", errno: errno) }
        var pending: [UInt8] = []
        var start = 0
        let chunkSize = 1 << 20
        while true {
            // Keep the unread tail, then read the next chunk after it.
            pending.removeFirst(start)
            start = 0
            let kept = pending.count
            pending += [UInt8](repeating: 0, count: chunkSize)
            let n = try pending.withUnsafeMutableBytes { bytes throws(SystemError) -> Int in
                guard let start = bytes.baseAddress else { throw SystemError(call: "read", subject: "a temporary file", errno: EFAULT) }
                let base = start + kept
                return try valueOrErrno("read", "a temporary file") { Glibc.read(fd, base, chunkSize) }
            }
            pending.removeLast(chunkSize - n)
            if n == 0 {
                guard pending.isEmpty else { throw SystemError(call: "read", subject: "a temporary file", errno: EIO) }
                return
            }
            while pending.count - start >= 8 {
                let a = length(pending, at: start), b = length(pending, at: start + 4)
                guard pending.count - start - 8 >= a + b else { break }
                let first = String(decoding: pending[start + 8 ..< start + 8 + a], as: UTF8.self)
                let second = String(decoding: pending[start + 8 + a ..< start + 8 + a + b], as: UTF8.self)
                start += 8 + a + b
                try body(first, second)
            }
        }
    }

    private func appendLength(_ n: Int) {
        let value = UInt32(truncatingIfNeeded: n)
        for shift in stride(from: 0, to: 32, by: 8) { buffer.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    private func length(_ bytes: [UInt8], at i: Int) -> Int {
        Int(bytes[i]) | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2]) << 16 | Int(bytes[i + 3]) << 24
    }

    private func flush() throws(SystemError) {
        try writeAll(fd, buffer, subject: "a temporary file")
        buffer.removeAll(keepingCapacity: true)
    }
}
