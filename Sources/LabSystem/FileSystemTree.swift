import CLinux
#if canImport(Glibc)
import Glibc
#endif

extension FileSystem {
    /// A new empty folder, mode 700, in `temporaryFolder`. The corresponding C function is `mkdtemp`.
    public static func makeTemporaryFolder(prefix: String) throws(SystemError) -> String {
        var template = Array((temporaryFolder + "/" + prefix + "XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) }
        }
        guard let made else { throw SystemError(call: "mkdtemp", subject: temporaryFolder, errno: errno) }
        return made
    }

    /// `rm -rf`: never follows a symlink, so a link a program left cannot point it elsewhere.
    public static func removeTree(_ path: String) {
        _ = clinux_remove_tree(path)
    }

    /// What a symlink points at, as written in it. The corresponding C function is `readlink`.
    public static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink(path, &buffer, buffer.count - 1)
        guard length >= 0 else { return nil }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The names in a folder, "." and ".." left out.
    public static func entries(of path: String) throws(SystemError) -> [String] {
        guard let dir = opendir(path) else { throw SystemError(call: "opendir", subject: path, errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Writes `text` to an existing file (a cgroup's setting), in one write.
    public static func writeSetting(_ text: String, to path: String) throws(SystemError) {
        let fd = try valueOrErrno("open", path) { open(path, O_WRONLY | O_CLOEXEC) }
        defer { _ = Glibc.close(fd) }
        let written = try valueOrErrno("write", path) { text.withCString { Glibc.write(fd, $0, strlen($0)) } }
        if written != text.utf8.count { throw SystemError(call: "write", subject: path, errno: EIO) }
    }
}
