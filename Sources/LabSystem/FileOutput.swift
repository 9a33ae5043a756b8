#if canImport(Glibc)
import Glibc
#endif

public enum FileOutput {
    public static func writeStandardError(_ text: String) { write(fd: 2, text) }

    /// Writes straight to fd 1, bypassing stdio, for large outputs built in memory.
    public static func writeStandardOutput(_ text: String) { write(fd: 1, text) }

    /// Creates or empties `path` (mode 0644) and writes all of `bytes` to it: one `open`, as
    /// many `write` calls as the kernel needs, one `close`. The descriptor is closed on every
    /// path; a failing `close` is reported, since some file systems only say there that a
    /// write was lost.
    public static func write(_ bytes: [UInt8], toFile path: String) throws(SystemError) {
        try write(bytes, toDescriptor: try valueOrErrno("open", path) { open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }, named: path)
    }

    /// Writes all of `bytes` to `fd`, opened by the caller, and closes it; `path` names it in errors.
    public static func write(_ bytes: [UInt8], toDescriptor fd: Int32, named path: String) throws(SystemError) {
        do {
            try writeAll(fd, bytes, subject: path)
        } catch {
            _ = Glibc.close(fd)
            throw error
        }
        _ = try valueOrErrno("close", path, retryOnInterrupt: false) { Glibc.close(fd) }
    }

    /// Writes `bytes` straight to fd 1, as many `write` calls as the kernel needs.
    public static func writeStandardOutput(_ bytes: UnsafeRawBufferPointer) {
        try? writeAll(1, bytes, subject: "standard output")  // EPIPE: the reader left
    }

    private static func write(fd: Int32, _ text: String) {
        var text = text
        // A failure is dropped: it is EPIPE when the reader left, and there is nowhere to say so.
        text.withUTF8 { bytes in try? writeAll(fd, UnsafeRawBufferPointer(bytes), subject: "fd \(fd)") }
    }
}
