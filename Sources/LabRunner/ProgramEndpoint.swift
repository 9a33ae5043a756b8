import FoundationEssentials
import LabModel
import LabPackets
import LabSystem

/// Plays one side with a program: a student's server or client, or the lab's own code. It
/// starts from the side's thread, which is inside the run's namespace, so the program can reach
/// nothing but the run's other side.
///
/// The fences are kernel events, never delays: a client program starts once the namespace's
/// socket table shows the server listening; a server program is ended once the client is done
/// and the capture holds every connection's teardown; any program still running at the
/// run's deadline is killed with its whole group.
struct ProgramEndpoint {
    let side: Direction
    let program: Program
    let experiment: Experiment
    let events: Events
    let origin: ContinuousClock.Instant
    /// The run's output folder, `{out}`.
    let out: String

    /// The address a client program is given as `{host}`.
    static let host = "127.0.0.1"
    /// How often the server's socket table is read while waiting for it to listen.
    static let listenPoll: Duration = .milliseconds(1)

    private var deadline: ContinuousClock.Instant { origin + experiment.deadline }

    func run() -> EndpointRecord {
        var record = EndpointRecord(side: side)
        defer { events.finish(side) }
        let words = program.filled(host: Self.host, port: experiment.port, out: out)
        var programRecord = ProgramRecord(command: words, directory: program.directory, origin: program.origin,
                                          ending: .notStarted(""))
        func fail(_ message: String) -> EndpointRecord {
            record.program = programRecord
            record.failure = message
            return record
        }
        if side == .client {
            switch events.waitUntilListening(timeout: deadline - .now) {
            case .posted: break
            case .peerFinished, .timedOut:
                programRecord.ending = .notStarted("the server never listened")
                return fail("the client program was not started: the server never listened on port \(experiment.port)")
            }
        }
        let environment = Self.environment(side: side, experiment: experiment, out: out)
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        guard let path = FileSystem.findExecutable(words[0], directory: program.directory, searchPath: searchPath) else {
            let why = words[0].contains("/") ? "\(words[0]) is not an executable file (in \(program.directory))"
                : "\"\(words[0])\" was not found on PATH"
            programRecord.ending = .notStarted(why)
            return fail("the \(side) program was not started: \(why)")
        }
        var options = ChildProcess.Options()
        options.environment = environment
        options.directory = program.directory
        options.captureOutput = true
        var executable = path, arguments = Array(words.dropFirst())
        var straceLog: String?
        if program.traced {
            guard let strace = FileSystem.findExecutable("strace", directory: "/", searchPath: searchPath) else {
                programRecord.ending = .notStarted("strace is not installed")
                return fail("the \(side) program was not started: --strace needs strace (apt-get install strace)")
            }
            let folder = ProcessInfo.processInfo.environment["TMPDIR"].map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 } ?? "/tmp"
            let log = FileSystem.temporaryName(for: "\(folder)/tcplab-strace-\(UUID().uuidString).log")
            straceLog = log
            arguments = ["-f", "-qq", "-s", "0", "-e", "signal=none", "-e", "trace=" + StraceLog.calls.joined(separator: ","),
                         "-o", log, "--", path] + arguments
            executable = strace
        }
        defer { if let straceLog { FileSystem.remove(straceLog) } }
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(executable, arguments, options: options)
        } catch {
            programRecord.ending = .notStarted("\(error)")
            return fail("the \(side) program was not started: \(error)")
        }
        programRecord.started = elapsed
        var failure: String?
        var wait: ChildProcess.Wait
        if side == .server {
            (wait, failure) = awaitListening(child, &programRecord)
            if wait == .stopped && failure == nil {
                events.postListening()
                let wakeup = try? Wakeup()
                if let wakeup { events.watch(wakeup) }
                wait = child.supervise(until: deadline, wakeup: wakeup, every: wakeup == nil ? .milliseconds(10) : nil) {
                    events.isSettled
                }
            }
        } else {
            wait = child.supervise(until: deadline)
        }
        let status = child.terminate(grace: .milliseconds(500))
        programRecord.ended = elapsed
        programRecord.stdout = child.stdout
        programRecord.stderr = child.stderr
        if let straceLog {
            let log = String(decoding: (try? FileSystem.contents(of: straceLog)) ?? [], as: UTF8.self)
            programRecord.sockets = StraceLog.parse(log)
            if programRecord.sockets?.isEmpty == true {
                // Said, so a trace that shows connections but a log that shows none is explained.
                let lines = log.split(separator: "\n")
                programRecord.straceNote = lines.isEmpty ? "strace wrote nothing to its log"
                    : "strace's log has \(lines.count) lines and no TCP connection; its first: \(lines[0].prefix(160))"
            }
        }
        switch wait {
        case .exited: programRecord.ending = .exited(status)
        case .deadline: programRecord.ending = .killedAtDeadline(status)
        case .stopped: programRecord.ending = failure == nil ? .stoppedAfterClient(status) : .stopped(status)
        }
        record.program = programRecord
        record.failure = failure ?? Self.failure(of: programRecord, side: side, experiment: experiment)
        return record
    }

    /// Reads the namespace's socket table until the server listens on the experiment's port,
    /// exits, listens only on another port, or the deadline passes.
    private func awaitListening(_ child: ChildProcess, _ record: inout ProgramRecord) -> (ChildProcess.Wait, String?) {
        let port = experiment.port
        var elsewhere: [UInt16] = []
        let wait = child.supervise(until: deadline, every: Self.listenPoll) {
            let ports = SocketTable.listeningPorts()
            elsewhere = ports.filter { $0 != port }
            return ports.contains(port) || !elsewhere.isEmpty
        }
        if wait == .stopped && !SocketTable.listeningPorts().contains(port) {
            record.listeningElsewhere = elsewhere
            let listed = elsewhere.map(String.init).joined(separator: ", ")
            return (wait, "the server program listens on \(listed); the experiment's server listens on \(port) (pass {port} or read TCPLAB_PORT)")
        }
        if wait == .exited {
            // Still a failure when it exited 0: a server that never listened served nobody.
            let status = child.terminate()
            record.stderr = child.stderr
            let line = record.lastErrorLine.map { ": \($0)" } ?? ""
            return (wait, "the server program \(status) before it listened on port \(port)\(line)")
        }
        if wait == .deadline {
            return (wait, "the server program never listened on port \(port) within the run's deadline of \(formatDuration(experiment.deadline))")
        }
        return (wait, nil)
    }

    /// The one line that says what went wrong with a program that ran, or nil when nothing did.
    static func failure(of record: ProgramRecord, side: Direction, experiment: Experiment) -> String? {
        let stderrLine = record.lastErrorLine.map { ": \($0)" } ?? ""
        switch record.ending {
        case .notStarted, .stopped, .stoppedAfterClient(_):
            return nil
        case let .killedAtDeadline(status):
            return "the \(side) program was still running at the run's deadline of \(formatDuration(experiment.deadline)), so it was killed with its process group (\(status))"
        case let .exited(status):
            switch status {
            case .exited(0):
                return nil
            case .exited:
                return "the \(side) program \(status)\(stderrLine)"
            case .signalled:
                return "the \(side) program crashed: it \(status)\(stderrLine)"
            }
        }
    }

    /// tcplab's environment, plus the run's values under the names the README documents.
    static func environment(side: Direction, experiment: Experiment, out: String) -> [String] {
        var values = ProcessInfo.processInfo.environment
        values["TCPLAB_HOST"] = host
        values["TCPLAB_PORT"] = "\(experiment.port)"
        values["TCPLAB_OUT"] = out
        values["TCPLAB_SIDE"] = side.rawValue
        values["TCPLAB_EXPERIMENT"] = experiment.name
        // Output written before a kill at the deadline is kept, not lost in a buffer.
        if values["PYTHONUNBUFFERED"] == nil { values["PYTHONUNBUFFERED"] = "1" }
        return values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }

    private var elapsed: Int64 {
        let d = ContinuousClock.now - origin
        return d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000
    }
}
