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
        var phases: [(String, Duration)] = []
        var mark = ContinuousClock.now
        /// Closes the phase just finished and says which one starts.
        func phase(_ name: String, next: String) {
            let now = ContinuousClock.now
            phases.append((name, now - mark))
            mark = now
            progress?.enter(next)
        }
        progress?.enter("namespace")

        // A program may connect to the wrong port; in the run's own namespace every TCP
        // packet is the run's, so all of them are kept to show it. In a shared one only the
        // run's own port is, whatever else uses lo.
        let tcp = experiment.programs.isEmpty || experiment.network == .current ? "tcp port \(experiment.port)" : "tcp"
        var settings = LiveCapture.Settings(filter: "\(tcp) or udp port \(fencePort)")
        settings.snapLength = experiment.snapLength
        if let old = network, old.link != experiment.link || old.settings != settings {
            old.close()
            network = nil
        }
        if network == nil {
            let topology: Topology
            if experiment.network == .current {
                let unmet: String?
                do { unmet = try Topology.unmet(experiment.link) } catch { throw .harness("cannot read lo's settings: \(error)") }
                if let unmet { throw .notReproducible(unmet) }
                topology = .current()
            } else {
                do {
                    topology = try Topology.make(for: experiment.link)
                } catch {
                    if error.isPermissionDenied {
                        throw .permission("cannot create a network namespace: \(error); \(RunError.remedy), or pass --network current")
                    }
                    throw .harness("cannot set up the network namespace: \(error)")
                }
            }
            phase("namespace", next: "opening capture")
            do {
                network = RunNetwork(link: experiment.link, settings: settings, topology: topology,
                                     captures: try topology.openCaptures(settings), wakeup: try Wakeup())
            } catch let error as CaptureError where error.isPermission {
                throw .permission("cannot capture on \(topology.captureInterface): \(error); \(RunError.remedy)")
            } catch {
                throw .harness("cannot start the capture: \(error)")
            }
        } else {
            phase("namespace", next: "opening capture")
        }
        // Set just above, or kept from the last run; said, not trapped, should that ever change.
        guard let ready = network else { throw .harness("the network namespace was not set up") }
        let topology = ready.topology, captures = ready.captures
        var session = CaptureSession(captures: captures, wakeup: ready.wakeup, fencePort: fencePort,
                                     fenceDestination: topology.fenceDestination, progress: progress)
        phase("capture open", next: "start fence")
        do {
            try session.fence(.start, within: .seconds(2))
        } catch {
            throw .harness("capture incomplete: \(error)")
        }
        phase("capture start", next: "experiment")

        let events = Events()
        let records = Mutex<[EndpointRecord]>([])
        let origin = ContinuousClock.now
        var threads: [OSThread] = []
        for side in [Direction.server, .client] {
            let wakeup = session.wakeup
            do {
                threads.append(try OSThread.spawn {
                    var record: EndpointRecord
                    do {
                        try topology.enter(side)
                        if let program = experiment.programs[side] {
                            record = ProgramEndpoint(side: side, program: program, experiment: experiment, events: events,
                                                     origin: origin, out: out).run()
                        } else {
                            var runner = EndpointRunner(side: side, experiment: experiment, events: events, origin: origin)
                            record = runner.run()
                        }
                    } catch {
                        record = EndpointRecord(side: side, failure: "\(side) could not enter the namespace: \(error)")
                        events.finish(side)
                    }
                    records.withLock { $0.append(record) }
                    wakeup.signal()
                })
            } catch {
                events.finish(side)
                records.withLock { $0.append(EndpointRecord(side: side, failure: "cannot start the \(side) thread: \(error)")) }
            }
        }

        var captureFailure: String?
        do {
            let deadline = origin + experiment.deadline
            try session.pump { session in
                // Past the deadline every scripted step is stopped (programs end at it by themselves).
                if !events.isCancelled, ContinuousClock.now > deadline, events.finishedCount < 2 {
                    events.cancel()
                }
                // A server program is ended only once the capture holds everything the client did.
                if !experiment.programs.isEmpty, events.isFinished(.client), session.tracker.isSettled, !events.isSettled {
                    events.postSettled()
                }
                return events.finishedCount == 2
            }
            phase("experiment", next: "teardown")
            // The endpoints are done; the kernel may still be sending the last ACK.
            // With a program, a run without any connection is the program's failure, not the capture's.
            let programs = !experiment.programs.isEmpty
            let teardownSeen = try session.pump(within: teardownGrace) { $0.tracker.isQuiescent || (programs && $0.tracker.connectionCount == 0) }
            session.teardownSeen = teardownSeen
            try session.fence(.end, within: .seconds(2))
        } catch {
            captureFailure = "\(error)"
        }
        for thread in threads { thread.join() }
        phase("teardown", next: "capture close")

        // Without the kernel's drop count the trace cannot be vouched for. The counters run on
        // while the capture is reused: this run's drops are what they gained during it.
        var total = 0
        for capture in captures {
            guard let dropped = try? capture.drops() else { throw .harness("capture incomplete: pcap_stats failed, so drops are unknown") }
            total += dropped
        }
        let drops = total - ready.drops
        network?.drops = total
        let capture = captures[0]
        phase("capture close", next: "writing")  // closed when the host is done with it
        let endpoints = records.withLock { $0 }.sorted { $0.side == .server && $1.side == .client }
        if let captureFailure, session.frames.isEmpty {
            throw .harness("capture incomplete: \(captureFailure)")
        }
        var record = RunRecord(
            experiment: experiment.name, linkType: capture.linkType, snapLength: capture.snapLength,
            frames: session.frames, drops: drops,
            startFenceSeen: session.startSeen, endFenceSeen: session.endSeen, teardownSeen: session.teardownSeen,
            duplicateFrames: session.duplicates, endpoints: endpoints, phases: phases)
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
