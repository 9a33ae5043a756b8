import FoundationEssentials

/// One test of Gradescope's results.json
/// (https://gradescope-autograders.readthedocs.io/en/latest/specs/): a name, its points, and
/// what the student reads under it. Built the same way by trace grading and by code grading, so
/// both give one submission the same page.
public struct GradescopeTest: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable { case passed, failed }

    public var name: String
    public var score: Double
    public var maxScore: Double
    public var status: Status
    public var output: String
    /// "visible", "hidden", "after_due_date" or "after_published", as Gradescope reads it.
    public var visibility: String

    enum CodingKeys: String, CodingKey {
        case name, score, status, output, visibility
        case maxScore = "max_score"
    }

    /// A test worth `maxScore`, all of it when it passed and none when not: an expectation holds or
    /// it does not, so there is no partial credit inside one.
    public init(name: String, passed: Bool, maxScore: Double, output: String, visibility: String = "visible") {
        self.name = name
        score = passed ? maxScore : 0
        self.maxScore = maxScore
        status = passed ? .passed : .failed
        self.output = output
        self.visibility = visibility
    }
}

/// One expectation judged for one submission, before points are given: what trace grading and
/// code grading each tally, and hand to `GradescopePoints.tests` to be scored.
public struct GradescopeEntry: Sendable, Equatable {
    public var experiment: String
    /// Where the expectation is in its experiment's file (`expect[3]`), as a points file names it.
    public var path: String
    /// The expectation in words, as the verdict gives it.
    public var expectation: String
    public var passed: Bool
    /// The verdict and its reason, what the student reads under the test.
    public var output: String
    /// The file or run it was judged on, when the experiment has several in one submission, so
    /// no two tests share a name.
    public var file: String?

    public init(experiment: String, path: String, expectation: String, passed: Bool, output: String, file: String? = nil) {
        self.experiment = experiment
        self.path = path
        self.expectation = expectation
        self.passed = passed
        self.output = output
        self.file = file
    }

    /// "experiment-2: 3-way handshake: client SYN, server SYN-ACK, client ACK", with
    /// " (trace2 (1).pcap)" after the experiment when it has several files.
    public var testName: String { "\(experiment)\(file.map { " (\($0))" } ?? ""): \(expectation)" }
}

/// The whole results.json. Its score is always the sum of its tests' scores, so the total a
/// student sees can never disagree with the tests listed under it.
public struct GradescopeResults: Sendable, Codable, Equatable {
    public let tests: [GradescopeTest]
    /// The line above the tests: how many passed, and what was left out and why.
    public var output: String
    public var visibility: String
    /// tcplab's table is worth seeing (which file matched which experiment), and holds nothing
    /// the tests do not already show the student.
    public var stdoutVisibility: String
    /// Seconds the grading took, when known.
    public var executionTime: Double?

    public var score: Double { tests.reduce(0) { $0 + $1.score } }
    public var maxScore: Double { tests.reduce(0) { $0 + $1.maxScore } }

    public init(tests: [GradescopeTest], output: String, visibility: String = "visible", stdoutVisibility: String = "visible",
                executionTime: Double? = nil) {
        self.tests = tests
        self.output = output
        self.visibility = visibility
        self.stdoutVisibility = stdoutVisibility
        self.executionTime = executionTime
    }

    enum CodingKeys: String, CodingKey {
        case score, tests, output, visibility
        case stdoutVisibility = "stdout_visibility"
        case executionTime = "execution_time"
    }

    /// A score read back is recomputed from the tests, never trusted.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tests = try c.decodeIfPresent([GradescopeTest].self, forKey: .tests) ?? []
        output = try c.decodeIfPresent(String.self, forKey: .output) ?? ""
        visibility = try c.decodeIfPresent(String.self, forKey: .visibility) ?? "visible"
        stdoutVisibility = try c.decodeIfPresent(String.self, forKey: .stdoutVisibility) ?? "visible"
        executionTime = try c.decodeIfPresent(Double.self, forKey: .executionTime)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(score, forKey: .score)
        try c.encode(tests, forKey: .tests)
        try c.encode(output, forKey: .output)
        try c.encode(visibility, forKey: .visibility)
        try c.encode(stdoutVisibility, forKey: .stdoutVisibility)
        try c.encodeIfPresent(executionTime, forKey: .executionTime)
    }
}

public enum GradescopeReport {
    /// results.json for `tests`: pretty, keys sorted, slashes unescaped, a final newline, so the
    /// same grades give the same bytes.
    public static func render(_ tests: [GradescopeTest], output: String) -> String {
        render(GradescopeResults(tests: tests, output: output))
    }

    public static func render(_ results: GradescopeResults) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Every field is a string or a finite number, which the encoder always takes.
        let data = (try? encoder.encode(results)) ?? Data("{\"score\": 0, \"tests\": []}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// "12 of 13 tests passed, 9.5 of 11 points", then whatever `notes` add: the one-line summary above the tests.
    public static func summary(_ tests: [GradescopeTest], notes: [String] = []) -> String {
        let passed = tests.count { $0.status == .passed }
        let results = GradescopeResults(tests: tests, output: "")
        let head = "\(passed) of \(tests.count) test(s) passed, \(points(results.score)) of \(points(results.maxScore)) point(s)"
        return ([head] + notes).joined(separator: "; ")
    }

    /// 2, 2.5, 3.33: points as a person writes them.
    public static func points(_ value: Double) -> String {
        let hundredths = (value * 100).rounded()
        guard hundredths.isFinite, abs(hundredths) < 1e15 else { return String(value) }
        let whole = Int(hundredths) / 100, rest = abs(Int(hundredths) % 100)
        if rest == 0 { return String(whole) }
        return rest % 10 == 0 ? "\(whole).\(rest / 10)" : "\(whole).\(rest < 10 ? "0" : "")\(rest)"
    }
}
