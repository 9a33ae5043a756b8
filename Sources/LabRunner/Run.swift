import LabModel
import LabCapture
import LabPackets
import LabSystem
import Synchronization

/// Why a run could not be carried out at all (as opposed to an expectation failing).
public enum RunError: Error, Sendable, CustomStringConvertible {
    /// No privilege to make a namespace or capture. Exit 77.
    case permission(String)
    /// The harness itself failed. Exit 70.
    case harness(String)
    /// The experiment needs a link this namespace lacks and tcplab may not make (the current
    /// namespace of a container). Not the programs' failure. Exit 69.
    case notReproducible(String)

    public var description: String {
        switch self {
        case let .permission(message), let .harness(message): message
        case let .notReproducible(reason): "not reproducible here: \(reason)"
        }
    }

    public var exitCode: Int32 {
        switch self {
        case .permission: 77
        case .harness: 70
        case .notReproducible: NetworkMode.notReproducibleExitCode
        }
    }

    static let remedy = "run as root, or enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)"
}

/// One experiment carried out on real kernel TCP in a private network namespace:
/// capture first, then the endpoints, then the capture drained up to its end fence.
public enum Run {
    /// UDP port of the fence markers: never an experiment's port, admitted by the filter's
    /// companion rule, and left out of the written trace.
    public static let fencePort = Experiment.fencePort
    /// How long the kernel gets to finish a teardown after both endpoints have closed.
    /// On loopback it takes microseconds; the bound only stops a broken run.
    static let teardownGrace: Duration = .seconds(5)

    /// `out` is the folder a program is told about as `{out}`.
    public static func perform(_ experiment: Experiment, out: String = ".", progress: RunProgress? = nil) throws(RunError) -> RunRecord {
        let host = try RunHost()
        defer { host.close() }
        return try host.perform(experiment, out: out, progress: progress)
    }

    /// Runs on the host's thread: `unshare` moves only the calling thread, so the process's other
    /// threads, and other runs, keep their own namespaces. `network` is the namespace and capture
    /// left by the run before, reused when this run's link, filter and snap length are the same.
    static func perform(_ experiment: Experiment, out: String, progress: RunProgress?,
                        reusing network: inout RunNetwork?) throws(RunError) -> RunRecord {
        var phases = Phases(progress: progress)
        progress?.enter("namespace")
        // A program may connect to the wrong port; in the run's own namespace every TCP
        // packet is the run's, so all of them are kept to show it. In a shared one only the
        // run's own port is, whatever else uses lo.
        let tcp = experiment.programs.isEmpty || experiment.network == .current ? "tcp port \(experiment.port)" : "tcp"
        var settings = LiveCapture.Settings(filter: "\(tcp) or udp port \(fencePort)")
        settings.snapLength = experiment.snapLength
        let ready = try self.network(for: experiment, settings: settings, reusing: &network, phases: &phases)
        var session = CaptureSession(captures: ready.captures, wakeup: ready.wakeup, fencePort: fencePort,
                                     fenceDestination: ready.topology.fenceDestination, progress: progress)
        phases.end("capture open", next: "start fence")
        do {
            try session.fence(.start, within: .seconds(2))
        } catch {
            throw .harness("capture incomplete: \(error)")
        }
        phases.end("capture start", next: "experiment")
        let events = Events()
        let records = Mutex<[EndpointRecord]>([])
        let origin = ContinuousClock.now
        let threads = startEndpoints(experiment, topology: ready.topology, events: events, origin: origin, out: out,
                                     wakeup: session.wakeup) { record in records.withLock { $0.append(record) } }
        let captureFailure = watch(&session, experiment: experiment, events: events, origin: origin, phases: &phases)
        for thread in threads { thread.join() }
        phases.end("teardown", next: "capture close")
        let drops = try dropsDuring(ready)
        phases.end("capture close", next: "writing")  // closed when the host is done with it
        let endpoints = records.withLock { $0 }.sorted { $0.side == .server && $1.side == .client }
        if let captureFailure, session.frames.isEmpty {
            throw .harness("capture incomplete: \(captureFailure)")
        }
        let capture = ready.captures[0]
        var record = RunRecord(
            experiment: experiment.name, linkType: capture.linkType, snapLength: capture.snapLength,
            frames: session.frames, drops: drops,
            startFenceSeen: session.startSeen, endFenceSeen: session.endSeen, teardownSeen: session.teardownSeen,
            duplicateFrames: session.duplicates, endpoints: endpoints, phases: phases.done)
        record.mergedFrames = session.mergedFrames
        // A scripted side stopped at the deadline because a program hung is the program's failure,
        // said by its endpoint; only a run whose own script ran away is the harness's.
        let programFailed = endpoints.contains { $0.program != nil && $0.failure != nil }
        if endpoints.contains(where: \.stoppedAtDeadline), !programFailed { record.deadlinePassed = experiment.deadline }
        return record
    }
}

/// A run's namespace and capture, kept by a `RunHost` for the next run of the same kind.
final class RunNetwork {
    let link: LinkProfile
    let settings: LiveCapture.Settings
    let topology: Topology
    let captures: [LiveCapture]
    let wakeup: Wakeup
    /// The captures' drop counters when the last run ended.
    var drops = 0

    init(link: LinkProfile, settings: LiveCapture.Settings, topology: Topology, captures: [LiveCapture], wakeup: Wakeup) {
        self.link = link
        self.settings = settings
        self.topology = topology
        self.captures = captures
        self.wakeup = wakeup
    }

    func close() { for capture in captures { capture.close() } }
}

/// Carries runs out one after another on one thread, reusing the namespace and the capture
/// (socket and ring) between consecutive runs of the same link and filter: setting them up and
/// releasing them costs the kernel RCU grace periods, tens of milliseconds a run. Each run is
/// still fenced on its own (its own token), and its trace holds only what came between its fences.
public final class RunHost: @unchecked Sendable {
    // Sendable: `network` is read and written only inside jobs on `thread`, one at a time.
    // Sendable: `network` is used only on `thread`, one job at a time.
    private let thread: SerialThread
    private var network: RunNetwork?

    public init() throws(RunError) {
        do {
            thread = try SerialThread()
        } catch {
            throw .harness("cannot start the run thread: \(error)")
        }
    }

    public func perform(_ experiment: Experiment, out: String = ".", progress: RunProgress? = nil) throws(RunError) -> RunRecord {
        try thread.run { () -> Result<RunRecord, RunError> in
            let outcome = Result { () throws(RunError) -> RunRecord in
                try Run.perform(experiment, out: out, progress: progress, reusing: &self.network)
            }
            // After a harness failure nothing of the network is trusted for the next run; nor after
            // a program, whose processes (a daemon that left its group) could still hold its ports.
            if case .failure = outcome {
                self.network?.close()
                self.network = nil
            } else if !experiment.programs.isEmpty {
                self.network?.close()
                self.network = nil
            }
            return outcome
        }.get()
    }

    /// Releases the namespace and capture, and the thread.
    public func close() {
        thread.run {
            self.network?.close()
            self.network = nil
        }
        thread.stop()
    }
}
