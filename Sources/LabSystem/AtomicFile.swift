#if canImport(Glibc)
import Glibc
#endif

/// Writes a whole file so that it appears under its name only when complete: a reader (or an
/// interrupt) never sees half of it.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String) throws(SystemError) {
        let temporary = FileSystem.temporaryName(for: path)
        do {
            try FileOutput.write(bytes, toDescriptor: try FileSystem.createPartial(temporary), named: temporary)
            try FileSystem.rename(temporary, to: path)
        } catch {
            FileSystem.remove(temporary)
            // The temporary name means nothing to the user: name the file they asked for.
            throw SystemError(call: error.call, subject: path, errno: error.errno)
        }
    }

    public static func write(_ text: String, to path: String) throws(SystemError) {
        try write(Array(text.utf8), to: path)
    }
}

public enum Kernel {
    /// `uname -sr`: "Linux 6.1.0-18-amd64", for the record of where a trace was taken.
    public static var release: String {
        var names = utsname()
        guard uname(&names) == 0 else { return "unknown kernel" }
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return "\(field(names.sysname)) \(field(names.release))"
    }
}

/// A file written in pieces that appears under its name only when whole, as `AtomicFile.write`
/// does for one written at once: for output too large to build in memory (a check's JSON with
/// a million packets). Until `commit`, the bytes go to a temporary name beside it, which an
/// interrupt or a failure removes.
public final class AtomicFileWriter {
    public let path: String
    private let temporary: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var open = true
    private static let flushAt = 1 << 20

    public init(_ path: String) throws(SystemError) {
        self.path = path
        let temporary = FileSystem.temporaryName(for: path)
        self.temporary = temporary
        do {
            fd = try FileSystem.createPartial(temporary)
        } catch {
            FileSystem.remove(temporary)
            throw SystemError(call: error.call, subject: path, errno: error.errno)
        }
        buffer.reserveCapacity(Self.flushAt + 4096)
    }

    deinit { abandon() }

    public func append(_ text: String) throws(SystemError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.flushAt { try flush() }
    }

    public func append(_ bytes: [UInt8]) throws(SystemError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.flushAt { try flush() }
    }

    /// Writes what is left, closes the file and gives it its name. On a failure nothing is left
    /// behind under either name.
    public func commit() throws(SystemError) {
        do {
            try flush()
        } catch {
            abandon()
            throw SystemError(call: error.call, subject: path, errno: error.errno)
        }
        open = false
        do {
            _ = try valueOrErrno("close", path, retryOnInterrupt: false) { Glibc.close(fd) }
            try FileSystem.rename(temporary, to: path)
        } catch {
            FileSystem.remove(temporary)
            throw SystemError(call: error.call, subject: path, errno: error.errno)
        }
    }

    /// Closes the file and removes it: nothing was made.
    public func abandon() {
        guard open else { return }
        open = false
        _ = Glibc.close(fd)
        FileSystem.remove(temporary)
    }

    private func flush() throws(SystemError) {
        try writeAll(fd, buffer, subject: path)
        buffer.removeAll(keepingCapacity: true)
    }
}
