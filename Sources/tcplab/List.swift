import ArgumentParser
import LabModel

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the experiments with their trace and title.")

    @OptionGroup var options: ExperimentOptions

    func run() throws {
        let loader = try options.loader()
        do {
            let experiments = try loader.names().map(loader.load)
            let width = experiments.map(\.name.count).max() ?? 0
            let traceWidth = experiments.map(\.trace.count).max() ?? 0
            for e in experiments {
                let name = e.name + String(repeating: " ", count: width - e.name.count)
                let trace = e.trace + String(repeating: " ", count: traceWidth - e.trace.count)
                print("\(name)  \(trace)  \(e.title)")
            }
        } catch {
            throw fail(error.description, ExitStatus(code: error.exitCode))
        }
    }
}
