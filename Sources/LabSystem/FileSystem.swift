#if canImport(Glibc)
import Glibc
#endif
import CLinux

public enum FileSystem {
    /// The canonical absolute path, every symlink resolved. The corresponding C function is `realpath`.
    public static func realPath(_ path: String) throws(SystemError) -> String {
        guard let resolved = realpath(path, nil) else { throw SystemError(call: "realpath", subject: path, errno: errno) }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// A name beside `path` for writing before the final rename (same folder, so the rename is
    /// atomic), registered so an interrupt removes it; `rename` or `remove` unregisters it.
    /// Unique to this call: two threads writing one path (runs of a --repeat) must not share a
    /// partial file, nor untrack each other's; the random part keeps tcplabs of two PID
    /// namespaces, which can share a pid, apart in one folder.
    public static func temporaryName(for path: String) -> String {
        let name = path + ".partial-\(getpid())-\(clinux_next_partial_serial())-\(String(UInt32.random(in: 0 ... .max), radix: 36))"
        clinux_track_partial_file(name)
        return name
    }

    /// Creates (or empties) the partial file `temporaryName` gave and opens it for writing. The
    /// only way to create one: an interrupt then never leaves a partial file it did not know of.
    public static func createPartial(_ name: String, mode: Int32 = 0o644) throws(SystemError) -> Int32 {
        try valueOrErrno("open", name) { clinux_create_partial_file(name, mode) }
    }

    /// The partial file as a C stream, for a library that writes through one (libpcap's dumper).
    public static func createPartialStream(_ name: String) throws(SystemError) -> UnsafeMutablePointer<FILE> {
        let fd = try createPartial(name)
        guard let stream = fdopen(fd, "wb") else {
            let code = errno
            _ = Glibc.close(fd)
            throw SystemError(call: "fdopen", subject: name, errno: code)
        }
        return stream
    }

    /// Closes a stream `createPartialStream` gave that was not handed to its library after all.
    public static func closeStream(_ stream: UnsafeMutablePointer<FILE>) { fclose(stream) }

    /// Moves `from` onto `to` in one step. The corresponding C function is `rename`.
    public static func rename(_ from: String, to: String) throws(SystemError) {
        defer { clinux_untrack_partial_file(from) }
        _ = try valueOrErrno("rename", "\(from) → \(to)", retryOnInterrupt: false) { Glibc.rename(from, to) }
    }

    /// True while `path` is registered for removal by the interrupt handler.
    public static func isTrackedForInterrupt(_ path: String) -> Bool { clinux_partial_file_tracked(path) != 0 }

    public static func remove(_ path: String) {
        unlink(path)
        clinux_untrack_partial_file(path)
    }

    /// `mkdir -p`: creates the folder and any missing parents.
    public static func makeDirectories(_ path: String) throws(SystemError) {
        if isDirectory(path) { return }
        let parent = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        if !parent.isEmpty && parent != path { try makeDirectories(parent) }
        if mkdir(path, 0o755) != 0 {
            let code = errno
            if code == EEXIST && isDirectory(path) { return }
            // Something that is not a folder is in the way: say so, not "File exists".
            throw SystemError(call: "mkdir", subject: path, errno: code == EEXIST ? ENOTDIR : code)
        }
    }

    /// Whether files can be created in the folder: access(2) also says no on a read-only mount, even to root.
    public static func isWritableDirectory(_ path: String) -> Bool {
        isDirectory(path) && access(path, W_OK | X_OK) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// `$PATH`, or the shell's default when it is unset.
    public static var searchPath: String { getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin" }

    /// `$TMPDIR` without a trailing slash, or `/tmp`.
    public static var temporaryFolder: String {
        guard let value = getenv("TMPDIR").map({ String(cString: $0) }), !value.isEmpty else { return "/tmp" }
        return value.count > 1 && value.hasSuffix("/") ? String(value.dropLast()) : value
    }

    /// Where a command's program is: `name` itself, against `directory`, when it has a slash,
    /// else the first executable file of that name in `searchPath`'s folders, as `execvp` looks.
    public static func findExecutable(_ name: String, directory: String, searchPath: String = searchPath) -> String? {
        func runnable(_ path: String) -> Bool { isRegularFile(path) && access(path, X_OK) == 0 }
        if name.contains("/") {
            let path = name.hasPrefix("/") ? name : directory + "/" + name
            return runnable(path) ? path : nil
        }
        for folder in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            let base = folder.isEmpty ? directory : folder.hasPrefix("/") ? String(folder) : directory + "/" + folder
            if runnable(base + "/" + name) { return base + "/" + name }
        }
        return nil
    }

    public static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    /// The whole file, read with `read` calls.
    public static func contents(of path: String) throws(SystemError) -> [UInt8] {
        let reader = try FileReader(path: path)
        var bytes: [UInt8] = []
        while true {
            let chunk = try reader.read(upTo: 1 << 20)
            if chunk.isEmpty { return bytes }
            bytes += chunk
        }
    }
}

public enum WallClock {
    /// Seconds since the Unix epoch (CLOCK_REALTIME), for HTTP Date headers.
    public static func secondsSinceEpoch() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec)
    }

    /// Nanoseconds since the Unix epoch (CLOCK_REALTIME): the clock a capture's timestamps are on,
    /// so a moment tcplab acted at can be placed among the packets.
    public static func nanosecondsSinceEpoch() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}

extension FileSystem {
    /// The regular files below `path`, as paths relative to it, found by walking its folders
    /// (at most `depth` deep, never following a symlink to a folder); names starting with a dot
    /// are left out. The corresponding C functions are `opendir`, `readdir` and `lstat`.
    public static func filesBelow(_ path: String, depth: Int = 8) throws(SystemError) -> [String] {
        try listBelow(path, depth: depth).files
    }

    /// What `filesBelow` finds, and beside it the hidden entries it leaves out (a hidden folder
    /// is one entry, not walked), so a caller can say how many it skipped.
    public struct Listing: Sendable {
        public var files: [String] = []
        public var hidden: [String] = []
    }

    public static func listBelow(_ path: String, depth: Int = 8) throws(SystemError) -> Listing {
        guard let dir = opendir(path) else { throw SystemError(call: "opendir", subject: path, errno: errno) }
        defer { closedir(dir) }
        var found = Listing()
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            if name.hasPrefix(".") {
                found.hidden.append(name)
                continue
            }
            let full = path + "/" + name
            var info = stat()
            guard lstat(full, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFDIR {
                if depth > 0, let inner = try? listBelow(full, depth: depth - 1) {
                    found.files += inner.files.map { name + "/" + $0 }
                    found.hidden += inner.hidden.map { name + "/" + $0 }
                }
            } else if info.st_mode & S_IFMT == S_IFREG || info.st_mode & S_IFMT == S_IFLNK {
                found.files.append(name)
            }
        }
        return found
    }
}

extension FileSystem {
    /// The running program's own file, every symlink resolved (`/proc/self/exe`).
    public static var executablePath: String? { try? realPath("/proc/self/exe") }
}
