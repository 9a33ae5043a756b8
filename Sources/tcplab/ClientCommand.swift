import ArgumentParser
import LabModel
import LabPackets
import LabPipeline
import LabSystem

/// `--connect HOST:PORT` and `--listen ADDR:PORT`: an IPv4 address and a port.
func socketAddress(_ text: String) throws -> SocketAddress {
    guard let address = SocketAddress(text) else {
        throw ValidationError("expected ADDRESS:PORT such as 10.0.2.15:12345, got '\(text)'")
    }
    return address
}

struct ClientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Run an experiment's client against a server on another machine, capture it there, write the trace and check it.",
        discussion: "Start `tcplab serve NAME --listen ADDR:PORT` on the server's machine first. The capture filters on the server's address and port, and ends with the connections' own teardown.")

    @Argument(help: "An experiment, e.g. experiment-1.", completion: experimentName)
    var name: String

    @Option(help: ArgumentHelp("The server's address and port.", valueName: "host:port"), transform: socketAddress)
    var connect: SocketAddress

    @Option(help: ArgumentHelp("Capture on this interface (e.g. enp0s3, or any), write the trace and check it.", valueName: "iface"))
    var capture: String?

    @Option(help: "Where traces are written.")
    var out: String = "traces"

    @Option(parsing: .unconditional, help: "Run the client this many times, one after the other (at most \(CommandLimits.runs)).",
            transform: wholeNumber(atMost: CommandLimits.runs))
    var `repeat`: Int = 1

    @Flag(help: "Print only the summary line of each run.")
    var quiet = false

    @OptionGroup var options: ExperimentOptions

    func validate() throws {
        if `repeat` < 1 { throw ValidationError("--repeat must be a whole number of runs, at least 1; got \(`repeat`)") }
        try requireAtMost("--repeat", `repeat`, CommandLimits.runs, unit: "runs")
    }

    func run() throws {
        try runRemote(name: name, options: options, side: .client, server: connect, capture: capture, out: out,
                      visits: `repeat`, quiet: quiet)
    }
}

/// The shared body of `serve --listen` and `client`: load, run the visits, print, pick the exit code.
func runRemote(name: String, options: ExperimentOptions, side: Direction, server: SocketAddress, capture: String?,
               out: String, visits: Int?, quiet: Bool) throws {
    let loader = try options.loader()
    let experiment: Experiment
    do { experiment = try loader.load(name) } catch {
        throw fail(error.description, ExitStatus(code: error.exitCode))
    }
    var plan = RemotePipeline.Plan(side: side, server: server, interface: capture, out: out, visits: visits)
    plan.quiet = quiet
    let code: Int32
    do throws(CommandFailure) {
        code = try RemotePipeline.run(experiment, plan: plan) { lines, errors in
            for line in lines { print(line) }
            for line in errors { complain(line) }
        }
    } catch {
        throw fail(error.description, ExitStatus(code: error.exitCode))
    }
    if code != 0 { throw ExitStatus(code: code).exit }
}
