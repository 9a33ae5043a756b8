#if canImport(Glibc)
import Glibc
#endif
import CLinux

/// A program started in its own process group, from the calling thread, so it inherits that
/// thread's network namespace (a headless browser, or a student's server, inside a run's
/// private `lo`).
public final class ChildProcess: @unchecked Sendable {
    // Sendable: one thread at a time owns it, the one that spawned it, which supervises,
    // terminates and reads it; other threads reach the process only by pid (an interrupt's kill).
    // Sendable: `pid` is fixed at spawn; everything else is touched only by the owning thread.
    public let pid: pid_t
    /// Polls readable once the process has exited, so waits are events, not polling loops.
    private let pidfd: Int32
    private var pipes: [Int32]
    /// What the program wrote, the first `outputLimit` bytes of each stream.
    public private(set) var stdout: CapturedOutput
    public private(set) var stderr: CapturedOutput
    private var status: ExitStatus?
    /// Reused by every read of the pipes: a server waiting to listen is looked at every millisecond.
    private var buffer = [UInt8](repeating: 0, count: 16 << 10)
    /// The sandbox it runs in, and the read end of its keeper's report; pid is then the keeper's.
    let sandbox: Sandbox?
    var reportFD: Int32
    /// What it used and which limit it reached, once it has ended in a sandbox.
    public internal(set) var usage: SandboxUsage?

    /// How a process ended.
    public enum ExitStatus: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        public var description: String {
            switch self {
            case let .exited(code): "exited with status \(code)"
            case let .signalled(signal): "was killed by \(Self.signalName(signal))"
            }
        }

        /// Ended by the SIGTERM tcplab sends to stop a program.
        public var isSIGTERM: Bool { self == .signalled(SIGTERM) }
        /// Ended by a signal tcplab sends to stop a program: SIGTERM, or SIGKILL after the grace.
        public var isTcplabsStop: Bool { self == .signalled(SIGTERM) || self == .signalled(SIGKILL) }

        init(waitStatus raw: Int32) {
            self = raw & 0x7f == 0 ? .exited((raw >> 8) & 0xff) : .signalled(raw & 0x7f)
        }

        public static func signalName(_ signal: Int32) -> String {
            let names: [Int32: String] = [SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL",
                                          SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL",
                                          SIGSEGV: "SIGSEGV", SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM",
                                          SIGXCPU: "SIGXCPU", SIGXFSZ: "SIGXFSZ", SIGSYS: "SIGSYS"]
            return names[signal] ?? "signal \(signal)"
        }
    }

    /// How a program is started.
    public struct Options: Sendable {
        /// The whole environment, `NAME=value`; nil inherits tcplab's.
        public var environment: [String]?
        /// The working directory; nil keeps tcplab's.
        public var directory: String?
        /// Keep stdout and stderr (bounded); otherwise both go to /dev/null.
        public var captureOutput = false
        public var outputLimit = 64 << 10
        /// Run it in this sandbox (nil, or level `none`: as tcplab's own child). `directory` is then
        /// the folder copied into its scratch, and the environment is exactly `environment`.
        public var sandbox: Sandbox?
        /// Where the keeper copies strace's log (`Sandbox.traceLog`) when the program ends.
        public var traceLogCopy: String?

        public init() {}
    }

    init(pid: pid_t, pidfd: Int32, pipes: [Int32], limit: Int, sandbox: Sandbox? = nil, reportFD: Int32 = -1) {
        self.pid = pid
        self.pidfd = pidfd
        self.pipes = pipes
        self.sandbox = sandbox
        self.reportFD = reportFD
        stdout = CapturedOutput(limit: limit)
        stderr = CapturedOutput(limit: limit)
    }

    /// Starts `path` with `arguments`; its output goes to `/dev/null`.
    public static func spawn(_ path: String, _ arguments: [String]) throws(SystemError) -> ChildProcess {
        try spawn(path, arguments, options: Options())
    }

    /// Starts `path` (a path, not a name looked up on PATH) with `arguments`. stdin is /dev/null.
    public static func spawn(_ path: String, _ arguments: [String], options: Options) throws(SystemError) -> ChildProcess {
        if let sandbox = options.sandbox, sandbox.level != .none {
            return try spawn(path, arguments, options: options, in: sandbox)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, so one signal reaches every helper process it starts.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var readEnds: [Int32] = []
        var writeEnds: [Int32] = []
        defer { writeEnds.forEach { _ = Glibc.close($0) } }
        if options.captureOutput {
            for target in [Int32(1), 2] {
                var fds: [Int32] = [-1, -1]
                if clinux_output_pipe(&fds) != 0 {
                    let code = errno
                    readEnds.forEach { _ = Glibc.close($0) }
                    throw SystemError(call: "pipe2", subject: path, errno: code)
                }
                readEnds.append(fds[0])
                writeEnds.append(fds[1])
                posix_spawn_file_actions_adddup2(&actions, fds[1], target)
            }
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        if let directory = options.directory { clinux_spawn_addchdir(&actions, directory) }
        var argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var envp: [UnsafeMutablePointer<CChar>?]? = options.environment.map { $0.map { strdup($0) } + [nil] }
        defer { envp?.forEach { free($0) } }
        var pid = pid_t()
        // An interrupt between the spawn and the tracking would leave the child running.
        clinux_spawn_begin()
        let rc = envp == nil
            ? posix_spawn(&pid, path, &actions, &attributes, &argv, environ)
            : posix_spawn(&pid, path, &actions, &attributes, &argv, &envp!)
        if rc == 0 { clinux_track_child_group(pid) }
        clinux_spawn_end()
        guard rc == 0 else {
            readEnds.forEach { _ = Glibc.close($0) }
            throw SystemError(call: "posix_spawn", subject: path, errno: rc)
        }
        // The child is alive and unreaped, so its pid cannot be reused: pidfd_open names it.
        let pidfd = clinux_pidfd_open(pid)
        return ChildProcess(pid: pid, pidfd: pidfd, pipes: readEnds, limit: options.outputLimit)
    }

    /// How `supervise` returned.
    public enum Wait: Sendable, Equatable { case exited, stopped, deadline }

    /// Waits until the process exits, `stop` holds (checked whenever `wakeup` is signalled, and
    /// every `interval` when given), or `deadline` passes, keeping its output meanwhile.
    public func supervise(until deadline: ContinuousClock.Instant, wakeup: Wakeup? = nil, every interval: Duration? = nil,
                          stop: () -> Bool = { false }) -> Wait {
        while true {
            if hasExited { return .exited }
            if stop() { return .stopped }
            let left = deadline - ContinuousClock.now
            if left <= .zero { return .deadline }
            // Without a pidfd (an old kernel) the exit is noticed by looking every 10 ms.
            let period = interval ?? (pidfd < 0 ? .milliseconds(10) : nil)
            let timeout = period.map { min($0, left) } ?? left
            let fds = pipes + [pidfd] + (wakeup.map { [$0.fd] } ?? [])
            let ready = (try? Poll.readable(fds.filter { $0 >= 0 }, timeout: timeout)) ?? []
            if let wakeup, ready.contains(wakeup.fd) { wakeup.drain() }
            readOutput()
        }
    }

    /// True once the main process has exited (it stays unreaped until `terminate`).
    public var hasExited: Bool { status != nil || clinux_child_exited(pid) != 0 }

    /// Ends the program and its whole group and returns how the main process ended: SIGTERM
    /// first when it is still running, SIGKILL if it ignores that for `grace`.
    ///
    /// The main process is reaped last, after the group's final SIGKILL and after it is no longer
    /// tracked: until it is reaped its pid, which is the group's id, cannot be given to another
    /// process, so no signal meant for this group can reach someone else's (pids wrap at 32768).
    @discardableResult
    public func terminate(grace: Duration = .seconds(5)) -> ExitStatus {
        if let status { return status }
        if !hasExited {
            // A keeper forwards SIGTERM to its program and gives it `grace` itself, then copies `out`.
            kill(sandbox == nil ? -pid : pid, SIGTERM)
            _ = supervise(until: .now + grace + (sandbox == nil ? .zero : .seconds(2)))
        }
        kill(-pid, SIGKILL)  // the main process if it ignored SIGTERM, and helpers that outlived it
        clinux_untrack_child_group(pid)
        var raw: Int32 = 0
        waitpid(pid, &raw, 0)
        var ended = ExitStatus(waitStatus: raw)
        if sandbox != nil { ended = finishSandbox(keeperStatus: ended) }
        status = ended
        // A helper that left the group may still hold the pipes: take what is there, no more.
        readOutput()
        pipes.filter { $0 >= 0 }.forEach { _ = Glibc.close($0) }
        pipes = []
        if pidfd >= 0 { _ = Glibc.close(pidfd) }
        return ended
    }

    /// Reads whatever the pipes hold now, without blocking.
    private func readOutput() {
        for (index, fd) in pipes.enumerated() where fd >= 0 {
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n <= 0 {
                    if n == 0 || (errno != EAGAIN && errno != EINTR) {
                        _ = Glibc.close(fd)
                        pipes[index] = -1
                    }
                    break
                }
                if index == 0 { stdout.append(buffer[0..<n]) } else { stderr.append(buffer[0..<n]) }
            }
        }
    }

    deinit { terminate() }
}

/// The first `limit` bytes a program wrote to one stream, and how many it wrote in all.
public struct CapturedOutput: Sendable, Equatable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var total = 0
    public let limit: Int

    public init(limit: Int) { self.limit = limit }

    public init(bytes: [UInt8], total: Int, limit: Int) {
        self.bytes = bytes
        self.total = total
        self.limit = limit
    }

    mutating func append(_ chunk: ArraySlice<UInt8>) {
        total += chunk.count
        if bytes.count < limit { bytes += chunk.prefix(limit - bytes.count) }
    }

    public var truncated: Bool { total > bytes.count }
}
