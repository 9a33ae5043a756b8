import LabModel
import LabCapture
import LabPackets
import LabSystem

/// The parts of a run, in the order `Run.perform` takes them.
extension Run {
    /// The time each phase took, for `--timings`, and the phase a live display shows.
    struct Phases {
        var done: [(String, Duration)] = []
        var mark = ContinuousClock.now
        let progress: RunProgress?

        init(progress: RunProgress?) { self.progress = progress }

        /// Closes the phase just finished and says which one starts.
        mutating func end(_ name: String, next: String) {
            let now = ContinuousClock.now
            done.append((name, now - mark))
            mark = now
            progress?.enter(next)
        }
    }

    /// The namespace and its capture: the last run's when its link and capture settings are this
    /// run's, else new ones (or, with `--network current`, the namespace tcplab is in).
    static func network(for experiment: Experiment, settings: LiveCapture.Settings, reusing network: inout RunNetwork?,
                        phases: inout Phases) throws(RunError) -> RunNetwork {
        if let old = network, old.link != experiment.link || old.settings != settings {
            old.close()
            network = nil
        }
        if let kept = network {
            phases.end("namespace", next: "opening capture")
            return kept
        }
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
        phases.end("namespace", next: "opening capture")
        do {
            let made = RunNetwork(link: experiment.link, settings: settings, topology: topology,
                                  captures: try topology.openCaptures(settings), wakeup: try Wakeup())
            network = made
            return made
        } catch let error as CaptureError where error.isPermission {
            throw .permission("cannot capture on \(topology.captureInterface): \(error); \(RunError.remedy)")
        } catch {
            throw .harness("cannot start the capture: \(error)")
        }
    }

    /// Each side on a thread of its own, inside its host's namespace: a program or tcplab's steps.
    static func startEndpoints(_ experiment: Experiment, topology: Topology, events: Events, origin: ContinuousClock.Instant,
                               out: String, wakeup: Wakeup, done: @escaping @Sendable (EndpointRecord) -> Void) -> [OSThread] {
        var threads: [OSThread] = []
        for side in [Direction.server, .client] {
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
                    done(record)
                    wakeup.signal()
                })
            } catch {
                events.finish(side)
                done(EndpointRecord(side: side, failure: "cannot start the \(side) thread: \(error)"))
            }
        }
        return threads
    }

    /// Captures while the endpoints run, stops the scripted steps at the deadline, lets a server
    /// program end once the capture holds the client's part, then waits for the teardown and the
    /// end fence. Returns why the capture failed, if it did.
    static func watch(_ session: inout CaptureSession, experiment: Experiment, events: Events, origin: ContinuousClock.Instant,
                      phases: inout Phases) -> String? {
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
            phases.end("experiment", next: "teardown")
            // The endpoints are done; the kernel may still be sending the last ACK.
            // With a program, a run without any connection is the program's failure, not the capture's.
            let programs = !experiment.programs.isEmpty
            let teardownSeen = try session.pump(within: teardownGrace) { $0.tracker.isQuiescent || (programs && $0.tracker.connectionCount == 0) }
            session.teardownSeen = teardownSeen
            try session.fence(.end, within: .seconds(2))
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Without the kernel's drop count the trace cannot be vouched for. The counters run on
    /// while the capture is reused: this run's drops are what they gained during it.
    static func dropsDuring(_ network: RunNetwork) throws(RunError) -> Int {
        var total = 0
        for capture in network.captures {
            guard let dropped = try? capture.drops() else { throw .harness("capture incomplete: pcap_stats failed, so drops are unknown") }
            total += dropped
        }
        let gained = total - network.drops
        network.drops = total
        return gained
    }
}
