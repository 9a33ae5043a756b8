import LabCapture
import LabModel
import LabPackets
import LabSystem
import Synchronization

/// One side of an experiment against another machine (`tcplab serve`, `tcplab client`), in
/// this process's own network namespace. There are no fences, since the other side is not
/// ours: a capture opened before the connection can start bounds the beginning, and the
/// connections' own teardown (FINs acknowledged, or RST) bounds the end.
public final class RemoteSide {
    public let experiment: Experiment
    public let side: Direction
    /// The server's address and port: where the server listens, and the client connects.
    public let server: SocketAddress
    private let capture: LiveCapture?
    private let listener: TCPSocket?
    private let wakeup: Wakeup
    /// Frames read past the end of the last visit: the start of the next one.
    private var pending: [CapturedFrame] = []

    /// Opens the capture on `interface` (when given) first, then the server's listener, so no
    /// visit can begin before the capture sees it.
    public init(_ experiment: Experiment, side: Direction, server: SocketAddress, interface: String?) throws(RunError) {
        var placed = experiment
        placed.link.hosts = nil
        placed.link.remoteServer = server.address
        placed.port = server.port
        self.experiment = placed
        self.side = side
        self.server = server
        do {
            wakeup = try Wakeup()
        } catch {
            throw .harness("cannot make a wakeup: \(error)")
        }
        if let interface {
            var settings = LiveCapture.Settings(filter: "tcp and host \(server.address) and port \(server.port)")
            settings.interface = interface
            settings.snapLength = experiment.snapLength
            do {
                capture = try LiveCapture(settings)
            } catch let error where error.isPermission {
                throw .permission("cannot capture on \(interface): \(error); run as root")
            } catch {
                throw .harness("cannot capture on \(interface): \(error)")
            }
        } else {
            capture = nil
        }
        if side == .server {
            do {
                listener = try TCPSocket.listen(on: server.address, port: server.port, backlog: 64)
            } catch {
                throw .harness("cannot listen on \(server): \(error)" + (error.symbol == "EADDRINUSE" ? "; pick another port" : ""))
            }
        } else {
            listener = nil
        }
    }

    public var isCapturing: Bool { capture != nil }

    /// Blocks until a client is waiting to be accepted; false if the listener failed.
    public func awaitClient() -> Bool {
        guard let listener else { return false }
        return (try? Poll.readable([listener.fd], timeout: .seconds(86_400 * 365)).contains(listener.fd)) ?? false
    }

    /// One visit: this side's steps, and the capture until every connection of the visit has
    /// torn down. A server's visit is the connections its experiment's client opens.
    public func visit(progress: RunProgress? = nil) -> RunRecord {
        let events = Events()
        events.finish(side.other)
        let origin = ContinuousClock.now
        let record = Mutex<EndpointRecord?>(nil)
        let experiment = self.experiment, side = self.side, listener = self.listener, wakeup = self.wakeup
        let thread = try? OSThread.spawn {
            var runner = EndpointRunner(side: side, experiment: experiment, events: events, origin: origin, remote: true, listener: listener)
            let done = runner.run()
            record.withLock { $0 = done }
            wakeup.signal()
        }
        var tracker = TeardownTracker()
        var frames: [CapturedFrame] = []
        var teardownSeen = false
        var failure: String?
        if thread == nil { record.withLock { $0 = EndpointRecord(side: side, failure: "cannot start the \(side) thread") } }
        let connections = experiment.clientConnections
        func over() -> Bool {
            record.withLock { $0 != nil } && (capture == nil || (tracker.isQuiescent && tracker.connectionCount >= connections)
                                               || (tracker.connectionCount == 0 && record.withLock { $0?.failure != nil }))
        }
        /// Takes frames in order; a new connection's SYN once the visit's connections have all torn
        /// down is the next visit's, even before this side's thread has returned (the other machine
        /// may start its next visit at once).
        func take(_ batch: [CapturedFrame], linkType: LinkType) -> [CapturedFrame] {
            for (i, frame) in batch.enumerated() {
                let packet = Packet.decode(frame, number: frames.count + 1, linkType: linkType)
                if tracker.connectionCount >= connections, tracker.isQuiescent,
                   let flags = packet.tcp?.flags, flags.contains(.syn), !flags.contains(.ack) { return Array(batch[i...]) }
                frames.append(frame)
                tracker.add(packet)
            }
            return []
        }
        if let capture {
            pending = take(pending, linkType: capture.linkType)
            var graceStart: ContinuousClock.Instant?
            while pending.isEmpty && !over() {
                // Once this side is done, the peer's last ACK gets the same grace as on lo.
                if record.withLock({ $0 != nil }) {
                    graceStart = graceStart ?? .now
                    if let since = graceStart, ContinuousClock.now - since > Run.teardownGrace { break }
                }
                do {
                    try capture.wait(wakeup: wakeup, timeout: .milliseconds(100))
                    pending = take(try capture.readAvailable(), linkType: capture.linkType)
                } catch {
                    failure = "\(error)"
                    break
                }
                progress?.captured(frames.count)
            }
            teardownSeen = tracker.isQuiescent
        }
        thread?.join()
        var endpoint = record.withLock { $0 } ?? EndpointRecord(side: side, failure: "the \(side) did not finish")
        if let failure, endpoint.failure == nil { endpoint.failure = "the capture failed: \(failure)" }
        let drops = (try? capture?.drops() ?? 0) ?? -1
        var run = RunRecord(experiment: experiment.name, linkType: capture?.linkType ?? .ethernet, snapLength: capture?.snapLength ?? experiment.snapLength,
                            frames: frames, drops: drops, startFenceSeen: true, endFenceSeen: true, teardownSeen: teardownSeen,
                            duplicateFrames: 0, endpoints: [endpoint], phases: [("visit", ContinuousClock.now - origin)])
        run.boundedByTeardown = true
        return run
    }

    deinit {
        capture?.close()
        try? listener?.close()
    }
}
