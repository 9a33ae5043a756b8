import Foundation
import Testing

/// The GitHub Classroom workflow in contrib/github-classroom: it parses as YAML (PyYAML), every
/// `tcplab` command line in it names a subcommand and options the built binary has (asked with
/// `--help`) and experiments it lists, and nothing masks the grading command's exit status, which
/// the command grader scores (0 passed, anything else failed).
@Suite struct ClassroomWorkflowTests {
    static let folder = Repository.root + "/contrib/github-classroom"
    static let yamlReadable = (try? execute("python3", ["-c", "import yaml"]).status == 0) ?? false
    @Test(.enabled(if: PrerequisiteTests.required, "set TCPLAB_REQUIRE_ALL_TESTS=1 (as .ci/run does) to make a missing prerequisite fail"))
    func pyYAMLIsThereOnCI() {
        #expect(Self.yamlReadable, "python3 cannot import yaml: make test-deps installs PyYAML")
    }

    @Test(.enabled(if: yamlReadable, "needs python3 with PyYAML (make test-deps installs it)"))
    func theClassroomWorkflowNamesOnlyWhatTcplabHas() throws {
        let lines = try Self.tcplabCommands(in: "classroom.yml")
        #expect(lines.count >= 3, "\(lines)")
        let grading = lines.filter { $0.contains("grade --code . ") }
        #expect(grading.count >= 1 && grading.allSatisfy { $0.contains("--junit") && $0.contains("--json") && $0.contains("--experiment") }, "\(lines)")
        try Self.expectKnown(lines)
        let workflow = try String(contentsOfFile: Self.folder + "/classroom.yml", encoding: .utf8)
        #expect(!workflow.contains("|| true") && !workflow.contains("continue-on-error"), "the grader must see tcplab's exit status")
    }

    /// Every shell line of the workflow's `run:` steps and command graders' `command:` inputs that
    /// runs tcplab as a command (alone or after sudo), from `tcplab` on, with GitHub's `${{ … }}` expressions replaced by a word.
    static func tcplabCommands(in file: String) throws -> [String] {
        let toJSON = "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))"
        let parsed = try execute("python3", ["-c", toJSON, folder + "/" + file])
        #expect(parsed.status == 0, "\(file) is not valid YAML: \(parsed.error)")
        let workflow = try JSONSerialization.jsonObject(with: Data(parsed.output.utf8)) as? [String: Any] ?? [:]
        let jobs = workflow["jobs"] as? [String: Any] ?? [:]
        #expect(!jobs.isEmpty, "\(file) has no jobs")
        var commands: [String] = []
        for case let job as [String: Any] in jobs.values {
            for case let step as [String: Any] in job["steps"] as? [Any] ?? [] {
                let with = step["with"] as? [String: Any] ?? [:]
                let scripts = [step["run"], with["command"], with["setup-command"]].compactMap { $0 as? String }
                let joined = scripts.joined(separator: "\n").replacingOccurrences(of: "\\\n", with: " ")
                for line in joined.split(separator: "\n") {
                    let expanded = line.replacingOccurrences(of: #"\$\{\{[^}]*\}\}"#, with: "1", options: .regularExpression)
                    guard let start = expanded.range(of: #"(^|[;&|(]|sudo)\s*tcplab(\s|$)"#, options: .regularExpression) else { continue }
                    commands.append(String(expanded[start.lowerBound...]).trimmingCharacters(in: .whitespaces))
                }
            }
        }
        return commands
    }

    /// Asks the binary: each subcommand answers `--help`, each option appears in that help, and each
    /// `--experiment NAME` is in `tcplab list`.
    static func expectKnown(_ lines: [String]) throws {
        let listed = try execute(Repository.binary, ["list"], environment: ["TCPLAB_EXPERIMENTS": Repository.experiments]).output
        for line in lines {
            let words = line.split(whereSeparator: \.isWhitespace).map(String.init).drop { $0 != "tcplab" }.dropFirst()
            let subcommand = words.first.flatMap { $0.hasPrefix("-") ? nil : $0 }
            let help = try execute(Repository.binary, (subcommand.map { [$0] } ?? []) + ["--help"])
            #expect(help.status == 0, "\(line): tcplab has no subcommand \(subcommand ?? "")")
            for (index, word) in words.enumerated() where word.hasPrefix("--") {
                let option = String(word.split(separator: "=")[0])
                #expect(help.output.range(of: option + #"(\s|$|,|=)"#, options: .regularExpression) != nil || option == "--help",
                        "\(line): tcplab \(subcommand ?? "") has no option \(option)")
                if option == "--experiment", let name = words.dropFirst(index + 1).first {
                    #expect(listed.contains(name + " "), "\(line): no experiment \(name) in tcplab list")
                }
            }
        }
    }
}
