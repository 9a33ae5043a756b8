import ArgumentParser
import LabHTTP
import LabModel
import LabPackets
import LabPipeline
import LabSystem

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run an experiment's server: its HTTP file server on 127.0.0.1 for your own browser, or with --listen any experiment's server on a real interface, for `tcplab client` on another machine.",
        discussion: "With --listen the server serves one visit of the experiment's client after another (a Part 1 connection, or a Part 2 page's connections); with --capture each visit is captured on that interface, written and checked.")

    @Argument(help: "An experiment: with a serveHTTP step (e.g. experiment-61), or any with --listen.", completion: experimentName)
    var name: String

    @Option(help: ArgumentHelp("Serve the experiment's server side on this address and port (e.g. 10.0.2.15:12345).", valueName: "addr:port"),
            transform: socketAddress)
    var listen: SocketAddress?

    @Option(help: ArgumentHelp("With --listen: capture each visit on this interface, write its trace and check it.", valueName: "iface"))
    var capture: String?

    @Option(help: "With --capture: where traces are written.")
    var out: String = "traces"

    @Option(help: "With --listen: stop after this many visits (at most \(CommandLimits.runs); default: serve until interrupted).",
            transform: wholeNumber(atMost: CommandLimits.runs))
    var count: Int?

    @Flag(help: "With --capture: print only the summary line of each visit.")
    var quiet = false

    @Option(help: "The port to listen on (default: the experiment's).")
    var port: UInt16?

    @Option(help: "The folder to serve (default: the experiment's web root).")
    var root: String?

    @OptionGroup var options: ExperimentOptions

    func validate() throws {
        if listen == nil, capture != nil || count != nil {
            throw ValidationError("--capture and --count go with --listen ADDR:PORT")
        }
        if listen != nil, port != nil || root != nil {
            throw ValidationError("--port and --root are for the HTTP server on 127.0.0.1; with --listen the experiment's own server runs")
        }
        if let count, count < 1 { throw ValidationError("--count must be at least 1, got \(count)") }
        if let count { try requireAtMost("--count", count, CommandLimits.runs, unit: "visits") }
    }

    func run() throws {
        if let listen {
            try runRemote(name: name, options: options, side: .server, server: listen, capture: capture, out: out,
                          visits: count, quiet: quiet)
            return
        }
        let experiment: Experiment
        let loader = try options.loader()
        do { experiment = try loader.load(name) } catch {
            throw fail(error.description, ExitStatus(code: error.exitCode))
        }
        guard let (webRoot, idle) = experiment.webServer else {
            throw fail("\(experiment.name) has no serveHTTP step; try experiment-61", .usage)
        }
        let folder = root ?? webRoot
        let site: StaticSite
        do { site = try StaticSite(root: folder) } catch {
            throw fail("\(folder): no web root there (\(SystemError.describe(error.errno)))", .missingInput)
        }
        let listenPort = port ?? experiment.port
        let listener: TCPSocket
        do { listener = try TCPSocket.listen(port: listenPort, backlog: 512) } catch {
            throw fail("cannot listen on 127.0.0.1:\(listenPort): \(SystemError.describe(error.errno))" +
                       (error.symbol == "EADDRINUSE" ? "; pick another with --port" : ""), .internalError)
        }
        print("serving \(site.root) on http://127.0.0.1:\(listenPort)/ (idle timeout \(formatDuration(idle))); Ctrl-C stops")
        _ = HTTPServer(site: site, idleTimeout: idle).serve(listener, acceptTimeout: nil, joinConnections: false)
    }
}
