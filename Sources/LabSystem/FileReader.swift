#if canImport(Glibc)
import Glibc
#endif

/// Reads a file in large chunks with plain `read` calls, for streaming decoders.
public final class FileReader: Sendable {
    public let path: String
    private let fd: Int32

    public init(path: String) throws(SystemError) {
        self.path = path
        fd = try valueOrErrno("open", path) { open(path, O_RDONLY | O_CLOEXEC) }
        var info = stat()
        if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            _ = Glibc.close(fd)
            throw SystemError(call: "open", subject: path, errno: EISDIR)
        }
    }

    deinit { _ = Glibc.close(fd) }

    /// One `read` into `buffer`; returns the byte count, 0 at end of file.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> Int {
        try valueOrErrno("read", path) { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    /// The next chunk of at most `size` bytes; empty at end of file.
    public func read(upTo size: Int = 4 << 20) throws(SystemError) -> [UInt8] {
        var failure: SystemError?
        // Uninitialised capacity: zeroing 4 MiB per chunk would cost as much as reading it.
        let chunk = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            do throws(SystemError) {
                count = try valueOrErrno("read", path) { Glibc.read(fd, buffer.baseAddress, size) }
            } catch {
                failure = error
                count = 0
            }
        }
        if let failure { throw failure }
        return chunk
    }
}
