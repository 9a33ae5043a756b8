import LabRunner
import Synchronization

/// The run hosts of a job's threads: a series takes one, runs on it, and gives it back, so the
/// next series of that thread reuses its namespace and capture when its link and filter match.
final class RunHostPool: Sendable {
    private let idle = Mutex<[RunHost]>([])

    /// A host to run a series on; nil when no thread can be had (the series then makes its own).
    func take() -> RunHost? {
        if let host = idle.withLock({ $0.popLast() }) { return host }
        return try? RunHost()
    }

    func giveBack(_ host: RunHost) { idle.withLock { $0.append(host) } }

    /// Releases every host's namespace, capture and thread.
    func close() {
        for host in idle.withLock({ hosts in defer { hosts = [] }; return hosts }) { host.close() }
    }
}
