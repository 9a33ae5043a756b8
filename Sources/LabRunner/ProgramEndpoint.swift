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

    /// The address a client program is given as `{host}`: the server's.
    var host: String { experiment.link.serverAddress.description }
    /// How often the server's socket table is read while waiting for it to listen.
    static let listenPoll: Duration = .milliseconds(1)

    private var deadline: ContinuousClock.Instant { origin + experiment.deadline }

    func run() -> EndpointRecord {
        var record = EndpointRecord(side: side)
        defer { events.finish(side) }
        let launch: Launch
        switch prepare() {
        case let .ready(ready): launch = ready
        case let .notStarted(program, failure):
            record.program = program
            record.failure = failure
            return record
        }
        var programRecord = launch.record
        defer { if let log = launch.straceLog { FileSystem.remove(log) } }
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(launch.executable, launch.arguments, options: launch.options)
        } catch {
            launch.sandbox?.remove()
            programRecord.ending = .notStarted("\(error)")
            record.program = programRecord
            record.failure = "the \(side) program was not started: \(error)"
            return record
        }
        programRecord.started = elapsed
        let (wait, listening) = supervise(child, into: &programRecord)
        let status = stop(child, after: wait, into: &programRecord)
        programRecord.ended = elapsed
        programRecord.stdout = child.stdout
        programRecord.stderr = child.stderr
        programRecord.sandbox = child.usage
        if let log = launch.straceLog { read(log, into: &programRecord) }
        record.failure = judge(wait, listening, status, into: &programRecord)
        record.program = programRecord
        return record
    }

    /// What starting the program needs, found before it starts.
    struct Launch {
        var record: ProgramRecord
        var sandbox: Sandbox?
        var executable: String
        var arguments: [String]
        var options: ChildProcess.Options
        /// strace's log, when the program is traced; removed once it is read.
        var straceLog: String?
    }

    enum Prepared {
        case ready(Launch)
        /// Why it was not started: its record and the one failure line.
        case notStarted(ProgramRecord, String)
    }

    /// The sandbox, the executable and its options; a client waits here for the server to listen.
    private func prepare() -> Prepared {
        let sandbox: Sandbox?
        do { sandbox = try program.isolation.level == .none ? nil : Sandbox(level: program.isolation.level, limits: program.isolation.limits,
                                                                             submission: program.directory, out: out) } catch {
            let words = program.filled(host: host, port: experiment.port, out: out)
            return .notStarted(ProgramRecord(command: words, directory: program.directory, origin: program.origin, ending: .notStarted("\(error)")),
                               "the \(side) program was not started: its sandbox could not be prepared: \(error)")
        }
        let words = program.filled(host: host, port: experiment.port, out: sandbox?.outFolder ?? out)
        var programRecord = ProgramRecord(command: words, directory: program.directory, origin: program.origin, ending: .notStarted(""))
        func notStarted(_ why: String, _ message: String) -> Prepared {
            sandbox?.remove()
            programRecord.ending = .notStarted(why)
            return .notStarted(programRecord, message)
        }
        if side == .client {
            switch events.waitUntilListening(timeout: deadline - .now) {
            case .posted: break
            case .peerFinished, .timedOut:
                return notStarted("the server never listened", "the client program was not started: the server never listened on port \(experiment.port)")
            }
        }
        let path: String
        switch Program.locate(words[0], from: program.directory, isolation: program.isolation.level) {
        case let .success(found): path = sandbox.map { Self.inside($0, found, folder: program.directory) } ?? found
        case let .failure(why): return notStarted(why.description, "the \(side) program was not started: \(why)")
        }
        var options = ChildProcess.Options()
        options.environment = sandbox.map { Self.sandboxEnvironment(side: side, experiment: experiment, sandbox: $0) }
            ?? Self.environment(side: side, experiment: experiment, out: out)
        // The sandbox binds the folder at its own path, so it must be absolute and without links.
        options.directory = sandbox == nil ? program.directory : (try? FileSystem.realPath(program.directory)) ?? program.directory
        options.captureOutput = true
        options.sandbox = sandbox
        var launch = Launch(record: programRecord, sandbox: sandbox, executable: path, arguments: Array(words.dropFirst()), options: options)
        if program.traced {
            guard let strace = FileSystem.findExecutable("strace", directory: "/") else {
                return notStarted("strace is not installed", "the \(side) program was not started: --strace needs strace (apt-get install strace)")
            }
            let log = FileSystem.temporaryName(for: "\(FileSystem.temporaryFolder)/tcplab-strace-\(UUID().uuidString).log")
            launch.straceLog = log
            if sandbox != nil { launch.options.traceLogCopy = log }
            launch.arguments = ["-f", "-qq", "-s", "0", "-e", "signal=none", "-e", "trace=" + StraceLog.calls.joined(separator: ","),
                                "-o", sandbox?.traceLog ?? log, "--", path] + launch.arguments
            launch.executable = strace
        }
        return .ready(launch)
    }

    /// Watches the program until it exits, the run is settled (a server, once the client is done
    /// and every teardown is captured) or the deadline passes.
    private func supervise(_ child: ChildProcess, into programRecord: inout ProgramRecord) -> (ChildProcess.Wait, Listening) {
        var wait: ChildProcess.Wait
        var listening = Listening.onPort
        if side == .server {
            (wait, listening, programRecord.listeningAddresses) = awaitListening(child)
            if listening == .onPort {
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
        if wait == .stopped, listening == .onPort, !SocketTable.listeningPorts().contains(experiment.port),
           child.supervise(until: .now + .milliseconds(500)) == .exited {
            // It had closed its listening socket, so it was ending by itself (a crash closes every
            // socket before the process is gone): its own exit, seen on its pidfd, is how it ended.
            wait = .exited
        }
        return (wait, listening)
    }

    /// How the program ended, and the one line that says what it did wrong, if anything.
    private func judge(_ wait: ChildProcess.Wait, _ listening: Listening, _ status: ChildProcess.ExitStatus,
                       into programRecord: inout ProgramRecord) -> String? {
        switch wait {
        case .exited: programRecord.ending = .exited(status)
        case .deadline: programRecord.ending = .killedAtDeadline(status)
        // A server that crashed as the client finished may be seen stopped before its keeper is
        // seen to exit; its own failing status, not tcplab's SIGTERM, says how it ended.
        case .stopped where listening == .onPort && Self.failedByItself(status):
            programRecord.ending = .exited(status)
            programRecord.stoppedAt = nil
        case .stopped: programRecord.ending = listening == .onPort ? .stoppedAfterClient(status) : .stopped(status)
        }
        let port = experiment.port
        var failure: String?
        switch listening {
        case .onPort:
            failure = Self.failure(of: programRecord, side: side, experiment: experiment)
        case let .elsewhere(ports):
            programRecord.listeningElsewhere = ports
            failure = "the server program listens on \(ports.map(String.init).joined(separator: ", ")); "
                + "the experiment's server listens on \(port) (pass {port} or read TCPLAB_PORT)"
        case .never where wait == .exited:
            // Still a failure when it exited 0: a server that never listened served nobody.
            failure = "the server program \(status) before it listened on port \(port)\(programRecord.lastErrorLine.map { ": \($0)" } ?? "")"
        case .never:
            failure = "the server program never listened on port \(port) within the run's deadline of \(formatDuration(experiment.deadline))"
        }
        // A limit reached is the cause of whatever the program did next, so it is said first.
        return Self.limitLine(programRecord, side: side) ?? failure
    }

    /// The event a program's side posts once it has read the socket table at the deadline.
    static func socketsRead(_ side: Direction) -> String { "\(side) program's sockets read at the deadline" }

    /// A status tcplab's stop does not give: a failing exit, or a signal other than its SIGTERM
    /// and SIGKILL.
    static func failedByItself(_ status: ChildProcess.ExitStatus) -> Bool {
        if case let .exited(code) = status { return code != 0 }
        return !status.isTcplabsStop
    }

    /// Whether a server program came to listen where the experiment needs it.
    enum Listening: Equatable {
        case onPort
        /// Only on other ports.
        case elsewhere([UInt16])
        /// Not at all, before it exited or the deadline passed.
        case never
    }

    /// Reads the namespace's socket table until the server listens on the experiment's port,
    /// listens only on another port, exits, or the deadline passes.
    /// Also returns the addresses it listens on at the experiment's port.
    private func awaitListening(_ child: ChildProcess) -> (ChildProcess.Wait, Listening, [String]) {
        var listening = Listening.never
        var addresses: [String] = []
        let wait = child.supervise(until: deadline, every: Self.listenPoll) {
            let listeners = SocketTable.listeners()
            let ports = Array(Set(listeners.map(\.port))).sorted()
            addresses = listeners.filter { $0.port == experiment.port }.map(\.address)
            if !addresses.isEmpty { listening = .onPort } else if !ports.isEmpty { listening = .elsewhere(ports) }
            return listening != .never
        }
        return (wait, listening, addresses)
    }

    /// The program's socket calls, from strace's log; what the log held when it shows none.
    private func read(_ log: String, into record: inout ProgramRecord) {
        let text = String(decoding: (try? FileSystem.contents(of: log)) ?? [], as: UTF8.self)
        record.sockets = StraceLog.parse(text)
        if record.sockets?.isEmpty == true {
            // Said, so a trace that shows connections but a log that shows none is explained.
            let lines = text.split(separator: "\n")
            record.straceNote = lines.isEmpty ? "strace wrote nothing to its log"
                : "strace's log has \(lines.count) lines and no TCP connection; its first: \(lines[0].prefix(160))"
        }
    }

    /// A limit the program reached, as the one line that names it: first, because it is the cause
    /// of whatever the program did next.
    static func limitLine(_ record: ProgramRecord, side: Direction) -> String? {
        guard let hit = record.sandbox?.limitHit else { return nil }
        return "the \(side) program reached \(hit)"
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
        values["TCPLAB_HOST"] = experiment.link.serverAddress.description
        values["TCPLAB_PORT"] = "\(experiment.port)"
        values["TCPLAB_OUT"] = out
        values["TCPLAB_SIDE"] = side.rawValue
        values["TCPLAB_EXPERIMENT"] = experiment.name
        // Output written before a kill at the deadline is kept, not lost in a buffer.
        if values["PYTHONUNBUFFERED"] == nil { values["PYTHONUNBUFFERED"] = "1" }
        return values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }

    /// Only what the program needs, never tcplab's own environment (a CI secret may be in it).
    static func sandboxEnvironment(side: Direction, experiment: Experiment, sandbox: Sandbox) -> [String] {
        var values = [
            "TCPLAB_HOST": experiment.link.serverAddress.description, "TCPLAB_PORT": "\(experiment.port)",
            "TCPLAB_OUT": sandbox.outFolder, "TCPLAB_SIDE": side.rawValue, "TCPLAB_EXPERIMENT": experiment.name,
            "HOME": sandbox.scratch, "PATH": Sandbox.searchPath, "PYTHONUNBUFFERED": "1",
        ]
        values["LANG"] = ProcessInfo.processInfo.environment["LANG"] ?? "C.UTF-8"
        return values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }

    /// The program's file as the sandbox sees it: one of its folder's is run from the scratch's
    /// copy, which its own uid can read even when the original is mode 600.
    static func inside(_ sandbox: Sandbox, _ path: String, folder: String) -> String {
        guard let real = try? FileSystem.realPath(path), let base = try? FileSystem.realPath(folder), real.hasPrefix(base + "/") else { return path }
        return sandbox.scratch + real.dropFirst(base.count)
    }

    private var elapsed: Int64 {
        let d = ContinuousClock.now - origin
        return d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000
    }
}
