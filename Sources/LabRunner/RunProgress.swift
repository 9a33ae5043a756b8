import LabModel
import Synchronization

/// What a run is doing right now, for a live status line: its phase, since when, and how
/// many packets the capture holds. Written by the run's thread, read by the display's.
public final class RunProgress: Sendable {
    public struct Snapshot: Sendable {
        public var experiment: String
        public var phase: String
        public var started: ContinuousClock.Instant
        public var packets: Int
    }

    private let state: Mutex<Snapshot>

    public init(experiment: String) {
        state = Mutex(Snapshot(experiment: experiment, phase: "starting", started: .now, packets: 0))
    }

    public var snapshot: Snapshot { state.withLock { $0 } }

    func enter(_ phase: String) { state.withLock { $0.phase = phase } }

    func captured(_ packets: Int) { state.withLock { $0.packets = packets } }
}
