import FoundationEssentials
import LabModel
import LabReport
import LabSystem

/// What each Gradescope test is worth, from `--points FILE`:
///
///     {"experiment-2": 10}                               experiment-2's tests share 10 points equally
///     {"experiment-3": {"expect[3]": 5, "*": 2}}         expect[3] is worth 5, each of the others 2
///
/// An experiment the file does not name, and an expectation of a table without "*", is worth 1
/// point a test.
public struct GradescopePoints: Sendable, Equatable {
    public enum Share: Sendable, Equatable {
        /// The experiment's tests share this many points equally.
        case total(Double)
        /// Points per expectation path; `other` for the paths not listed.
        case each([String: Double], other: Double)
    }

    public var experiments: [String: Share]

    /// One point a test.
    public init(experiments: [String: Share] = [:]) { self.experiments = experiments }

    /// The experiments the file names: a submission that hands in nothing for one of them still
    /// gets its tests, failed, so its total is out of what the course set.
    public var named: [String] { experiments.keys.sorted(by: naturalOrder) }

    /// What the test of `path` is worth, `testsInExperiment` being how many tests the experiment
    /// has in this submission's results (an equal share needs it).
    public func maxScore(experiment: String, path: String, testsInExperiment: Int) -> Double {
        switch experiments[experiment] {
        case nil: 1
        case let .total(points)?: testsInExperiment > 0 ? points / Double(testsInExperiment) : 0
        case let .each(table, other)?: table[path] ?? other
        }
    }

    /// One entry scored: its test, named after its experiment and expectation.
    public func test(_ entry: GradescopeEntry, testsInExperiment: Int) -> GradescopeTest {
        GradescopeTest(name: entry.testName, passed: entry.passed,
                       maxScore: maxScore(experiment: entry.experiment, path: entry.path, testsInExperiment: testsInExperiment),
                       output: entry.output)
    }

    /// Every entry scored, in the order given; an experiment's equal shares are split over its
    /// entries here.
    public func tests(_ entries: [GradescopeEntry]) -> [GradescopeTest] {
        var counts: [String: Int] = [:]
        for e in entries { counts[e.experiment, default: 0] += 1 }
        return entries.map { test($0, testsInExperiment: counts[$0.experiment] ?? 1) }
    }
}

extension GradescopePoints {
    /// Reads a points file, every key checked against `experiments`: a mistake is one line naming
    /// the file, the place and the key, exit 65 (66 when the file is missing).
    public static func load(_ path: String, experiments: [Experiment]) throws(CommandFailure) -> GradescopePoints {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure("\(path): no such points file", exitCode: 66)
        }
        var bytes: [UInt8] = []
        do {
            let reader = try FileReader(path: path)
            // A points file is a few lines; a megabyte is far past any real one.
            while bytes.count <= 1 << 20 {
                let chunk = try reader.read(upTo: 64 << 10)
                if chunk.isEmpty { break }
                bytes += chunk
            }
        } catch {
            throw CommandFailure("\(path): cannot read the points file: \(SystemError.describe(error.errno))", exitCode: 65)
        }
        guard bytes.count <= 1 << 20 else { throw CommandFailure("\(path): not a points file: larger than 1 MiB", exitCode: 65) }
        return try parse(bytes, file: path, experiments: experiments)
    }

    /// The expectation paths a points table may name: the experiment's own, and "capture" (the
    /// check that a handed-in capture holds every segment).
    static func paths(of experiment: Experiment) -> [String] {
        experiment.expectations.map(\.path) + ["capture"]
    }

    public static func parse(_ bytes: [UInt8], file: String, experiments: [Experiment]) throws(CommandFailure) -> GradescopePoints {
        let text = String(decoding: bytes, as: UTF8.self)
        func failure(_ message: String) -> CommandFailure { CommandFailure(message, exitCode: 65) }
        let locator: JSONLocator
        do { locator = try JSONLocator(text) } catch {
            throw failure("\(file):\(error.location): not valid JSON: \(error.message)")
        }
        let document: JSONValue
        do { document = try JSONDecoder().decode(JSONValue.self, from: Data(bytes)) } catch {
            throw failure("\(file): not valid JSON: \(error)")
        }
        guard case let .object(top) = document else {
            throw failure("\(file):\(locator.location(of: "")): expected an object of experiments and their points, such as {\"experiment-2\": 10}")
        }
        let byName = Dictionary(experiments.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var points = GradescopePoints()
        // Sorted, so a file with two mistakes always names the same one first.
        for (name, value) in top.sorted(by: { naturalOrder($0.key, $1.key) }) {
            let place = "\(file):\(locator.locationOfKey(name))"
            guard let experiment = byName[name] else {
                let guess = closest(to: name, in: Array(byName.keys)).map { " (did you mean '\($0)'?)" } ?? ""
                throw failure("\(place): \(name): no such experiment\(guess)")
            }
            switch value {
            case let .number(n):
                guard n.isFinite, n >= 0 else { throw failure("\(place): \(name): expected a number of points ≥ 0") }
                points.experiments[name] = .total(n)
            case let .object(table):
                let valid = paths(of: experiment)
                var each: [String: Double] = [:]
                var other = 1.0
                for (path, value) in table.sorted(by: { naturalOrder($0.key, $1.key) }) {
                    let key = "\(name).\(path)"
                    let at = "\(file):\(locator.locationOfKey(key))"
                    guard path == "*" || valid.contains(path) else {
                        let guess = closest(to: path, in: valid).map { "did you mean '\($0)'? " } ?? ""
                        throw failure("\(at): \(key): \(name) has no expectation \(path) (\(guess)its paths: \(valid.joined(separator: ", ")), and \"*\" for the others)")
                    }
                    guard case let .number(n) = value, n.isFinite, n >= 0 else {
                        throw failure("\(at): \(key): expected a number of points ≥ 0")
                    }
                    if path == "*" { other = n } else { each[path] = n }
                }
                points.experiments[name] = .each(each, other: other)
            default:
                throw failure("\(place): \(name): expected a number of points ≥ 0, or an object of expectation paths and points such as {\"expect[3]\": 5, \"*\": 2}")
            }
        }
        return points
    }
}

/// Any JSON value, so a points file's mistakes can be named by key rather than by Decodable's coding path.
enum JSONValue: Decodable {
    case number(Double), string(String), bool(Bool), null, array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }
}
