import FoundationEssentials
import LabModel
import LabPackets
import LabReport
import LabSystem

/// What `grade` takes from the paths it is given: the captures, each with its student, and the
/// files in their folders it passed over.
public struct GradeInputs: Sendable {
    public var files: [(student: String, path: String)] = []
    /// Each passed-over file with the student it belongs to, so a shard counts only its own.
    var passedOver: [(student: String, file: PassedOver)] = []

    enum PassedOver: Sendable {
        case output, hidden
        case notCapture(String)
    }

    /// What was passed over, counted by why; the files that are no capture in name order.
    public var skipped: SkippedFiles {
        var skipped = SkippedFiles()
        for (_, file) in passedOver {
            switch file {
            case .output: skipped.outputs += 1
            case .hidden: skipped.hidden += 1
            case let .notCapture(name): skipped.notCaptures.append(name)
            }
        }
        skipped.notCaptures.sort(by: naturalOrder)
        return skipped
    }

    /// The students `shard` holds, with their files' places among the whole class's files.
    public func part(_ shard: Shard) -> (inputs: GradeInputs, positions: [Int]) {
        var part = GradeInputs()
        var positions: [Int] = []
        for (i, f) in files.enumerated() where shard.holds(f.student) {
            part.files.append(f)
            positions.append(i)
        }
        part.passedOver = passedOver.filter { shard.holds($0.student) }
        return (part, positions)
    }
}

extension GradePipeline {
    /// The captures to grade under `paths`, each with the student it belongs to: for a folder, the
    /// first folder below it (one folder per student), or the folder itself when the files lie
    /// directly in it; for a file, the folder it is in. In a folder, a file is taken by its name
    /// (.pcap, .pcapng, .cap) or its first bytes; tcplab's own outputs, hidden files and anything
    /// else are skipped and counted. A file named on the command line is graded as given; a path
    /// that does not exist is exit 66, with the name it likely meant.
    public static func submissions(_ paths: [String]) throws(CommandFailure) -> GradeInputs {
        var found = GradeInputs()
        for path in paths {
            let clean = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
            if FileSystem.isDirectory(clean) {
                try collect(folder: clean, into: &found)
            } else {
                guard FileManager.default.fileExists(atPath: clean) else { throw missing(clean) }
                let folder = clean.lastIndex(of: "/").map { String(clean[..<$0]) } ?? "."
                found.files.append((lastComponent(folder == "." ? FileManager.default.currentDirectoryPath : folder), clean))
            }
        }
        return found
    }

    private static func collect(folder: String, into found: inout GradeInputs) throws(CommandFailure) {
        let listing: FileSystem.Listing
        do { listing = try FileSystem.listBelow(folder) } catch {
            throw CommandFailure("\(folder): cannot list the folder: \(SystemError.describe(error.errno))", exitCode: 66)
        }
        let own = lastComponent(folder)
        func student(_ parts: [Substring]) -> String { parts.count > 1 ? String(parts[0]) : own }
        found.passedOver += listing.hidden.map { (student($0.split(separator: "/")), .hidden) }
        for relative in listing.files.sorted(by: naturalOrder) {
            let parts = relative.split(separator: "/")
            let student = student(parts)
            switch kind(of: folder + "/" + relative) {
            case .capture: found.files.append((student, folder + "/" + relative))
            case .output: found.passedOver.append((student, .output))
            case .other: found.passedOver.append((student, .notCapture(parts.count > 1 ? relative : own + "/" + relative)))
            }
        }
    }

    enum FileKind { case capture, output, other }

    /// By extension first, so tcplab's own reports are never read; else by the first bytes, so a
    /// capture saved without its extension is still graded.
    static func kind(of path: String) -> FileKind {
        let name = lastComponent(path)
        let ext = name.lastIndex(of: ".").map { name[name.index(after: $0)...].lowercased() } ?? ""
        if SkippedFiles.outputExtensions.contains(ext) { return .output }
        if ["pcap", "pcapng", "cap"].contains(ext) { return .capture }
        let first = (try? FileReader(path: path).read(upTo: 4)) ?? []
        return CaptureParser.isCaptureMagic(first) ? .capture : .other
    }

    /// "class/alcie: no such file or folder (did you mean 'class/alice'?)", the guess taken from
    /// the names beside it.
    static func missing(_ path: String) -> CommandFailure {
        let slash = path.lastIndex(of: "/")
        let parent = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let beside = ((try? FileManager.default.contentsOfDirectory(atPath: parent.isEmpty ? "/" : parent)) ?? []).filter { !$0.hasPrefix(".") }
        let guess = closest(to: name, in: beside).map { " (did you mean '\(slash == nil ? $0 : parent + "/" + $0)'?)" } ?? ""
        return CommandFailure("\(path): no such file or folder\(guess)", exitCode: 66)
    }
}
