import ArgumentParser
import LabHTTP
import LabModel
import LabPackets
import LabSystem

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run an experiment's HTTP file server on 127.0.0.1 until interrupted, for your own browser and Wireshark.")

    @Argument(help: "An experiment with a serveHTTP step, e.g. experiment-61.")
    var name: String

    @Option(help: "The port to listen on (default: the experiment's).")
    var port: UInt16?

    @Option(help: "The folder to serve (default: the experiment's web root).")
    var root: String?

    @OptionGroup var options: ExperimentOptions

    func run() throws {
        let experiment: Experiment
        let loader = try options.loader()
        do { experiment = try loader.load(name) } catch {
            complain(error.description)
            throw ExitCode(error.exitCode)
        }
        guard let (webRoot, idle) = experiment.webServer else {
            complain("\(experiment.name) has no serveHTTP step; try experiment-61")
            throw ExitCode(64)
        }
        let folder = root ?? webRoot
        let site: StaticSite
        do { site = try StaticSite(root: folder) } catch {
            complain("\(folder): no web root there (\(SystemError.describe(error.errno)))")
            throw ExitCode(66)
        }
        let listenPort = port ?? experiment.port
        let listener: TCPSocket
        do { listener = try TCPSocket.listen(port: listenPort, backlog: 512) } catch {
            complain("cannot listen on 127.0.0.1:\(listenPort): \(SystemError.describe(error.errno))" +
                     (error.symbol == "EADDRINUSE" ? "; pick another with --port" : ""))
            throw ExitCode(70)
        }
        print("serving \(site.root) on http://127.0.0.1:\(listenPort)/ (idle timeout \(formatDuration(idle))); Ctrl-C stops")
        _ = HTTPServer(site: site, idleTimeout: idle).serve(listener, acceptTimeout: nil, joinConnections: false)
    }
}
