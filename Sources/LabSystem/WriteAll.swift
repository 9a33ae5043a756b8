#if canImport(Glibc)
import Glibc
#endif

/// Writes every byte to `fd`: as many `write` calls as the kernel needs, EINTR retried. The one
/// such loop in LabSystem, for files, temporary files and standard output alike. A write that
/// takes 0 bytes of a non-empty buffer is an error (EIO) rather than a loop that spins.
func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, subject: @autoclosure () -> String) throws(SystemError) {
    guard let base = bytes.baseAddress else { return }  // nothing to write
    var offset = 0
    while offset < bytes.count {
        let start = offset
        let n = try valueOrErrno("write", subject()) { Glibc.write(fd, base + start, bytes.count - start) }
        guard n > 0 else { throw SystemError(call: "write", subject: subject(), errno: EIO) }
        offset += n
    }
}

/// The same for an array's bytes.
func writeAll(_ fd: Int32, _ bytes: [UInt8], subject: @autoclosure () -> String) throws(SystemError) {
    let written = bytes.withUnsafeBytes { buffer in
        Result { () throws(SystemError) in try writeAll(fd, buffer, subject: subject()) }
    }
    try written.get()
}
