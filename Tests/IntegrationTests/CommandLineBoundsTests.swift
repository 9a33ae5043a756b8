import Foundation
import Testing

/// Command-line values are bounded as the experiment file's are: past a bound is a usage error
/// (exit 64) whose first line states the bound; at the bound the value is taken.
@Suite struct CommandLineBoundsTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var arguments: [String]
        var message: String
        var status: Int32 = 64
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let cases: [Case] = [
        Case(arguments: ["run", "experiment-1", "--repeat", "1000000000000000"],
             message: "Error: --repeat must be at most 1000000 runs; got 1000000000000000"),
        Case(arguments: ["run", "experiment-1", "--repeat", "1000001"], message: "Error: --repeat must be at most 1000000 runs; got 1000001"),
        Case(arguments: ["run", "experiment-1", "--repeat", "99999999999999999999999"],
             message: "Error: The value '99999999999999999999999' is invalid for '--repeat <repeat>': expected a whole number from 1 to 1000000"),
        Case(arguments: ["run", "experiment-1", "--jobs", "1025"], message: "Error: --jobs must be at most 1024; got 1025"),
        Case(arguments: ["run", "experiment-1", "--deadline", "3601s"],
             message: "Error: The value '3601s' is invalid for '--deadline <duration>': expected a duration of at most 3600s, got \"3601s\""),
        Case(arguments: ["run", "experiment-1", "--deadline", "5000000s"],
             message: "Error: The value '5000000s' is invalid for '--deadline <duration>': expected a duration of at most 3600s, got \"5000000s\""),
        Case(arguments: ["grade", "submissions", "--jobs", "100000"], message: "Error: --jobs must be at most 1024; got 100000"),
        Case(arguments: ["grade", "submissions", "--code", "--repeat", "2000000"], message: "Error: --repeat must be at most 1000000 runs; got 2000000"),
        Case(arguments: ["grade", "submissions", "--code", "--deadline", "7200s"],
             message: "Error: The value '7200s' is invalid for '--deadline <duration>': expected a duration of at most 3600s, got \"7200s\""),
        Case(arguments: ["client", "experiment-1", "--connect", "10.0.2.15:12345", "--repeat", "1000001"],
             message: "Error: --repeat must be at most 1000000 runs; got 1000001"),
        Case(arguments: ["serve", "experiment-1", "--listen", "10.0.2.15:12345", "--count", "1000001"],
             message: "Error: --count must be at most 1000000 visits; got 1000001"),
    ]

    @Test(arguments: cases)
    func aValuePastItsBoundIsAUsageErrorStatingTheBound(_ row: Case) throws {
        let result = try execute(Repository.binary, row.arguments + ["--experiments", Repository.experiments])
        #expect(result.status == row.status, "exit \(result.status): \(result.error)")
        #expect(result.error.split(separator: "\n").first.map(String.init) == row.message, "\(result.error)")
        #expect(result.output.isEmpty)
    }

    /// Values at the bound are taken: each command line names an experiment that does not exist,
    /// which is only found out after every option was parsed and validated.
    static let atTheBound: [Case] = [
        Case(arguments: ["run", "nope", "--repeat", "1000000", "--jobs", "1024", "--deadline", "3600s"],
             message: "tcplab: unknown experiment 'nope' in \(Repository.experiments)/", status: 66),
        Case(arguments: ["grade", "submissions", "--code", "--experiment", "nope", "--repeat", "1000000", "--jobs", "1024", "--deadline", "3600s"],
             message: "tcplab: unknown experiment 'nope' in \(Repository.experiments)/", status: 66),
        Case(arguments: ["client", "nope", "--connect", "10.0.2.15:12345", "--repeat", "1000000"],
             message: "tcplab: unknown experiment 'nope' in \(Repository.experiments)/", status: 66),
        Case(arguments: ["serve", "nope", "--listen", "10.0.2.15:12345", "--count", "1000000"],
             message: "tcplab: unknown experiment 'nope' in \(Repository.experiments)/", status: 66),
    ]

    @Test(arguments: atTheBound)
    func valuesAtTheBoundAreTaken(_ row: Case) throws {
        let result = try execute(Repository.binary, row.arguments + ["--experiments", Repository.experiments])
        #expect(result.status == row.status, "\(result.error)")
        #expect(result.error.hasPrefix(row.message), "\(result.error)")
    }
}
