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
        let fd = try valueOrErrno("open", path) { open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        var failure: SystemError?
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                do throws(SystemError) {
                    let n = try valueOrErrno("write", path) { Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset) }
                    // A regular file never takes 0 bytes of a non-empty write; stop rather than spin.
                    guard n > 0 else { failure = SystemError(call: "write", subject: path, errno: EIO); return }
                    offset += n
                } catch {
                    failure = error
                    return
                }
            }
        }
        if let failure {
            _ = Glibc.close(fd)
            throw failure
        }
        _ = try valueOrErrno("close", path, retryOnInterrupt: false) { Glibc.close(fd) }
    }

    private static func write(fd: Int32, _ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 { if errno == EINTR { continue }; return }  // EPIPE: the reader left
                offset += n
            }
        }
    }
}
