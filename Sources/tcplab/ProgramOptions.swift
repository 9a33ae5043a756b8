import ArgumentParser
import FoundationEssentials
import LabModel
import LabPackets
import LabPipeline

/// The options that put programs in place of an experiment's scripted sides.
struct ProgramOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Run this program as the server, e.g. 'python3 server.py {port}'.",
        discussion: "Split into words like a shell does, but run without one (write sh -c '…' for pipes). {host}, {port} and {out} are filled in, and are also in TCPLAB_HOST, TCPLAB_PORT and TCPLAB_OUT. It runs in the current folder, inside the run's private network namespace.",
        valueName: "command"), transform: commandWords)
    var serverCommand: [String]?

    @Option(help: ArgumentHelp("Run this program as the client, e.g. 'python3 client.py {host} {port}'.", valueName: "command"),
            transform: commandWords)
    var clientCommand: [String]?

    enum Endpoints: String, ExpressibleByArgument, CaseIterable {
        case scripted, lab
    }

    @Option(help: "Who plays the sides: the experiment's own steps (scripted), or the lab's own Python code from Experiments/lab (lab).")
    var endpoints: Endpoints = .scripted

    @Option(help: ArgumentHelp("The longest a run may take before its steps are stopped and its programs killed, at most \(formatDuration(CommandLimits.deadline)) (default: the experiment's \"deadline\", else its sleeps plus four step timeouts).", valueName: "duration"),
            transform: positiveDuration)
    var deadline: Duration?

    @Option(help: ArgumentHelp("Where the sides run: lo (one host, both on 127.0.0.1) or lab (the two hosts of the lab's own trace, joined by a veth pair, as the experiment's \"labLink\" describes them). Default: the experiment's \"link\".", valueName: "lo|lab"))
    var hosts: HostsChoice?

    @OptionGroup(title: "Sandbox") var sandbox: IsolationOptions

    @Flag(help: "Run each program under strace -f and report its send and receive calls and its close (strace slows each system call, which can change timing).")
    var strace = false

    var choice: EndpointChoice {
        var choice = EndpointChoice()
        choice.source = endpoints == .lab ? .lab : .scripted
        if let serverCommand { choice.commands[.server] = serverCommand }
        if let clientCommand { choice.commands[.client] = clientCommand }
        choice.directory = FileManager.default.currentDirectoryPath
        choice.deadline = deadline
        choice.traceSyscalls = strace
        choice.hosts = hosts
        choice.isolation = sandbox.value
        return choice
    }
}

/// A command line split into words as a shell would, for `--server-command` and `--client-command`.
func commandWords(_ line: String) throws -> [String] {
    switch Program.words(of: line) {
    case let .success(words): return words
    case let .failure(error): throw ValidationError(error.description)
    }
}

extension HostsChoice: ExpressibleByArgument {}
