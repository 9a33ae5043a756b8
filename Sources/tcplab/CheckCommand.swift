import ArgumentParser
import LabModel
import LabPipeline
import LabVerdict

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check any capture (a student's Wireshark trace, say) against an experiment's expectations.",
        discussion: """
        The experiment's connections are found by their handshake: those to the experiment's port, or \
        else every connection whose opening was captured. Other traffic in the file (other flows, ARP, \
        DNS) is ignored. Exit codes as for `run`.
        """)

    @Argument(help: "A .pcap or .pcapng file.")
    var file: String

    @Option(help: "The experiment whose expectations apply, e.g. experiment-2.")
    var experiment: String

    @Option(help: "The client's address and port (HOST:PORT), when the handshake alone cannot tell.")
    var client: String?

    @OptionGroup var options: ExperimentOptions

    @Flag(help: "After the packet list, explain every packet; causes taken from the experiment are only \"likely\" here.")
    var explain = false

    @Option(help: "Also draw the experiment's connections as an SVG ladder diagram in this file.")
    var ladder: String?

    func validate() throws {
        if let client, ClientSelector(client) == nil {
            throw ValidationError("--client expects HOST:PORT, such as 10.0.2.15:51234 or [::1]:51234; got '\(client)'")
        }
    }

    func run() throws {
        do {
            let loaded = try ExperimentLoader(directory: options.experiments).load(experiment).withInProcessClient()
            let result = try CheckPipeline.check(file, experiment: loaded, client: client.flatMap(ClientSelector.init),
                                                 explain: explain)
            for line in result.lines(explain: explain) { print(line) }
            if let ladder { try OutputWriter.writeLadder(result.connections, title: result.ladderTitle, to: ladder) }
            if result.verdict.exitCode != 0 { throw ExitCode(result.verdict.exitCode) }
        } catch let error as ExperimentError {
            complain(error.description)
            throw ExitCode(error.exitCode)
        } catch let error as CommandFailure {
            complain(error.description)
            throw ExitCode(error.exitCode)
        } catch let error as OutputError {
            complain(error.description)
            throw ExitCode(error.exitCode)
        }
    }
}
