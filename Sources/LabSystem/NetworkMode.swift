import CLinux
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Where a run's network lives (`--network`).
public enum NetworkMode: String, Sendable, CaseIterable, Codable {
    /// A private namespace the run makes (or two, joined by a veth pair): its link and TCP
    /// settings are the experiment's, and nothing else is on it.
    case `private`
    /// The namespace tcplab is already in, as in a container whose default profile refuses new
    /// namespaces: its `lo` as it is, settings only read, the capture filtered to the run's ports.
    case current

    /// The exit status of a run whose experiment needs a link or setting the current namespace
    /// lacks: EX_UNAVAILABLE, "not reproducible here", never the programs' failure.
    public static let notReproducibleExitCode: Int32 = 69

    /// The header's words for it.
    public var summary: String {
        switch self {
        case .private: "private namespace per run"
        case .current: "this namespace's lo (the container's own; its link and sysctls only read, the capture filtered to each run's ports)"
        }
    }
}

/// Whether this process may make a network namespace, found once by making one on a thread of
/// its own that then ends (so the namespace goes with it): a container's default profile refuses it.
public enum NetworkProbe {
    private static let refusal: String? = probe()

    /// Why a private namespace cannot be made here, or nil when it can.
    public static var privateRefusal: String? { refusal }

    private static func probe() -> String? {
        let outcome = Mutex<String?>(nil)
        do {
            let thread = try OSThread.spawn {
                if clinux_unshare_net() != 0 {
                    let error = SystemError(call: "unshare(CLONE_NEWNET)", errno: Glibc.errno)
                    outcome.withLock { $0 = "\(error.call): \(SystemError.describe(error.errno)) (\(error.symbol))" }
                }
            }
            thread.join()
        } catch {
            return "cannot start the probe's thread: \(error)"
        }
        return outcome.withLock { $0 }
    }
}

extension Interface {
    /// Whether the interface is up, in the calling thread's namespace (SIOCGIFFLAGS).
    public static func isUp(_ name: String) throws(SystemError) -> Bool {
        var flags: Int32 = 0
        _ = try valueOrErrno("ioctl(SIOCGIFFLAGS)", name, retryOnInterrupt: false) { clinux_interface_flags(name, &flags) }
        return flags & Int32(IFF_UP) != 0
    }

    public static func mtu(_ name: String) throws(SystemError) -> Int {
        var mtu: Int32 = 0
        _ = try valueOrErrno("ioctl(SIOCGIFMTU)", name, retryOnInterrupt: false) { clinux_interface_mtu(name, &mtu) }
        return Int(mtu)
    }

    /// TSO, GSO and GRO, in that order, each on or off (SIOCETHTOOL reads).
    public static func offloads(_ name: String) throws(SystemError) -> [Bool] {
        var states: [Int32] = [0, 0, 0]
        _ = try valueOrErrno("ioctl(SIOCETHTOOL)", name, retryOnInterrupt: false) {
            states.withUnsafeMutableBufferPointer { clinux_interface_offloads(name, $0.baseAddress) }
        }
        return states.map { $0 != 0 }
    }
}

extension Sysctl {
    /// The setting's value without its newline, or nil when it cannot be read.
    public static func get(_ name: String) -> String? {
        let path = "/proc/sys/" + name.split(separator: ".").joined(separator: "/")
        guard let bytes = try? FileSystem.contents(of: path) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        return String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
    }

    /// Whether the calling thread's namespace's /proc/sys/net can be written: not where /proc/sys
    /// is mounted read-only, as container runtimes do.
    public static var isWritable: Bool { access("/proc/sys/net/ipv4/tcp_no_metrics_save", W_OK) == 0 && !isReadOnlyMount }

    private static var isReadOnlyMount: Bool {
        var info = statvfs()
        return statvfs("/proc/sys", &info) == 0 && info.f_flag & UInt(ST_RDONLY) != 0
    }
}

/// A TCP port for one run in a shared namespace.
public enum FreePort {
    /// A port nothing on 127.0.0.1 holds, below the kernel's ephemeral range so no connection's
    /// own source port can take it while the run starts; random, so concurrent runs do not pick
    /// the same one. `avoiding` are ports of tcplab's own (the fences').
    public static func pick(avoiding: Set<UInt16>) throws(SystemError) -> UInt16 {
        let low = Sysctl.get("net.ipv4.ip_local_port_range").flatMap { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).first }
            .flatMap { UInt16($0) } ?? 32768
        let range: ClosedRange<UInt16> = 10000...max(10001, low - 1)
        var lastError = SystemError(call: "bind", subject: "127.0.0.1: no free port in \(range)", errno: EADDRINUSE)
        for _ in 0..<64 {
            let port = UInt16.random(in: range)
            if avoiding.contains(port) { continue }
            do {
                try TCPSocket.checkFree(port: port)
                return port
            } catch {
                lastError = error
            }
        }
        throw lastError
    }
}
