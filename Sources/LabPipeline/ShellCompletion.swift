import FoundationEssentials
import LabModel

/// What the shell's Tab offers where a command takes an experiment's name: the experiments in
/// the folder the command line names with --experiments, else where tcplab itself would look,
/// read when completing so a folder of one's own completes its own names.
public enum ShellCompletion {
    /// The names that start with `prefix`; none, never an error, when no folder has experiments.
    /// `words` are the shell's words as typed, quotes and escapes included.
    public static func experimentNames(words: [String], prefix: String) -> [String] {
        var given: String?
        for (i, word) in words.enumerated() {
            if word == "--experiments", i + 1 < words.count { given = shellWord(words[i + 1]) }
            if word.hasPrefix("--experiments=") { given = shellWord(String(word.dropFirst("--experiments=".count))) }
        }
        guard let folder = try? ExperimentSearch.locate(given.flatMap { $0.isEmpty ? nil : $0 }),
              let names = try? ExperimentLoader(directory: folder).names() else { return [] }
        let typed = shellWord(prefix)
        return names.filter { $0.hasPrefix(typed) }
    }

    /// A shell word as the program would get it, for the common cases: quotes and backslashes
    /// removed, and a leading `~/` as the home folder.
    static func shellWord(_ word: String) -> String {
        var text = ""
        var quote: Character?
        var escaped = false
        for c in word {
            if escaped { text.append(c); escaped = false; continue }
            if c == "\\" && quote != "'" { escaped = true; continue }
            if c == "'" || c == "\"" {
                if quote == nil { quote = c; continue }
                if quote == c { quote = nil; continue }
            }
            text.append(c)
        }
        if text.hasPrefix("~/"), let home = ProcessInfo.processInfo.environment["HOME"] { text = home + text.dropFirst() }
        return text
    }
}
