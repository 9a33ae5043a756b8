#if canImport(Glibc)
import Glibc
#endif

/// Writes a whole file so that it appears under its name only when complete: a reader (or an
/// interrupt) never sees half of it.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String) throws(SystemError) {
        let temporary = FileSystem.temporaryName(for: path)
        do {
            try FileOutput.write(bytes, toFile: temporary)
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
