import FoundationEssentials
import LabModel
import LabSystem

/// Where the experiments are, so `tcplab` works from any directory. In order: the folder the
/// command line names (`--experiments`), `$TCPLAB_EXPERIMENTS`, then the first of `./Experiments`, the copy
/// `make install` put beside the binary (`PREFIX/share/tcplab/experiments` for `PREFIX/bin/tcplab`),
/// and the checkout the binary was built in (`.build/release/tcplab` → `Experiments/`).
public enum ExperimentSearch {
    public static let environmentVariable = "TCPLAB_EXPERIMENTS"

    /// The folder to load experiments from. An override (the option or the variable) is taken as
    /// given, so a wrong one is reported as missing rather than silently replaced.
    public static func locate(_ explicit: String?) throws(CommandFailure) -> String {
        if let explicit { return explicit }
        if let env = ProcessInfo.processInfo.environment[environmentVariable], !env.isEmpty { return env }
        let candidates = self.candidates
        if let found = candidates.first(where: { holdsExperiments($0.path) }) { return found.path }
        let looked = candidates.map { "\($0.path) (\($0.why))" }.joined(separator: ", ")
        throw CommandFailure("no experiments found; looked in \(looked). Pass --experiments DIR or set \(environmentVariable)",
                             exitCode: 66)
    }

    static var candidates: [(path: String, why: String)] {
        var list: [(String, String)] = []
        list.append((FileManager.default.currentDirectoryPath + "/Experiments", "the current directory"))
        if let binary = FileSystem.executablePath {
            var dir = parent(binary)
            let prefix = parent(dir)
            list.append(((prefix == "/" ? "" : prefix) + "/share/tcplab/experiments", "installed beside the binary"))
            for _ in 0..<5 {
                dir = parent(dir)
                if dir == "/" || dir.isEmpty { break }
                if FileSystem.isRegularFile(dir + "/Experiments/experiment.schema.json") {
                    list.append((dir + "/Experiments", "the checkout the binary was built in"))
                    break
                }
            }
        }
        return list
    }

    static func holdsExperiments(_ path: String) -> Bool {
        FileSystem.isDirectory(path) && !((try? ExperimentLoader(directory: path).names()) ?? []).isEmpty
    }

    private static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let up = String(path[..<slash])
        return up.isEmpty ? "/" : up
    }
}
