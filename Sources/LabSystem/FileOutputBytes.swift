#if canImport(Glibc)
import Glibc
#endif

extension FileOutput {
    /// Writes `bytes` straight to fd 1, as many `write` calls as the kernel needs.
    public static func writeStandardOutput(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(1, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 { if errno == EINTR { continue }; return }  // EPIPE: the reader left
            offset += n
        }
    }
}
