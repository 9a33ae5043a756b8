import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// The tcplab process a sandbox's uid, cgroups and scratch folder belong to: its PID namespace and
/// its pid there. The pid alone is not enough: tcplab processes in different PID namespaces (a
/// container per submission on one host, a test's `unshare --pid`) all see themselves at the same
/// low pids while they share the uid space, cgroupfs and often /tmp, so pid-named sandboxes of two
/// graders took each other's uids and cgroups, and one's sweep removed the other's live folders.
struct SandboxOwner: Equatable {
    /// The inode of the PID namespace (`/proc/self/ns/pid`), 0 where it cannot be read.
    let namespace: UInt64
    let pid: pid_t

    static let current: SandboxOwner = {
        var info = stat()
        let namespace = stat("/proc/self/ns/pid", &info) == 0 ? UInt64(info.st_ino) : 0
        return SandboxOwner(namespace: namespace, pid: getpid())
    }()

    /// "4026531836-1234", as it appears in names.
    var name: String { "\(namespace)-\(pid)" }

    /// The owner at the start of `text` ("NAMESPACE-PID-…"), nil for a name of another shape
    /// (an older tcplab's, or not tcplab's).
    static func parse<S: StringProtocol>(_ text: S) -> SandboxOwner? {
        let parts = text.split(separator: "-", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, let namespace = UInt64(parts[0]), let pid = pid_t(parts[1]), pid > 0 else { return nil }
        return SandboxOwner(namespace: namespace, pid: pid)
    }

    /// Whether this owner has certainly exited: only a process of this PID namespace can be asked,
    /// so another namespace's leftovers are left to a tcplab of that namespace.
    var isGone: Bool {
        self != Self.current && namespace == Self.current.namespace && kill(pid, 0) != 0 && errno == ESRCH
    }

    /// The owner's block of 256 uids above `Sandbox.firstUID`. 2^19 blocks keep every uid below
    /// 2^31 (tools such as ps print larger ones as negative) and below systemd's foreign range
    /// (2147352576). Within one namespace distinct pids below 2^19 get distinct blocks (pid_max is
    /// 32768 by default); the namespace's inode shifts the whole range, so two namespaces' tcplabs
    /// at low pids meet only by chance, about 1 in 25,000 for pids within 10 of each other.
    var uidBlock: UInt32 {
        let blocks: UInt64 = 1 << 19
        let shift = namespace == 0 ? 0 : FNV1a.hash(namespace) % blocks
        return UInt32((UInt64(UInt32(bitPattern: pid)) + shift) % blocks)
    }
}
