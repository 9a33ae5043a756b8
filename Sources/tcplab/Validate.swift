import ArgumentParser
import LabModel

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check experiment files without running them.")

    @OptionGroup var options: ExperimentOptions

    @Argument(help: "Experiment names or .json paths; all experiments when none is given.", completion: experimentName)
    var names: [String] = []

    func run() throws {
        let loader = try options.loader()
        do {
            let targets = names.isEmpty ? try loader.names() : names
            for target in targets {
                let e = try loader.load(target)
                let sides = [("server", e.server.count, e.programs[.server]), ("client", e.client.count, e.programs[.client])].map {
                    $0.2.map { "the program \(Program.quoted($0.arguments))" } ?? "\($0.1) \($0.0) steps"
                }
                let lab = e.labCode.isEmpty ? "" : ", lab code for the " + e.labCode.keys.map(\.rawValue).sorted().reversed().joined(separator: " and ")
                print("\(e.name): ok (\(sides.joined(separator: ", ")), \(e.expectations.count) expectations\(lab))")
            }
        } catch {
            throw fail(error.description, ExitStatus(code: error.exitCode))
        }
    }
}
