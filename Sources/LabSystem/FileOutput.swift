#if canImport(Glibc)
import Glibc
#endif

public enum FileOutput {
    public static func writeStandardError(_ text: String) { write(fd: 2, text) }

    /// Writes straight to fd 1, bypassing stdio, for large outputs built in memory.
    public static func writeStandardOutput(_ text: String) { write(fd: 1, text) }

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
