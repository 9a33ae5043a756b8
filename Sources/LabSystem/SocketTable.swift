#if canImport(Glibc)
import Glibc
#endif

/// The TCP sockets of the calling thread's network namespace, as the kernel lists them in
/// `/proc/thread-self/net/tcp` and `tcp6` (`/proc/net` would show the process's first
/// thread's namespace, not the run's).
public enum SocketTable {
    /// The local ports with a socket in LISTEN state, sorted.
    public static func listeningPorts() -> [UInt16] {
        var ports = Set<UInt16>()
        for file in ["/proc/thread-self/net/tcp", "/proc/thread-self/net/tcp6"] {
            guard let bytes = try? FileSystem.contents(of: file) else { continue }
            ports.formUnion(parseListening(String(decoding: bytes, as: UTF8.self)))
        }
        return ports.sorted()
    }

    /// Ports in LISTEN state (`st` 0A) in the text of a `/proc/net/tcp` table.
    static func parseListening(_ table: String) -> [UInt16] {
        table.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count > 3, fields[3] == "0A", let colon = fields[1].lastIndex(of: ":") else { return nil }
            return UInt16(fields[1][fields[1].index(after: colon)...], radix: 16)
        }
    }
}
