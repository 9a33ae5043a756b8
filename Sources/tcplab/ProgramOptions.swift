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
        valueName: "command"))
    var serverCommand: String?

    @Option(help: ArgumentHelp("Run this program as the client, e.g. 'python3 client.py {host} {port}'.", valueName: "command"))
    var clientCommand: String?

    enum Endpoints: String, ExpressibleByArgument, CaseIterable {
        case scripted, lab
    }

    @Option(help: "Who plays the sides: the experiment's own steps (scripted), or the lab's own Python code from Experiments/lab (lab).")
    var endpoints: Endpoints = .scripted

    @Option(help: ArgumentHelp("The longest a run with a program may take before its programs are killed (default: the experiment's \"deadline\", 60s).", valueName: "duration"))
    var deadline: String?

    @Flag(help: "Run each program under strace -f and report its send and receive calls and its close (strace slows each system call, which can change timing).")
    var strace = false

    func validate() throws {
        if let deadline, parseDuration(deadline).map({ $0 > .zero }) != true {
            throw ValidationError("--deadline: expected a positive duration such as \"30s\", got \"\(deadline)\"")
        }
        do {
            _ = try choice.parsedCommands()
        } catch {
            throw ValidationError(error.description)
        }
    }

    var choice: EndpointChoice {
        var choice = EndpointChoice()
        choice.source = endpoints == .lab ? .lab : .scripted
        if let serverCommand { choice.commands[.server] = serverCommand }
        if let clientCommand { choice.commands[.client] = clientCommand }
        choice.directory = FileManager.default.currentDirectoryPath
        choice.deadline = deadline.flatMap { parseDuration($0) }
        choice.traceSyscalls = strace
        return choice
    }
}
