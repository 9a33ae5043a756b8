import LabModel
import LabPackets
import LabSystem

/// Who plays each side of a run: the experiment's own steps, the lab's shipped code, or a
/// program given on the command line. One place decides it for `run` and `grade`.
public struct EndpointChoice: Sendable {
    public enum Source: String, Sendable, CaseIterable {
        /// The experiment's steps, or the programs its file names.
        case scripted
        /// The lab's own code, from the experiment's `"labCode"`.
        case lab
    }

    public var source = Source.scripted
    /// The programs that play a side in place of what the experiment says, as words
    /// (`--server-command`, `--client-command`, a student's `tcplab.json`).
    public var commands: [Direction: [String]] = [:]
    /// Where those programs run: tcplab's working folder, or a student's.
    public var directory = "."
    public var deadline: Duration?
    /// Run every program under strace (`--strace`).
    public var traceSyscalls = false
    /// One host's lo or the lab's two hosts (`--hosts`); nil keeps the experiment's own link.
    public var hosts: HostsChoice?
    /// How every program is fenced (`--isolation` and the limits).
    public var isolation = Isolation()

    public init() {}

    /// True when nothing is changed from the experiment file.
    public var isDefault: Bool { source == .scripted && commands.isEmpty && deadline == nil && !traceSyscalls && hosts == nil }

    /// The experiment as chosen, or nil when `--endpoints lab` has no code for it and it was
    /// not asked for by name (so `--all` passes over it).
    public func apply(to experiment: Experiment, named: Bool) throws(CommandFailure) -> Experiment? {
        var chosen = experiment
        if let hosts {
            guard let placed = experiment.on(hosts) else {
                if named {
                    throw CommandFailure("\(experiment.name) has no lab link (no \"labLink\" in its file), so --hosts lab cannot run it", exitCode: 64)
                }
                return nil
            }
            chosen = placed
        }
        if source == .lab {
            guard let lab = chosen.withLabCode() else {
                if named {
                    throw CommandFailure("\(experiment.name) has no lab code (no \"labCode\" in its file), so --endpoints lab cannot run it", exitCode: 64)
                }
                return nil
            }
            chosen = lab
        }
        for (side, words) in commands {
            chosen = chosen.with(program: Program(arguments: words, directory: directory, origin: .commandLine), for: side)
        }
        if let deadline { chosen.deadline = deadline }
        if traceSyscalls {
            guard !chosen.programs.isEmpty else {
                throw CommandFailure("--strace traces programs, and no program plays \(experiment.name): add --endpoints lab or a --server-command or --client-command", exitCode: 64)
            }
            guard FileSystem.findExecutable("strace", directory: "/") != nil else {
                throw CommandFailure("--strace needs strace, which is not installed (apt-get install strace)", exitCode: 69)
            }
            for side in Array(chosen.programs.keys) { chosen.programs[side]?.traced = true }
        }
        chosen.network = isolation.network
        for side in Array(chosen.programs.keys) { chosen.programs[side]?.isolation = isolation }
        if !chosen.programs.isEmpty, let why = SandboxProbe.refusal(isolation.level) {
            throw CommandFailure("\(experiment.name): the \(isolation.level.rawValue) level cannot be had here: \(why); "
                + "pass --isolation container to run programs with what a container allows, or --isolation none for your own code", exitCode: 77)
        }
        for (side, program) in chosen.programs.sorted(by: { $0.key == .server && $1.key == .client }) {
            if let why = Self.missing(program) {
                throw CommandFailure("\(experiment.name): the \(side) program cannot be started: \(why)", exitCode: 70)
            }
        }
        return chosen
    }

    /// Why a program cannot be found, before any run starts; nil when it can.
    private static func missing(_ program: Program) -> String? {
        guard let name = program.arguments.first else { return "its command is empty" }
        // A name built from a placeholder is known only when the run fills it in; the run checks it then.
        if Program.placeholders.keys.contains(where: name.contains) { return nil }
        guard case let .failure(why) = Program.locate(name, from: program.directory, isolation: program.isolation.level) else { return nil }
        return why.description
    }
}
