/// How strongly tcplab fences a program it starts (`--isolation`).
public enum IsolationLevel: String, Sendable, CaseIterable, Codable {
    /// Its own PID, mount, IPC and UTS namespaces, a filesystem view of the system read-only, its
    /// folder read-only and a scratch; as root also a uid of its own and cgroup limits.
    case sandbox
    /// What a container's default profile still allows when namespaces cannot be made: a uid of its
    /// own (as root), rlimits, no inherited descriptors or environment, a scratch folder on disk.
    case container
    /// As the user who started tcplab, with its environment: a student's own code on their own machine.
    case none

    /// What the level does and does not fence, for the run's header.
    public var summary: String {
        switch self {
        case .sandbox: "sandbox (own PID, mount, IPC and UTS namespaces; system and folder read-only; scratch; limits)"
        case .container: "container (own uid as root, limits, clean descriptors and environment; no namespaces)"
        case .none: "none (programs run as \(Sandbox.isRealRoot ? "root" : "you"), with tcplab's environment and files)"
        }
    }
}

/// The resources one program may use. The defaults are far above what a lab program needs.
public struct SandboxLimits: Sendable, Equatable, Codable {
    /// Bytes of memory: a cgroup's limit as root, the address space (RLIMIT_AS) otherwise.
    public var memory = 512 << 20
    /// Processes and threads at once (a cgroup's pids.max as root, and RLIMIT_NPROC).
    public var processes = 64
    /// CPU seconds of each process (RLIMIT_CPU).
    public var cpuSeconds = 60
    /// Bytes of the largest file it may write (RLIMIT_FSIZE).
    public var fileSize = 64 << 20
    /// Descriptors open at once (RLIMIT_NOFILE).
    public var openFiles = 256
    /// Bytes of its scratch folder, /tmp and /dev/shm together (a tmpfs's size).
    public var scratch = 64 << 20

    public init() {}

    /// Headless Chromium's: a browser, a zygote, a network service and renderers, each with tens
    /// of threads and hundreds of descriptors, far above a lab program and still bounded.
    public static let browser: SandboxLimits = {
        var limits = SandboxLimits()
        limits.memory = 2 << 30
        limits.processes = 1024
        limits.cpuSeconds = 300
        limits.fileSize = 256 << 20
        limits.openFiles = 8192
        return limits
    }()

    /// Every limit with its option and value, for the guide and the run's header.
    public var described: [(option: String, value: String)] {
        [("--memory-limit", Self.bytes(memory)), ("--process-limit", "\(processes)"), ("--cpu-limit", "\(cpuSeconds) s"),
         ("--file-size-limit", Self.bytes(fileSize)), ("--open-file-limit", "\(openFiles)"), ("--scratch-limit", Self.bytes(scratch))]
    }

    public static func bytes(_ count: Int) -> String {
        if count >= 1 << 30 && count % (1 << 30) == 0 { return "\(count >> 30) GiB" }
        if count >= 1 << 20 { return count % (1 << 20) == 0 ? "\(count >> 20) MiB" : String(format1: Double(count) / 1048576) + " MiB" }
        if count >= 1 << 10 { return "\(count >> 10) KiB" }
        return "\(count) bytes"
    }
}

/// A limit a program reached, in the words isolate's status line would use.
public struct LimitHit: Sendable, Equatable, Codable, CustomStringConvertible {
    public var limit: String
    public var value: String
    public var reached: String

    public init(limit: String, value: String, reached: String) {
        self.limit = limit
        self.value = value
        self.reached = reached
    }

    public var description: String { "its \(limit) limit of \(value) (\(reached))" }
}

/// What a sandboxed program used, from its keeper's report and its cgroups.
public struct SandboxUsage: Sendable, Equatable {
    public var level: IsolationLevel
    public var uid: UInt32?
    /// User and system time of every process it ran.
    public var cpuMicroseconds: Int64 = 0
    /// The memory cgroup's peak (as root); 0 when there is none to measure it. A process's own
    /// maxrss is no measure: it starts as a clone of tcplab, whose pages count until its exec.
    public var peakMemory: Int64 = 0
    /// How many processes it started, itself included; nil where it cannot be counted.
    public var processes: Int?
    public var limitHit: LimitHit?
    /// Files of its `out` folder copied back, and ones left (links, devices, names tcplab uses).
    public var copiedFiles = 0
    public var skippedFiles = 0

    public init(level: IsolationLevel) { self.level = level }
}

extension String {
    /// One decimal, without Foundation's formatter.
    public init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(tenths % 10)"
    }
}

/// How a run is fenced: where its network lives, and its programs' level and limits.
public struct Isolation: Sendable, Equatable {
    public var level = IsolationLevel.sandbox
    public var limits = SandboxLimits()
    public var network = NetworkMode.private
    /// Why the current namespace was taken without being asked for: a private one was refused.
    public var networkFallback: String?

    public init() {}

    /// The isolation asked for, with what was not asked filled in: a private network and the
    /// sandbox where namespaces can be made; where they are refused (a container's default
    /// profile), the current network and the container level, said in the header. What is asked
    /// for is kept even where it cannot be had, and the run then says so.
    public static func resolve(level: IsolationLevel?, network: NetworkMode?) -> Isolation {
        var isolation = Isolation()
        if let network {
            isolation.network = network
        } else if let refusal = NetworkProbe.privateRefusal {
            isolation.network = .current
            isolation.networkFallback = refusal
        }
        isolation.level = level ?? (isolation.networkFallback != nil && SandboxProbe.refusal(.sandbox) != nil ? .container : .sandbox)
        return isolation
    }

    /// The one line a run's header gives it, with what is weaker when tcplab is not root.
    public var header: String {
        var line = "isolation: " + level.summary
        if level != .none && !Sandbox.isRealRoot {
            line += level == .sandbox
                ? "; not root, so weaker: the programs keep your uid (only the sandbox's view hides your files), memory is an address-space limit, no cgroup counts"
                : "; not root, so weaker: the programs keep your uid and see what you can, memory is an address-space limit, no cgroup counts"
        }
        if level == .container && networkFallback != nil {
            line += "; could not: their own PID, mount, IPC and UTS namespaces (refused here), so they see the container's files and processes"
        }
        if network == .current {
            line += "; network: " + network.summary
            if let networkFallback { line += ", because a private namespace is refused here (\(networkFallback))" }
            if Sysctl.get("net.ipv4.tcp_no_metrics_save") != "1" {
                line += "; TCP metrics of past connections are kept (net.ipv4.tcp_no_metrics_save is not 1 and cannot be set)"
            }
        }
        return line
    }
}
