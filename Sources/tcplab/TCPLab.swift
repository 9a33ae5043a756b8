import ArgumentParser
import LabModel
import LabPipeline
import LabReport
import LabSystem

struct TCPLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tcplab",
        abstract: "Reproduce the TCP lab's traces on real kernel sockets and check their packets.",
        discussion: """
        Exit codes: 0 no expectation failed; 1 an expectation failed (or, for check, nothing in \
        the file matches); 2 a capture file is not a capture, empty, corrupt or cut short; 64 \
        usage (a value past its bound too); 65 malformed experiment file; 66 missing file, unknown \
        experiment or a folder without experiments; 70 harness failure (capture incomplete, \
        internal error); 73 cannot write the output; 77 no permission to capture; 130/143 \
        interrupted.
        """,
        version: Tool.version,
        subcommands: [List.self, RunCommand.self, ShowCommand.self, CheckCommand.self, GradeCommand.self, ServeCommand.self, ClientCommand.self, Validate.self]
    )
}

struct ExperimentOptions: ParsableArguments {
    @Option(name: .long, help: "The folder of experiment files. Default: $TCPLAB_EXPERIMENTS, ./Experiments, the installed copy beside the binary, or the checkout it was built in.",
            completion: .directory)
    var experiments: String?

    /// The folder to load from, or the exit that says where tcplab looked.
    func folder() throws -> String {
        do { return try ExperimentSearch.locate(experiments) } catch {
            throw fail(error.description, ExitStatus(code: error.exitCode))
        }
    }

    func loader() throws -> ExperimentLoader { ExperimentLoader(directory: try folder()) }
}

extension CapturePrivilege {
    /// What start-up managed, read by `run` before it creates any namespace. Unsafe in name
    /// only: main.swift writes it once, before any command runs or any thread starts.
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
