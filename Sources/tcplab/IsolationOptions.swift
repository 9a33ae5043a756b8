import ArgumentParser
import LabSystem

/// `--isolation` and the limits of every program tcplab starts.
struct IsolationOptions: ParsableArguments {
    @Option(help: ArgumentHelp("How programs are fenced: sandbox (their own namespaces, uid and limits; the default), container (what a container's default profile allows: uid, limits, clean descriptors and environment; the default where namespaces are refused) or none (as you, for your own code).", valueName: "sandbox|container|none"))
    var isolation: IsolationLevel?

    @Option(help: ArgumentHelp("Where runs' network lives: private (a namespace of the run's own, with the experiment's link; the default) or current (the namespace tcplab is in, as in a container: lo as it is, each run on a port of its own, experiments needing another link reported as not reproducible here, exit 69; the default where namespaces are refused).", valueName: "private|current"))
    var network: NetworkMode?

    @Option(help: ArgumentHelp("Memory of each program, e.g. 512M (default 512M).", valueName: "size"), transform: byteCount)
    var memoryLimit: Int?
    @Option(help: ArgumentHelp("Processes and threads of each program at once (default 64).", valueName: "count"), transform: { try count($0, "--process-limit") })
    var processLimit: Int?
    @Option(help: ArgumentHelp("CPU seconds of each process (default 60).", valueName: "seconds"), transform: { try count($0, "--cpu-limit") })
    var cpuLimit: Int?
    @Option(help: ArgumentHelp("The largest file a program may write, e.g. 64M (default 64M).", valueName: "size"), transform: byteCount)
    var fileSizeLimit: Int?
    @Option(help: ArgumentHelp("Descriptors a program may have open (default 256).", valueName: "count"), transform: { try count($0, "--open-file-limit") })
    var openFileLimit: Int?
    @Option(help: ArgumentHelp("Its scratch folder, /tmp and /dev/shm together, e.g. 64M (default 64M).", valueName: "size"), transform: byteCount)
    var scratchLimit: Int?

    var value: Isolation {
        var isolation = Isolation.resolve(level: self.isolation, network: network)
        if let memoryLimit { isolation.limits.memory = memoryLimit }
        if let processLimit { isolation.limits.processes = processLimit }
        if let cpuLimit { isolation.limits.cpuSeconds = cpuLimit }
        if let fileSizeLimit { isolation.limits.fileSize = fileSizeLimit }
        if let openFileLimit { isolation.limits.openFiles = openFileLimit }
        if let scratchLimit { isolation.limits.scratch = scratchLimit }
        return isolation
    }
}

extension IsolationLevel: ExpressibleByArgument {}
extension NetworkMode: ExpressibleByArgument {}

/// "512M", "1G", "64k" or plain bytes, from 4 KiB to 1 TiB.
func byteCount(_ text: String) throws -> Int {
    let units: [Character: Int] = ["k": 1 << 10, "K": 1 << 10, "m": 1 << 20, "M": 1 << 20, "g": 1 << 30, "G": 1 << 30]
    var digits = Substring(text)
    for suffix in ["iB", "B"] where digits.hasSuffix(suffix) { digits = digits.dropLast(suffix.count) }
    var scale = 1
    if let last = digits.last, let unit = units[last] { scale = unit; digits = digits.dropLast() }
    guard let number = Int(digits), number > 0, number <= (1 << 40) / scale, number * scale >= 4096 else {
        throw ValidationError("expected a size from 4K to 1024G such as \"512M\", got \"\(text)\"")
    }
    return number * scale
}

private func count(_ text: String, _ option: String) throws -> Int {
    guard let number = Int(text), (1...1_000_000).contains(number) else {
        throw ValidationError("\(option) expects a whole number from 1 to 1000000, got \"\(text)\"")
    }
    return number
}
