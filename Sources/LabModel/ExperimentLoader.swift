import FoundationEssentials
import LabPackets
import LabSystem

/// Why an experiment could not be loaded, with the exit code the CLI should use.
public enum ExperimentError: Error, Sendable, CustomStringConvertible {
    /// No such experiment; lists the known ones. Exit 66.
    case unknown(name: String, directory: String, known: [String])
    /// The file cannot be read. Exit 66.
    case unreadable(path: String, reason: String)
    /// The folder holds no experiment file, so there is nothing to list, run or match. Exit 66.
    case empty(directory: String)
    /// `file:line:col: key.path: problem`. Exit 65.
    case malformed(path: String, location: JSONLocator.Location, key: String, problem: String)

    public var description: String {
        switch self {
        case let .unknown(name, directory, known):
            "unknown experiment '\(name)' in \(directory)/"
                + (ExperimentLoader.suggestion(for: name, in: known).map { " (did you mean '\($0)'?)" } ?? "")
                + "; known: \(known.isEmpty ? "none" : known.joined(separator: ", "))"
        case let .unreadable(path, reason):
            "\(path): \(reason)"
        case let .empty(directory):
            "\(directory): no experiment files (NAME.json) in this folder; pass --experiments with the folder that holds them"
        case let .malformed(path, location, key, problem):
            key.isEmpty ? "\(path):\(location): \(problem)" : "\(path):\(location): \(key): \(problem)"
        }
    }

    public var exitCode: Int32 {
        switch self {
        case .unknown, .unreadable, .empty: 66
        case .malformed: 65
        }
    }
}

public struct ExperimentLoader: Sendable {
    public var directory: String

    public init(directory: String) { self.directory = directory }

    /// Experiment names found in the directory, in natural order (experiment-2 before experiment-10).
    /// A folder without any is an error, not an empty list: every caller needs at least one, and
    /// an empty list let `check` reach a verdict-less result.
    public func names() throws(ExperimentError) -> [String] {
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw .unreadable(path: directory, reason: "no such directory of experiments")
        }
        let names = files.filter { $0.hasSuffix(".json") && !$0.hasSuffix(".schema.json") }
            .map { String($0.dropLast(5)) }
            .sorted(by: naturalOrder)
        guard !names.isEmpty else { throw .empty(directory: directory) }
        return names
    }

    /// The experiment `name` names, or the file itself when it is a path to a `.json` file.
    public func load(_ name: String) throws(ExperimentError) -> Experiment {
        if name.hasSuffix(".json") { return try Self.load(path: name) }
        let path = "\(directory)/\(name).json"
        guard FileSystem.isDirectory(directory) else {
            throw .unreadable(path: directory, reason: "no such directory of experiments")
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw .unknown(name: name, directory: directory, known: (try? names()) ?? [])
        }
        return try Self.load(path: path, name: name)
    }

    /// The known name a mistyped one stands for: `experiment2`, `2`, `exp-2` and `trace2` all
    /// mean `experiment-2` (the lab calls each experiment's capture `traceN`); else a name within
    /// two edits of it, once there is enough of it to tell.
    public static func suggestion(for name: String, in known: [String]) -> String? {
        func core(_ text: String) -> String {
            var text = text.lowercased().filter { $0.isLetter || $0.isNumber }
            if text.hasSuffix("json") { text.removeLast(4) }
            if text.hasSuffix("pcap") { text.removeLast(4) }
            for prefix in ["experiment", "exp", "trace"] where text.hasPrefix(prefix) {
                text.removeFirst(prefix.count)
                break
            }
            return text
        }
        let wanted = core(name)
        guard !wanted.isEmpty else { return nil }
        if let same = known.first(where: { core($0) == wanted }) { return same }
        // A misspelt word around the right number (experment-2, expriment-3-drain): the whole names are close.
        let number = name.filter(\.isNumber)
        if !number.isEmpty {
            let whole = Array(name.lowercased())
            let near = known.filter { $0.filter(\.isNumber) == number }
                .map { ($0, editDistance(whole, Array($0.lowercased()))) }.min { $0.1 < $1.1 }
            if let (best, distance) = near, distance <= max(2, whole.count / 4) { return best }
        }
        // A number is an experiment's own: experiment-7 is not a typo of experiment-1.
        guard wanted.count >= 3, !wanted.allSatisfy(\.isNumber) else { return nil }
        // Close enough to be a typo: a third of the letters at most (two in `3drian`, none in `nope` for `good`).
        let scored = known.map { ($0, editDistance(Array(wanted), Array(core($0)))) }.min { $0.1 < $1.1 }
        guard let (best, distance) = scored, distance <= max(1, wanted.count / 3) else { return nil }
        return best
    }

    public static func load(path: String, name: String? = nil) throws(ExperimentError) -> Experiment {
        // Sized before it is read, so a huge file is refused without filling memory.
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > ExperimentLimits.fileBytes {
            throw .malformed(path: path, location: .init(line: 1, column: 1), key: "",
                             problem: "the file is \(size) bytes; an experiment file may have at most \(ExperimentLimits.fileBytes)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
        }
        return try decode(data, path: path, name: name)
    }

    /// An experiment from the bytes of a file at `path` (whose folder its relative paths start
    /// from): the same checks and messages as loading the file.
    public static func decode(_ data: Data, path: String, name: String? = nil) throws(ExperimentError) -> Experiment {
        guard data.count <= ExperimentLimits.fileBytes else {
            throw .malformed(path: path, location: .init(line: 1, column: 1), key: "",
                             problem: "the file is \(data.count) bytes; an experiment file may have at most \(ExperimentLimits.fileBytes)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .malformed(path: path, location: .init(line: 1, column: 1), key: "", problem: "the file is not UTF-8 text")
        }
        let locator: JSONLocator
        do { locator = try JSONLocator(text) } catch {
            throw .malformed(path: path, location: error.location, key: "", problem: error.message)
        }
        do {
            let decoder = JSONDecoder()
            decoder.userInfo[Experiment.directoryKey] = URL(fileURLWithPath: path).deletingLastPathComponent().path
            var experiment = try decoder.decode(Experiment.self, from: data)
            experiment.name = name ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            return experiment
        } catch let problem as SchemaProblem {
            let key = renderPath(problem.codingPath)
            let location = problem.atKey ? locator.locationOfKey(key) : locator.location(of: key)
            throw .malformed(path: path, location: location, key: key, problem: problem.message)
        } catch let error as DecodingError {
            let (codingPath, message) = describe(error)
            let key = renderPath(codingPath)
            throw .malformed(path: path, location: locator.location(of: key), key: key, problem: message)
        } catch {
            throw .malformed(path: path, location: .init(line: 1, column: 1), key: "", problem: "\(error)")
        }
    }

    static func describe(_ error: DecodingError) -> ([any CodingKey], String) {
        func kind(_ type: Any.Type) -> String {
            switch type {
            case is String.Type: "a string"
            case is Bool.Type: "true or false"
            case is Int.Type, is Int32.Type, is UInt32.Type: "a whole number"
            case is [String].Type, is [Int].Type: "a list"
            default: type is any Collection.Type ? "a list" : "an object"
            }
        }
        switch error {
        case let .typeMismatch(type, context):
            return (context.codingPath, "expected \(kind(type))")
        case let .valueNotFound(type, context):
            return (context.codingPath, "expected \(kind(type)), found null")
        case let .keyNotFound(key, context):
            return (context.codingPath, "missing key '\(key.stringValue)'")
        case let .dataCorrupted(context):
            let detail = context.debugDescription.contains("Number") ? "expected a whole number" : context.debugDescription
            return (context.codingPath, detail)
        @unknown default:
            return ([], "\(error)")
        }
    }
}

/// "experiment-2" before "experiment-10": runs of digits compare as numbers.
public func naturalOrder(_ a: String, _ b: String) -> Bool {
    func chunks(_ s: String) -> [(text: String, number: Int?)] {
        var result: [(String, Int?)] = []
        var current = "", digits = false
        for c in s {
            if !current.isEmpty && c.isASCII && c.isNumber != digits {
                result.append((current, digits ? Int(current) : nil))
                current = ""
            }
            digits = c.isASCII && c.isNumber
            current.append(c)
        }
        if !current.isEmpty { result.append((current, digits ? Int(current) : nil)) }
        return result
    }
    for (x, y) in zip(chunks(a), chunks(b)) where x.text != y.text {
        if let m = x.number, let n = y.number, m != n { return m < n }
        return x.text < y.text
    }
    return chunks(a).count < chunks(b).count
}
