import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// One program's sandbox, prepared before it starts and removed after it ends: its identity,
/// its cgroups, its scratch folder. The keeper that builds the rest is in Sandbox.c.
///
/// Why the kernel's own calls and not bubblewrap: bwrap under root keeps host uid 0 for the
/// program (its `--uid` is a mapping inside a user namespace), it has no cgroup limits and no
/// report of what the program used, so it would still need a uid switch, cgroups, rlimits and a
/// reaper around it; and a second process to exec costs more per start than a clone.
public final class Sandbox: @unchecked Sendable {
    // Sendable: every property is set in init and only read afterwards.
    public let level: IsolationLevel
    public let limits: SandboxLimits
    /// The scratch as the program sees it: its working folder, its HOME, the parent of `{out}`.
    public let scratch: String
    /// The program's folder, read-only at its own path and copied into the scratch.
    let submission: String?
    /// The host folder that receives the scratch's `out` folder when the program ends.
    let out: String?
    /// The program's own uid and gid (as root); nil keeps tcplab's.
    public let identity: (uid: UInt32, gid: UInt32)?
    let cgroups: SandboxCgroups?
    /// Whether, without a memory cgroup, the memory limit bounds the address space instead
    /// (RLIMIT_AS). Not for Chromium: V8 reserves far more address space than it ever uses.
    let boundsAddressSpace: Bool

    /// `{out}` as the program sees it.
    public var outFolder: String { scratch + "/out" }
    /// Where strace writes its log, as the program sees it; the keeper copies it out.
    public var traceLog: String { (level == .sandbox ? "/tmp" : scratch) + "/.tcplab-strace.log" }

    /// The first uid of the range sandboxes take as root, as isolate takes 60000 and up: far above
    /// any account's, and a block of 256 per tcplab process (`SandboxOwner.uidBlock`), so no two
    /// live sandboxes share one.
    public static let firstUID: UInt32 = 2_000_000_000

    /// Root of the machine, not root of a user namespace of tcplab's own (`CapturePrivilege`).
    public static let isRealRoot: Bool = {
        guard geteuid() == 0, let map = try? FileSystem.contents(of: "/proc/self/uid_map") else { return false }
        let fields = String(decoding: map, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        return fields.count >= 3 && fields[0] == "0" && fields[1] == "0" && fields[2] == "4294967295"
    }()

    /// `earlier`: a sandbox whose program has ended, whose uid this one takes again, so that a
    /// folder its program owns (a browser's profile, from one visit to the next) stays its own.
    public init(level: IsolationLevel, limits: SandboxLimits, submission: String?, out: String?,
                identityOf earlier: Sandbox? = nil, boundingAddressSpace: Bool = true) throws(SystemError) {
        self.level = level
        self.boundsAddressSpace = boundingAddressSpace
        self.limits = limits
        self.submission = submission
        self.out = out
        if Self.isRealRoot {
            let owner = SandboxOwner.current
            let uid = earlier?.identity?.uid ?? Self.firstUID + owner.uidBlock * 256 + UInt32(clinux_next_box_number() % 256)
            identity = (uid, uid)
            cgroups = SandboxCgroups(name: "tcplab-\(owner.name)-\(uid)", limits: limits)
        } else {
            identity = nil
            cgroups = nil
        }
        if level == .container {
            Self.sweepScratchFolders()
            let folder = try FileSystem.makeTemporaryFolder(prefix: "tcplab-box-\(SandboxOwner.current.name)-")
            if let identity { _ = chown(folder, identity.uid, identity.gid) }
            scratch = folder
        } else {
            scratch = "/box"
        }
    }

    /// Scratch folders on disk that an interrupted tcplab left (an interrupt kills the programs at
    /// once, and has no safe way to remove a tree): those of a tcplab process that is gone.
    private static func sweepScratchFolders() {
        let folder = FileSystem.temporaryFolder
        for name in (try? FileSystem.entries(of: folder)) ?? [] where name.hasPrefix("tcplab-box-") {
            if SandboxOwner.parse(name.dropFirst(11))?.isGone == true { FileSystem.removeTree(folder + "/" + name) }
        }
    }

    /// Whether its program runs as root (of tcplab's own user namespace, when tcplab is not the
    /// machine's root): Chromium refuses its own sandbox then.
    public var programIsRoot: Bool { identity == nil && geteuid() == 0 }

    /// Gives a folder tcplab made to the sandbox's uid, for its program to write.
    public func handOver(_ folder: String) throws(SystemError) {
        guard let identity else { return }
        if chown(folder, identity.uid, identity.gid) != 0 { throw SystemError(call: "chown", subject: folder, errno: errno) }
    }

    /// Removes what init made: the cgroups (now empty) and a scratch folder on disk.
    public func remove() {
        cgroups?.remove()
        if level == .container { FileSystem.removeTree(scratch) }
    }

    /// tcplab's PATH without the folders the sandbox hides (a home's pyenv shims), or the
    /// system's own when none is left.
    public static let searchPath: String = {
        let visible = systemEntries.folders + systemEntries.links.map(\.0)
        let kept = FileSystem.searchPath.split(separator: ":").filter { folder in
            visible.contains { folder == $0 || folder.hasPrefix($0 + "/") }
        }
        return kept.isEmpty ? "/usr/local/bin:/usr/bin:/bin" : kept.joined(separator: ":")
    }()

    /// A folder to mount the scratch on in the keeper's own mount namespace: one that does not
    /// hold the program's folder, which the keeper binds by its path after that mount.
    static func staging(avoiding folder: String?) -> String {
        let candidates = ["/tmp", "/mnt", "/run", "/var/tmp", "/srv", "/media"]
        return candidates.first { candidate in
            FileSystem.isDirectory(candidate) && !(folder.map { $0 == candidate || $0.hasPrefix(candidate + "/") } ?? false)
        } ?? "/tmp"
    }

    /// The host's top-level folders the program sees read-only, and the links among them
    /// (merged /usr makes /bin a link to usr/bin).
    static let systemEntries: (folders: [String], links: [(String, String)]) = {
        var folders: [String] = [], links: [(String, String)] = []
        for name in ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt"] {
            var info = stat()
            guard lstat(name, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFLNK, let target = FileSystem.linkTarget(name) {
                links.append((name, target))
            } else if info.st_mode & S_IFMT == S_IFDIR {
                folders.append(name)
            }
        }
        return (folders, links)
    }()
}

/// A sandbox's memory and pids cgroups (v1), as root only: cgroup v1 cannot be delegated to a user.
struct SandboxCgroups {
    let memory: String?
    let pids: String?

    init?(name: String, limits: SandboxLimits) {
        let memory = Self.make("/sys/fs/cgroup/memory", name, [("memory.limit_in_bytes", limits.memory),
                                                               ("memory.memsw.limit_in_bytes", limits.memory)])
        let pids = Self.make("/sys/fs/cgroup/pids", name, [("pids.max", limits.processes)])
        if memory == nil && pids == nil { return nil }
        self.memory = memory
        self.pids = pids
    }

    private static func make(_ hierarchy: String, _ name: String, _ settings: [(String, Int)]) -> String? {
        guard FileSystem.isWritableDirectory(hierarchy) else { return nil }
        Self.sweep(hierarchy)
        let path = hierarchy + "/" + name
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { return nil }
        for (file, value) in settings {
            // memsw exists only with swap accounting; without it there is no swap to escape to.
            if file.contains("memsw") && access(path + "/" + file, F_OK) != 0 { continue }
            guard (try? FileSystem.writeSetting("\(value)\n", to: path + "/" + file)) != nil else {
                _ = rmdir(path)
                return nil
            }
        }
        return path
    }

    /// Cgroups an interrupted tcplab left: those of a tcplab process that no longer exists (the
    /// owner in the name says which), so a live one's fresh, still empty cgroup is never taken.
    private static func sweep(_ hierarchy: String) {
        for name in (try? FileSystem.entries(of: hierarchy)) ?? [] where name.hasPrefix("tcplab-") {
            if SandboxOwner.parse(name.dropFirst(7))?.isGone == true { _ = rmdir(hierarchy + "/" + name) }
        }
    }

    var procsFiles: [String] { [memory, pids].compactMap { $0.map { $0 + "/cgroup.procs" } } }

    /// The cgroups' counters once everything in them has ended.
    func counters() -> (peakMemory: Int64?, memoryRefused: Bool, peakProcesses: Int?, processesRefused: Int) {
        let peak = memory.flatMap { Self.number($0 + "/memory.max_usage_in_bytes") }
        let failures = memory.flatMap { Self.number($0 + "/memory.failcnt") } ?? 0
        let oomKills = memory.flatMap { Self.field("oom_kill", in: $0 + "/memory.oom_control") } ?? 0
        let peakProcesses = pids.flatMap { Self.number($0 + "/pids.peak") }.map { Int($0) }
        let refused = pids.flatMap { Self.field("max", in: $0 + "/pids.events") } ?? 0
        return (peak, failures > 0 || oomKills > 0, peakProcesses, Int(refused))
    }

    func remove() {
        for path in [memory, pids].compactMap({ $0 }) { _ = rmdir(path) }
    }

    private static func number(_ path: String) -> Int64? {
        guard let bytes = try? FileSystem.contents(of: path) else { return nil }
        return Int64(String(decoding: bytes, as: UTF8.self).trimmingWhitespace())
    }

    private static func field(_ name: String, in path: String) -> Int64? {
        guard let bytes = try? FileSystem.contents(of: path) else { return nil }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2 && parts[0] == name { return Int64(parts[1]) }
        }
        return nil
    }
}

extension String {
    func trimmingWhitespace() -> String {
        String(self.drop(while: { $0 == " " || $0 == "\n" }).reversed().drop(while: { $0 == " " || $0 == "\n" }).reversed())
    }
}
