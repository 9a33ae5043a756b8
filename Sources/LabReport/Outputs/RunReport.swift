import LabModel
import LabSystem
import LabVerdict
import LabPackets

/// The machine-readable record of runs (`--json`), described by Experiments/run-record.schema.json.
/// Bump `format` when a field changes meaning.
public struct RunReport: Codable, Sendable {
    public var format = 1
    public var tool: String
    public var kernel: String
    public var runs: [Entry]

    public struct Entry: Codable, Sendable {
        public var experiment: String
        public var title: String
        public var attempt: Int
        public var status: String
        public var exitCode: Int32
        public var trace: String?
        public var link: Link
        /// private (a namespace the run made) or current (the one tcplab is in: a container's).
        public var network: NetworkMode
        public var wallTimeSeconds: Double
        public var phases: [Phase]
        public var capture: Capture?
        public var endpoints: [EndpointEntry]
        public var packets: [PacketRow]
        public var connections: [ConnectionEntry]
        public var verdicts: [VerdictEntry]
        public var captureProblems: [String]
        public var endpointFailures: [String]
        /// With programs: the failure the rest follows from; absent when none failed.
        public var rootCause: RootCauseEntry?
        public var harnessError: String?
        public var explanation: [Explanation]?
    }

    public struct Link: Codable, Sendable { public var mtu: Int?; public var offloads: Bool }
    public struct Phase: Codable, Sendable { public var name: String; public var seconds: Double }

    public struct Capture: Codable, Sendable {
        public var linkType: UInt32
        public var snapLength: Int
        public var frames: Int
        public var drops: Int
        public var startFenceSeen: Bool
        public var endFenceSeen: Bool
        public var teardownSeen: Bool
        public var duplicateFrames: Int
    }

    public struct EndpointEntry: Codable, Sendable {
        public var side: Direction
        public var completed: Bool
        public var failure: String?
        public var steps: [StepEntry]
        public var program: ProgramEntry?
    }

    /// A program that played the side: its command, how it ended, and what it printed
    /// (the first 64 KiB of each stream, as text with invalid UTF-8 replaced).
    public struct ProgramEntry: Codable, Sendable {
        public var command: [String]
        public var directory: String
        public var origin: String
        public var ending: String
        public var exitStatus: Int32?
        public var signal: Int32?
        public var startedSeconds: Double
        public var endedSeconds: Double
        public var stdout: String
        public var stdoutBytes: Int
        public var stderr: String
        public var stderrBytes: Int
        /// sandbox, container or none: the level it ran at.
        public var isolation: String
        public var sandbox: SandboxEntry?

        init(_ p: ProgramRecord) {
            command = p.command
            directory = p.directory
            origin = p.origin.rawValue
            ending = p.endingText
            if case let .exited(code)? = p.ending.status { exitStatus = code }
            if case let .signalled(number)? = p.ending.status { signal = number }
            startedSeconds = Double(p.started) / 1e9
            endedSeconds = Double(p.ended) / 1e9
            stdout = String(decoding: p.stdout.bytes, as: UTF8.self)
            stdoutBytes = p.stdout.total
            stderr = String(decoding: p.stderr.bytes, as: UTF8.self)
            stderrBytes = p.stderr.total
            isolation = (p.sandbox?.level ?? .none).rawValue
            sandbox = p.sandbox.map(SandboxEntry.init)
        }
    }

    /// What a sandboxed program used, as isolate's meta file gives it.
    public struct SandboxEntry: Codable, Sendable {
        public var uid: UInt32?
        public var cpuSeconds: Double
        /// Absent without a memory cgroup to measure it.
        public var peakMemoryBytes: Int64?
        public var processes: Int?
        public var limitHit: LimitHit?
        public var copiedFiles: Int
        public var skippedFiles: Int

        init(_ usage: SandboxUsage) {
            uid = usage.uid
            cpuSeconds = Double(usage.cpuMicroseconds) / 1e6
            peakMemoryBytes = usage.peakMemory > 0 ? usage.peakMemory : nil
            processes = usage.processes
            limitHit = usage.limitHit
            copiedFiles = usage.copiedFiles
            skippedFiles = usage.skippedFiles
        }
    }

    public struct StepEntry: Codable, Sendable {
        public var step: Int
        public var label: String
        public var startedSeconds: Double
        public var endedSeconds: Double
        public var bytesIn: Int
        public var bytesOut: Int
        public var error: String?
        public var errorExpected: Bool
        public var unreadAtClose: Int?
        public var note: String?
    }

    public struct ConnectionEntry: Codable, Sendable {
        public var index: Int
        public var client: String
        public var server: String
        public var history: String
        public var clientStats: DirectionStats
        public var serverStats: DirectionStats

        public init(_ c: Connection) {
            (index, client, server, history) = (c.index, "\(c.client)", "\(c.server)", c.history)
            (clientStats, serverStats) = (c.clientStats, c.serverStats)
        }
    }

    public struct RootCauseEntry: Codable, Sendable {
        public var side: Direction
        public var reason: String
        public var lastPacket: Int?
        public var stderrTail: [String]
        public var causedByTcplab: [Int]

        init(_ c: RootCause) {
            (side, reason, lastPacket, stderrTail, causedByTcplab) = (c.side, c.reason, c.lastPacket, c.stderrTail, c.causedByTcplab)
        }
    }

    public struct VerdictEntry: Codable, Sendable {
        public var expectation: String
        public var path: String
        /// held, failed, not applicable, unobservable or not reached.
        public var status: Outcome.Status
        /// Kept for readers of format 1: true exactly when `status` is held.
        public var passed: Bool
        public var detail: String
        public var packets: [Int]

        init(_ o: Outcome) {
            (expectation, path, status, passed, detail, packets) = (o.expectation, o.path, o.status, o.passed, o.detail, o.packets)
        }
    }

    public init(tool: String, kernel: String, results: [RunResult], explain: Bool) {
        self.tool = tool
        self.kernel = kernel
        runs = results.map { Self.entry($0, explain: explain) }
    }

    static func entry(_ r: RunResult, explain: Bool) -> Entry {
        let record = r.record
        let capture = record.map {
            Capture(linkType: $0.linkType.rawValue, snapLength: $0.snapLength, frames: $0.frames.count, drops: $0.drops,
                    startFenceSeen: $0.startFenceSeen, endFenceSeen: $0.endFenceSeen, teardownSeen: $0.teardownSeen,
                    duplicateFrames: $0.duplicateFrames)
        }
        let endpoints = (record?.endpoints ?? []).map { e in
            EndpointEntry(side: e.side, completed: e.completed, failure: e.failure, steps: e.steps.map { s in
                StepEntry(step: s.index + 1, label: s.label, startedSeconds: Double(s.started) / 1e9, endedSeconds: Double(s.ended) / 1e9,
                          bytesIn: s.bytesIn, bytesOut: s.bytesOut, error: s.error.map { "\($0)" }, errorExpected: s.errorExpected,
                          unreadAtClose: s.unreadAtClose, note: s.note)
            }, program: e.program.map(ProgramEntry.init))
        }
        let verdict = r.verdict
        return Entry(
            experiment: r.experiment.name, title: r.experiment.title, attempt: r.attempt, status: r.status, exitCode: r.exitCode,
            trace: r.tracePath, link: Link(mtu: r.experiment.link.mtu, offloads: r.experiment.link.offloads),
            network: r.experiment.network, wallTimeSeconds: r.wallTime.seconds,
            phases: (record?.phases ?? []).map { Phase(name: $0.name, seconds: $0.duration.seconds) },
            capture: capture, endpoints: endpoints,
            packets: PacketList(packets: r.packets, connections: r.connections).rows,
            connections: r.connections.map(ConnectionEntry.init),
            verdicts: (verdict?.outcomes ?? []).map(VerdictEntry.init),
            captureProblems: verdict?.captureProblems ?? [], endpointFailures: verdict?.endpointFailures ?? [],
            rootCause: verdict?.rootCause.map(RootCauseEntry.init),
            harnessError: r.harnessError,
            explanation: explain ? r.explanations : nil)
    }
}
