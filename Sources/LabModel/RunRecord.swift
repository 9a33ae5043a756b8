import LabPackets
import LabSystem

/// What one endpoint step did.
public struct StepRecord: Sendable {
    public var index: Int
    public var label: String
    /// Nanoseconds since the run's start fence.
    public var started: Int64
    public var ended: Int64
    public var bytesIn = 0
    public var bytesOut = 0
    /// The error the step ended with, expected or not.
    public var error: SystemError?
    /// True when the experiment named that error with `expectError`.
    public var errorExpected = false
    /// Bytes still unread when this step closed the socket: a non-zero count means RST.
    public var unreadAtClose: Int?
    /// What the step observed, in words (an HTTP status, a server's tally).
    public var note: String?

    public init(index: Int, label: String, started: Int64, ended: Int64) {
        self.index = index
        self.label = label
        self.started = started
        self.ended = ended
    }
}

/// What a program that played one side did, as its process showed it.
public struct ProgramRecord: Sendable {
    /// The words it was started with, placeholders filled in.
    public var command: [String]
    public var directory: String
    public var origin: Program.Origin
    public var ending: Ending
    public var stdout: CapturedOutput
    public var stderr: CapturedOutput
    /// Nanoseconds since the run's start fence.
    public var started: Int64 = 0
    public var ended: Int64 = 0
    /// The ports the namespace had listening when the server program should have been on the experiment's.
    public var listeningElsewhere: [UInt16] = []
    /// The addresses a server program listened on at the experiment's port ("0.0.0.0" or "::"
    /// for every address), so a client that connected to another host is told so.
    public var listeningAddresses: [String] = []
    /// Its TCP sockets' system calls, from strace; nil when it was not traced.
    public var sockets: [SocketCalls]?
    /// What strace's log held when it showed no connection.
    public var straceNote: String?
    /// What it used in its sandbox and which limit it reached; nil at `--isolation none`.
    public var sandbox: SandboxUsage?
    /// When tcplab began to stop it (SIGTERM), on the capture's clock (nanoseconds since the
    /// epoch): a FIN or RST its side sent from then on is the kernel's, caused by tcplab. Nil
    /// when it ended by itself.
    public var stoppedAt: Int64?
    /// The namespace's TCP sockets just before tcplab stopped it at the deadline: who was
    /// waiting on whom (a socket with nothing unread whose peer never closed was waiting).
    public var socketsAtDeadline: [SocketState]?

    public enum Ending: Sendable, Equatable {
        /// It ended by itself.
        case exited(ChildProcess.ExitStatus)
        /// A server still running once the client was done and every teardown was captured:
        /// tcplab ended it, as servers that accept in a loop expect.
        case stoppedAfterClient(ChildProcess.ExitStatus)
        /// Still running at the run's deadline, so it was killed with its whole group.
        case killedAtDeadline(ChildProcess.ExitStatus)
        /// Stopped by tcplab because it could not do its part (it listened on another port).
        case stopped(ChildProcess.ExitStatus)
        /// It never ran: why.
        case notStarted(String)

        /// How the main process ended, when it ran.
        public var status: ChildProcess.ExitStatus? {
            switch self {
            case let .exited(s), let .stoppedAfterClient(s), let .killedAtDeadline(s), let .stopped(s): s
            case .notStarted: nil
            }
        }
    }

    public init(command: [String], directory: String, origin: Program.Origin, ending: Ending,
                stdout: CapturedOutput = CapturedOutput(limit: 0), stderr: CapturedOutput = CapturedOutput(limit: 0)) {
        self.command = command
        self.directory = directory
        self.origin = origin
        self.ending = ending
        self.stdout = stdout
        self.stderr = stderr
    }

    /// "exited with status 0", "stopped after the run ended (tcplab's SIGTERM, once the client had finished)".
    public var endingText: String {
        switch ending {
        case let .exited(status): "\(status)"
        case let .stoppedAfterClient(status):
            // Not a failure: a server that accepts in a loop is ended this way, and SIGTERM is how.
            status.isSIGTERM ? "stopped after the run ended (tcplab's SIGTERM, once the client had finished)"
                : "stopped after the run ended (tcplab's SIGTERM, once the client had finished; it \(status))"
        case let .killedAtDeadline(status): "killed at the run's deadline (\(status))"
        case let .stopped(status): "stopped by tcplab (\(status))"
        case let .notStarted(why): "not started: \(why)"
        }
    }

    /// The last line the program wrote to stderr, for one-line failure messages.
    public var lastErrorLine: String? {
        String(decoding: stderr.bytes, as: UTF8.self).split(whereSeparator: \.isNewline)
            .last { !$0.allSatisfy(\.isWhitespace) }.map { String($0.prefix(200)) }
    }
}

public struct EndpointRecord: Sendable {
    public var side: Direction
    public var steps: [StepRecord] = []
    /// Set when a program played this side instead of steps.
    public var program: ProgramRecord?
    /// The run's deadline stopped this side.
    public var stoppedAtDeadline = false
    /// Why the endpoint stopped early, naming the step: nil when every step ran as listed.
    public var failure: String?
    public var completed: Bool { failure == nil }

    public init(side: Direction, steps: [StepRecord] = [], failure: String? = nil) {
        self.side = side
        self.steps = steps
        self.failure = failure
    }
}

/// Everything a run observed, before any expectation is judged.
public struct RunRecord: Sendable {
    public var experiment: String
    public var linkType: LinkType
    public var snapLength: Int
    public var frames: [CapturedFrame]
    public var drops: Int
    public var startFenceSeen: Bool
    public var endFenceSeen: Bool
    public var teardownSeen: Bool
    public var duplicateFrames: Int
    public var endpoints: [EndpointRecord]
    /// Set when the run passed its deadline: how long that was.
    public var deadlinePassed: Duration?
    /// Where the wall time went: namespace, capture start, experiment, teardown.
    public var phases: [(name: String, duration: Duration)]

    public init(experiment: String, linkType: LinkType, snapLength: Int, frames: [CapturedFrame], drops: Int,
                startFenceSeen: Bool, endFenceSeen: Bool, teardownSeen: Bool, duplicateFrames: Int,
                endpoints: [EndpointRecord], phases: [(name: String, duration: Duration)]) {
        self.experiment = experiment
        self.linkType = linkType
        self.snapLength = snapLength
        self.frames = frames
        self.drops = drops
        self.startFenceSeen = startFenceSeen
        self.endFenceSeen = endFenceSeen
        self.teardownSeen = teardownSeen
        self.duplicateFrames = duplicateFrames
        self.endpoints = endpoints
        self.phases = phases
    }

    /// With a capture on both hosts: both captures merged in time order, which is what the
    /// trace file holds; `frames` is the client's capture, which the run is checked on.
    public var mergedFrames: [CapturedFrame]?

    /// A run against another machine: no fences; the capture opened before the connection and
    /// the connections' teardown bound it instead.
    public var boundedByTeardown = false

    /// Reasons the trace cannot be trusted. Any one makes the run a harness failure.
    public var captureProblems: [String] {
        var problems: [String] = []
        if !startFenceSeen { problems.append("the start fence was not captured") }
        if !endFenceSeen { problems.append("the end fence was not captured") }
        if drops < 0 { problems.append("the kernel's drop count could not be read") }
        if drops > 0 { problems.append("the kernel dropped \(drops) packet(s)") }
        if let deadlinePassed {
            let where_ = endpoints.filter(\.stoppedAtDeadline).compactMap(\.failure)
            problems.append("the run passed its deadline of \(formatDuration(deadlinePassed))"
                            + (where_.isEmpty ? "" : ": " + where_.joined(separator: "; ")) + ", so it was stopped")
        }
        if duplicateFrames > 0 { problems.append("\(duplicateFrames) duplicate frame(s)") }
        if !teardownSeen && endpoints.allSatisfy(\.completed) {
            problems.append("the connection's teardown (FINs acknowledged, or RST) was not captured")
        }
        return problems
    }

    public func endpoint(_ side: Direction) -> EndpointRecord? { endpoints.first { $0.side == side } }
}
