import ArgumentParser
import LabModel

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check experiment files without running them.")

    @OptionGroup var options: ExperimentOptions

    @Argument(help: "Experiment names or .json paths; all experiments when none is given.")
    var names: [String] = []

    func run() throws {
        let loader = try options.loader()
        do {
            let targets = names.isEmpty ? try loader.names() : names
            for target in targets {
                let e = target.hasSuffix(".json") ? try ExperimentLoader.load(path: target) : try loader.load(target)
                print("\(e.name): ok (\(e.server.count) server steps, \(e.client.count) client steps, \(e.expectations.count) expectations)")
            }
        } catch {
            complain(error.description)
            throw ExitCode(error.exitCode)
        }
    }
}
