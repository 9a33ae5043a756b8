import LabPackets
import LabSystem

/// A program that plays one side of an experiment in place of its scripted steps: a student's
/// server or client, or the lab's own code shipped in `Experiments/lab/`.
public struct Program: Sendable, Equatable {
    /// The command's words, `{host}`, `{port}` and `{out}` not yet filled in. The first is the
    /// program: a path when it has a slash (relative to `directory`), else a name on PATH.
    public var arguments: [String]
    /// Where it runs: the experiment file's folder for a command written in the file, tcplab's
    /// own working folder for one given on the command line.
    public var directory: String
    public var origin: Origin
    /// Run under `strace -f`, so the run knows each send and receive call and the close.
    public var traced = false
    /// How it is fenced (`--isolation` and the limits' options).
    public var isolation = Isolation()

    public enum Origin: String, Sendable {
        /// `"server": {"command": [...]}` in the experiment file.
        case experimentFile = "experiment file"
        /// The experiment's `"labCode"`, run by `--endpoints lab`.
        case labCode = "lab code"
        /// `--server-command` or `--client-command`.
        case commandLine = "command line"
    }

    public init(arguments: [String], directory: String, origin: Origin) {
        self.arguments = arguments
        self.directory = directory
        self.origin = origin
    }

    /// The placeholders a command may use, and the environment variables that carry the same values.
    public static let placeholders = ["{host}": "TCPLAB_HOST", "{port}": "TCPLAB_PORT", "{out}": "TCPLAB_OUT"]

    /// The words with every placeholder replaced.
    public func filled(host: String, port: UInt16, out: String) -> [String] {
        arguments.map {
            $0.replacing("{host}", with: host).replacing("{port}", with: "\(port)").replacing("{out}", with: out)
        }
    }

    /// The command as one line, quoted where a word needs it.
    public var commandLine: String { Self.quoted(arguments) }

    public static func quoted(_ words: [String]) -> String {
        words.map { word in
            let plain = !word.isEmpty && word.utf8.allSatisfy { b in
                (0x30...0x39).contains(b) || (0x41...0x5a).contains(b) || (0x61...0x7a).contains(b) || "-_./=:{},@%+".utf8.contains(b)
            }
            return plain ? word : "'" + word.replacing("'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }

    /// Splits a command line into words as a POSIX shell would, without running a shell:
    /// blanks separate words; single quotes keep everything; double quotes keep everything but
    /// `\"` and `\\`; a backslash outside quotes keeps the next character. No variables, globs
    /// or pipes: write `sh -c '…'` for those.
    public static func words(of line: String) -> Result<[String], CommandLineError> {
        var words: [String] = []
        var current: [Character] = []
        var inWord = false
        var quote: Character?
        var escaping = false
        for c in line {
            if escaping {
                current.append(c)
                escaping = false
                continue
            }
            switch quote {
            case "'":
                if c == "'" { quote = nil } else { current.append(c) }
            case "\"":
                if c == "\"" { quote = nil } else if c == "\\" { escaping = true } else { current.append(c) }
            default:
                if c == " " || c == "\t" || c == "\n" {
                    if inWord { words.append(String(current)) }
                    current = []
                    inWord = false
                } else if c == "'" || c == "\"" {
                    quote = c
                    inWord = true
                } else if c == "\\" {
                    escaping = true
                    inWord = true
                } else {
                    current.append(c)
                    inWord = true
                }
            }
        }
        if let quote { return .failure(CommandLineError(message: "the command has an unclosed \(quote) quote")) }
        if escaping { return .failure(CommandLineError(message: "the command ends with a lone backslash")) }
        if inWord { words.append(String(current)) }
        if words.isEmpty { return .failure(CommandLineError(message: "the command is empty")) }
        return .success(words)
    }

    public struct CommandLineError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Why a program cannot be started.
    public struct CannotStart: Error, CustomStringConvertible {
        public var description: String
    }

    /// Where the program `name` (a command's first word, placeholders filled in) runs from, found
    /// from `directory` as `execvp` would; or why it cannot be started.
    public static func locate(_ name: String, from directory: String, isolation: IsolationLevel = .none) -> Result<String, CannotStart> {
        let searchPath = isolation == .none ? FileSystem.searchPath : Sandbox.searchPath
        if let path = FileSystem.findExecutable(name, directory: directory, searchPath: searchPath) { return .success(path) }
        return .failure(CannotStart(description: name.contains("/") ? "\(name) is not an executable file (in \(directory))"
                                        : isolation != .none ? "\"\(name)\" was not found on PATH (the sandbox's: \(searchPath))"
                                        : "\"\(name)\" was not found on PATH"))
    }
}
