import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// A private network namespace made by one thread and joined by others.
///
/// Namespaces are per thread on Linux: `unshare(CLONE_NEWNET)` moves only the calling
/// thread, so several runs can each own one inside the same process. The namespace
/// lives while a thread is in it or this handle's descriptor is open.
public final class NetworkNamespace: @unchecked Sendable {
    // Sendable: it holds only its descriptor, a constant; setns() on it is safe from any thread.
    // Sendable: the descriptor is written once in init and only read afterwards.
    public let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit { _ = Glibc.close(fd) }

    /// Moves the calling thread into a new network namespace and returns a handle to it.
    /// Its `lo` starts down; call `Interface.up("lo")` from this thread next.
    public static func unshareCurrentThread() throws(SystemError) -> NetworkNamespace {
        _ = try valueOrErrno("unshare(CLONE_NEWNET)", retryOnInterrupt: false) { clinux_unshare_net() }
        let fd = try valueOrErrno("open", "/proc/thread-self/ns/net") {
            open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        }
        return NetworkNamespace(fd: fd)
    }

    /// Moves the calling thread into this namespace.
    public func enter() throws(SystemError) {
        _ = try valueOrErrno("setns(CLONE_NEWNET)", "fd \(fd)", retryOnInterrupt: false) { clinux_setns_net(fd) }
    }

    /// The inode that identifies the namespace, as `ls -l /proc/*/ns/net` shows it.
    public var inode: UInt64 {
        var info = stat()
        return fstat(fd, &info) == 0 ? UInt64(info.st_ino) : 0
    }
}

/// Link settings of an interface in the calling thread's namespace.
public enum Interface {
    public static func up(_ name: String) throws(SystemError) {
        _ = try valueOrErrno("ioctl(SIOCSIFFLAGS)", name, retryOnInterrupt: false) { clinux_interface_up(name) }
    }

    public static func setMTU(_ name: String, _ mtu: Int) throws(SystemError) {
        _ = try valueOrErrno("ioctl(SIOCSIFMTU)", "\(name) mtu \(mtu)", retryOnInterrupt: false) {
            clinux_interface_set_mtu(name, Int32(mtu))
        }
    }

    /// A veth pair: `name` in the calling thread's namespace, `peer` in `namespace`, both down.
    public static func createVethPair(_ name: String, peer: String, peerNamespace namespace: NetworkNamespace) throws(SystemError) {
        _ = try valueOrErrno("netlink(RTM_NEWLINK veth)", "\(name) ↔ \(peer)", retryOnInterrupt: false) {
            clinux_veth_create(name, peer, namespace.fd)
        }
    }

    /// Gives `name` the address `local`, with `peer` as the one host reachable through it.
    public static func addAddress(_ name: String, local: IPv4Address, peer: IPv4Address) throws(SystemError) {
        _ = try valueOrErrno("netlink(RTM_NEWADDR)", "\(local) peer \(peer) on \(name)", retryOnInterrupt: false) {
            clinux_address_add(name, local.value.bigEndian, peer.value.bigEndian)
        }
    }

    /// Turns TSO, GSO and GRO on or off, so segments leave at the MSS instead of as one super-packet.
    public static func setOffloads(_ name: String, enabled: Bool) throws(SystemError) {
        _ = try valueOrErrno("ioctl(SIOCETHTOOL)", name, retryOnInterrupt: false) {
            clinux_interface_set_offloads(name, enabled ? 1 : 0)
        }
    }
}

/// How this process may capture: as root directly, or inside its own user namespace.
public enum CapturePrivilege {
    public enum Outcome: Sendable, Equatable {
        case root
        case userNamespace
        case unavailable(reason: String)
    }

    /// For a non-root user, moves the whole process into a new user + network namespace in
    /// which it is root over its own `lo`. Must run before any other thread exists:
    /// `unshare(CLONE_NEWUSER)` refuses a multi-threaded process.
    public static func acquire() -> Outcome {
        let uid = getuid(), gid = getgid()
        if geteuid() == 0 { return .root }
        if clinux_unshare_user_and_net() != 0 {
            let error = SystemError(call: "unshare(CLONE_NEWUSER|CLONE_NEWNET)", errno: Glibc.errno)
            return .unavailable(reason: error.description)
        }
        let writes = [("/proc/self/setgroups", "deny"), ("/proc/self/uid_map", "0 \(uid) 1"), ("/proc/self/gid_map", "0 \(gid) 1")]
        for (path, text) in writes {
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { return .unavailable(reason: "open(\(path)): \(String(cString: strerror(Glibc.errno)))") }
            let written = text.withCString { write(fd, $0, strlen($0)) }
            let code = Glibc.errno
            _ = Glibc.close(fd)
            if written < 0 { return .unavailable(reason: "write(\(path)): \(String(cString: strerror(code)))") }
        }
        return .userNamespace
    }
}

/// The calling thread's namespace's sysctls: /proc/sys/net resolves to the namespace of the
/// thread that opens it, so a thread inside a run's namespace sets that namespace's TCP.
public enum Sysctl {
    /// `name` as sysctl writes it: "net.ipv4.tcp_sack".
    public static func set(_ name: String, _ value: String) throws(SystemError) {
        let path = "/proc/sys/" + name.replacingDots()
        let fd = try valueOrErrno("open", path) { open(path, O_WRONLY | O_CLOEXEC) }
        defer { _ = Glibc.close(fd) }
        let text = value + "\n"
        let written = try valueOrErrno("write", "\(path) = \(value)") { text.withCString { write(fd, $0, strlen($0)) } }
        if written != text.utf8.count { throw SystemError(call: "write", subject: path, errno: EIO) }
    }

    /// True when this kernel has the setting (IPv6 may be compiled out).
    public static func exists(_ name: String) -> Bool { access("/proc/sys/" + name.replacingDots(), F_OK) == 0 }
}

extension String {
    fileprivate func replacingDots() -> String { String(map { $0 == "." ? "/" : $0 }) }
}
