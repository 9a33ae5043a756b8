import LabHTTP
import LabModel
import LabPackets
import LabSystem

/// Performs one side's steps, in order and exactly: one `recv` step is one `recv` call.
struct EndpointRunner {
    let side: Direction
    let steps: [Step]
    let port: UInt16
    /// The server's address: lo's, or the server host's across the link.
    let serverAddress: IPv4Address
    let stepTimeout: Duration
    let events: Events
    let origin: ContinuousClock.Instant
    let directory: String
    /// The other side is a program, which posts no named steps to wait for.
    let otherIsProgram: Bool
    /// The other side runs on another machine (`tcplab serve` / `tcplab client`): nothing to
    /// wait for, and the server's listener outlives the run.
    let otherIsRemote: Bool
    /// How many connections the client opens: a remote server's visit ends after that many.
    let clientConnections: Int
    private let ownsListener: Bool

    private var socket: TCPSocket?
    private var listener: TCPSocket?
    private var lastReceived: [UInt8] = []

    /// `listener` is a remote run's server socket, listening already and kept open after the run.
    init(side: Direction, experiment: Experiment, events: Events, origin: ContinuousClock.Instant,
         remote: Bool = false, listener: TCPSocket? = nil) {
        self.side = side
        otherIsRemote = remote
        self.listener = listener
        ownsListener = listener == nil
        clientConnections = experiment.clientConnections
        steps = side == .server ? experiment.server : experiment.client
        port = experiment.port
        serverAddress = experiment.link.serverAddress
        stepTimeout = experiment.stepTimeout
        directory = experiment.directory
        otherIsProgram = experiment.programs[side.other] != nil
        self.events = events
        self.origin = origin
    }

    struct StepFailure: Error { var message: String }
    /// The run passed its deadline while this side was in a step.
    struct Cancelled: Error {}

    private func stopIfCancelled() throws(Cancelled) {
        if events.isCancelled { throw Cancelled() }
    }

    mutating func run() -> EndpointRecord {
        var record = EndpointRecord(side: side)
        defer {
            // Whatever happened, release the sockets so the peer sees the end, and tell the
            // peer this side is done so its barrier waits return.
            try? socket?.close()
            if ownsListener { try? listener?.close() }
            events.finish(side)
        }
        if side == .server, listener == nil {
            do {
                let listener = try TCPSocket.listen(on: serverAddress, port: port)
                self.listener = listener
                events.register(listener)
                events.postListening()
            } catch {
                record.failure = "server could not listen: \(error)"
                return record
            }
        }
        for (index, step) in steps.enumerated() {
            var stepRecord = StepRecord(index: index, label: step.label, started: elapsed, ended: 0)
            let ending = run(step, index: index, into: &stepRecord)
            stepRecord.ended = elapsed
            record.steps.append(stepRecord)
            if let ending {
                record.failure = ending.failure
                record.stoppedAtDeadline = ending.atDeadline
                return record
            }
            if let name = step.name { events.post(name) }
        }
        return record
    }

    /// Carries out one step; what ends the side there, if anything: its failure, and whether the
    /// run's deadline was the cause.
    private mutating func run(_ step: Step, index: Int, into stepRecord: inout StepRecord) -> (failure: String, atDeadline: Bool)? {
        do {
            try stopIfCancelled()
            do {
                try perform(step, into: &stepRecord)
            } catch where events.isCancelled {
                // A socket shut down by the deadline fails the call blocked on it (or the
                // peer's, with a reset): the deadline is the cause, not the error.
                throw Cancelled()
            }
            try stopIfCancelled()
            if let expected = step.expectError {
                return ("\(side) step \(index + 1) (\(step.label)): expected \(expected), but the step succeeded", false)
            }
        } catch is Cancelled {
            return ("\(side) was in step \(index + 1) (\(step.label)) at the run's deadline", true)
        } catch let error as SystemError {
            stepRecord.error = error
            stepRecord.errorExpected = step.expectError == error.symbol
            if !stepRecord.errorExpected {
                let failure = error.isTimeout
                    ? "\(side) stuck in step \(index + 1) (\(step.label)): timed out after \(formatDuration(stepTimeout)) "
                        + Self.progress(step.action, stepRecord)
                    : "\(side) step \(index + 1) (\(step.label)): \(error)"
                return (failure, false)
            }
        } catch {
            return ("\(side) step \(index + 1) (\(step.label)): \((error as? StepFailure)?.message ?? "\(error)")", false)
        }
        return nil
    }

    /// How far a step got before its timeout, in the step's own terms: "with 20 of 25 bytes".
    static func progress(_ action: Step.Action, _ record: StepRecord) -> String {
        let got = record.bytesIn, sent = record.bytesOut
        switch action {
        case let .recv(n): return "with no bytes to read (it reads up to \(n))"
        case let .recvUntil(limit?): return "with \(got) of \(limit) bytes"
        case .recvUntil(nil), .drain: return "with \(got) bytes and no end of stream"
        case let .send(text, times): return "having sent \(sent) of \(text.utf8.count * times) bytes: the \(Self.peerWindow)"
        case .sendBack: return "having sent \(sent) bytes: the \(Self.peerWindow)"
        case let .stream(total): return "having sent \(sent) of \(total) bytes: the \(Self.peerWindow)"
        case .echoLoop: return "waiting for more bytes or end of stream, after \(got) bytes in and \(sent) out"
        case let .awaitUnread(n): return "waiting for \(n) unread bytes"
        case .accept: return "waiting for a connection"
        case .connect: return "waiting for the connection to open"
        default: return "(\(record.error?.symbol ?? "timeout"))"
        }
    }

    /// Why a send blocks: the bytes fill the socket's buffer only when the peer does not read.
    static let peerWindow = "peer's receive window stayed closed (it is not reading)"

    private var elapsed: Int64 {
        let d = ContinuousClock.now - origin
        return d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000
    }

    /// Clients connect only once the server's listener exists: a barrier, not a delay.
    private func awaitServerListening() throws {
        if otherIsRemote { return }
        switch events.waitUntilListening(timeout: stepTimeout) {
        case .posted: return
        case .peerFinished: throw StepFailure(message: "the server stopped before it listened")
        case .timedOut: throw StepFailure(message: "the server did not listen within \(formatDuration(stepTimeout))")
        }
    }

    private func connected() throws -> TCPSocket {
        guard let socket else { throw StepFailure(message: "no connection") }
        try socket.setTimeout(stepTimeout)
        return socket
    }

    private mutating func perform(_ step: Step, into record: inout StepRecord) throws {
        switch step.action {
        case .accept: try accept()
        case .connect:
            try awaitServerListening()
            let connected = try TCPSocket.connect(to: serverAddress, port: port, timeout: stepTimeout)
            socket = connected
            events.register(connected)
        case let .send(text, times):
            let bytes = Array(repeating: Array(text.utf8), count: times).flatMap { $0 }
            try connected().sendAll(bytes, counting: &record.bytesOut)
        case let .sendBack(transform, times):
            guard lastReceived.count * times <= ExperimentLimits.callBytes else {
                throw StepFailure(message: "sending back \(lastReceived.count) bytes × \(times) is more than \(ExperimentLimits.callBytes) bytes in one send")
            }
            let bytes = Array(repeating: transform.apply(lastReceived), count: times).flatMap { $0 }
            try connected().sendAll(bytes, counting: &record.bytesOut)
        case let .recv(count):
            lastReceived = try connected().receive(upTo: count)
            record.bytesIn = lastReceived.count
        case let .recvUntil(limit): try receive(until: limit, into: &record)
        case let .stream(total): try stream(total, into: &record)
        case let .awaitUnread(count):
            let waiting = try connected().waitUntilUnread(count)
            if waiting < count { throw StepFailure(message: "only \(waiting) of the \(count) bytes awaited arrived before the stream ended or the step timed out") }
        case .drain: try drain(into: &record)
        case let .echoLoop(count, transform, times, pause): try echo(reading: count, transform, times: times, pause: pause, into: &record)
        case let .sleep(duration):
            if !events.sleep(duration) { throw Cancelled() }
        case let .setOption(option, value):
            try connected().set(TCPSocket.Option(option), value)
        case let .waitFor(name): try wait(for: name, into: &record)
        case let .shutdown(how):
            try connected().shutdown(TCPSocket.ShutdownHow(how))
        case .close:
            let s = try connected()
            record.unreadAtClose = try? s.unreadByteCount()
            socket = nil
            try s.close()
        case let .serveHTTP(root, idle): try serve(root, idle: idle, into: &record)
        case let .fetch(path):
            try awaitServerListening()
            let result = try HTTPFetch.fetch(path: path, host: serverAddress, port: port, timeout: stepTimeout)
            record.bytesIn = result.bodyBytes
            record.note = "\(result.status), \(result.bodyBytes) body bytes"
        case let .browse(paths, responses): try browse(paths, responses: responses, into: &record)
        }
    }

    /// A client program may end without connecting: the accept then gives up once the run is settled.
    private mutating func accept() throws {
        guard let listener else { throw StepFailure(message: "only the server accepts") }
        let accepted: TCPSocket
        if otherIsProgram {
            let wakeup = try Wakeup()
            events.watch(wakeup)
            let events = self.events
            guard let got = try listener.accept(timeout: stepTimeout, wakeup: wakeup, giveUp: { events.isSettled }) else {
                throw StepFailure(message: "the client program ended without connecting to port \(port)")
            }
            accepted = got
        } else {
            accepted = try listener.accept(timeout: stepTimeout)
        }
        socket = accepted
        events.register(accepted)
    }

    private mutating func receive(until limit: Int?, into record: inout StepRecord) throws {
        let s = try connected()
        var received: [UInt8] = []
        while limit.map({ received.count < $0 }) ?? true {
            try stopIfCancelled()
            let chunk = try s.receive(upTo: limit.map { $0 - received.count } ?? 65536)
            if chunk.isEmpty { break }
            received += chunk
            record.bytesIn = received.count
            if received.count > ExperimentLimits.callBytes {
                throw StepFailure(message: "received more than \(ExperimentLimits.callBytes) bytes before end of stream; use \"drain\" for bulk data")
            }
        }
        lastReceived = received
        record.bytesIn = received.count
    }

    private func stream(_ total: Int, into record: inout StepRecord) throws {
        let s = try connected()
        let chunk = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0) }
        var left = total
        while left > 0 {
            try stopIfCancelled()
            try s.sendAll(left >= chunk.count ? chunk : Array(chunk.prefix(left)), counting: &record.bytesOut)
            left -= min(left, chunk.count)
        }
    }

    private func drain(into record: inout StepRecord) throws {
        let s = try connected()
        while true {
            try stopIfCancelled()
            let n = try s.receive(upTo: 1 << 20).count
            if n == 0 { break }
            record.bytesIn += n
        }
    }

    private mutating func echo(reading count: Int, _ transform: Step.Transform, times: Int, pause: Duration?, into record: inout StepRecord) throws {
        let s = try connected()
        while true {
            try stopIfCancelled()
            if let pause, !events.sleep(pause) { throw Cancelled() }
            let chunk = try s.receive(upTo: count)
            record.bytesIn += chunk.count
            if chunk.isEmpty { break }
            lastReceived = chunk
            let reply = Array(repeating: transform.apply(chunk), count: times).flatMap { $0 }
            try s.sendAll(reply, counting: &record.bytesOut)
        }
    }

    /// A program, or a side on another machine, has no named steps to wait for.
    private func wait(for name: String, into record: inout StepRecord) throws {
        if otherIsProgram || otherIsRemote {
            record.note = "skipped: the \(side.other) is a program, so it has no step \"\(name)\" to wait for"
            return
        }
        switch events.wait(for: name, from: side.other, timeout: stepTimeout) {
        case .posted: break
        case .peerFinished: throw StepFailure(message: "the \(side.other) finished without reaching \"\(name)\"")
        case .timedOut: throw StepFailure(message: "stuck waiting for \"\(name)\" for \(formatDuration(stepTimeout))")
        }
    }

    private func serve(_ root: String, idle: Duration, into record: inout StepRecord) throws {
        guard let listener else { throw StepFailure(message: "only the server serves") }
        let site = try StaticSite(root: root.hasPrefix("/") ? root : directory + "/" + root)
        if !otherIsRemote { events.stopAcceptingWhenClientFinishes(listener) }
        let events = self.events
        let tally = HTTPServer(site: site, idleTimeout: idle, activity: { events.record($0) })
            .serve(listener, acceptTimeout: stepTimeout, acceptLimit: otherIsRemote ? clientConnections : nil)
        record.note = "\(tally.connections) connection(s); responses " +
            tally.responses.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: ", ")
    }

    private func browse(_ paths: [String], responses: [Int], into record: inout StepRecord) throws {
        try awaitServerListening()
        let events = self.events
        try Browser.visit(paths, responses: responses, host: serverAddress, port: port, timeout: stepTimeout) { wanted, timeout in
            switch events.waitForQuietServer(responses: wanted, timeout: timeout) {
            case .posted: .quiet
            case .peerFinished: .serverStopped
            case .timedOut: .timedOut(events.serverActivity)
            }
        }
        record.note = "chromium visited \(paths.joined(separator: ", "))"
    }
}

extension TCPSocket.Option {
    init(_ option: SocketOption) {
        switch option {
        case .noDelay: self = .noDelay
        case .cork: self = .cork
        case .quickAck: self = .quickAck
        case .maxSegment: self = .maxSegment
        }
    }
}

extension TCPSocket.ShutdownHow {
    init(_ how: ShutdownHow) {
        switch how {
        case .read: self = .read
        case .write: self = .write
        case .both: self = .both
        }
    }
}
