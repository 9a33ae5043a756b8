import ArgumentParser
import LabReport
import LabSystem

struct TCPLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tcplab",
        abstract: "Reproduce the TCP lab's traces on real kernel sockets and check their packets.",
        discussion: """
        Exit codes: 0 every expectation held; 1 an expectation failed; 64 usage; 65 malformed \
        experiment file; 66 missing file or unknown experiment; 70 harness failure (capture \
        incomplete, internal error); 73 cannot write the output; 77 no permission to capture; \
        130/143 interrupted.
        """,
        version: Tool.version,
        subcommands: [List.self, RunCommand.self, ShowCommand.self, CheckCommand.self, ServeCommand.self, Validate.self]
    )
}

struct ExperimentOptions: ParsableArguments {
    @Option(name: .long, help: "The folder of experiment files.")
    var experiments: String = "Experiments"
}

extension CapturePrivilege {
    /// What start-up managed, read by `run` before it creates any namespace.
    nonisolated(unsafe) static var startup: Outcome = .root
}

/// Prints one line to standard error.
func complain(_ message: String) {
    var stderr = StandardError()
    print("tcplab: \(message)", to: &stderr)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { FileOutput.writeStandardError(string) }
}
