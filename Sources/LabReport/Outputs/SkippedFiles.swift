import LabModel

/// The files in a class's folders that `grade` did not take as captures, counted by why, for the
/// table's footer: a TA should see that they were passed over, not have them graded as broken
/// captures (tcplab's own .svg and report.html beside each trace) or not know they were there.
public struct SkippedFiles: Sendable, Equatable, Codable {
    /// The reports and records tcplab writes beside traces, by extension.
    public static let outputExtensions = ["svg", "html", "md", "json", "xml", "csv"]

    /// Files with one of `outputExtensions`.
    public var outputs = 0
    /// Names starting with a dot (a hidden folder counts once).
    public var hidden = 0
    /// Any other file that is no capture by name or by its first bytes, as "student/file".
    public var notCaptures: [String] = []

    public init() {}

    public var count: Int { outputs + hidden + notCaptures.count }

    /// Several shards' files passed over as one class's: the names in name order.
    public static func sum(_ parts: [SkippedFiles]) -> SkippedFiles {
        var all = SkippedFiles()
        for p in parts { (all.outputs, all.hidden, all.notCaptures) = (all.outputs + p.outputs, all.hidden + p.hidden, all.notCaptures + p.notCaptures) }
        all.notCaptures.sort(by: naturalOrder)
        return all
    }

    /// The footer line, or nil when nothing was skipped: "skipped 4 file(s): 2 of tcplab's
    /// outputs (svg, html, md, json, xml, csv), 1 hidden, 1 not a capture (s07/notes.txt)".
    public var line: String? {
        guard count > 0 else { return nil }
        var parts: [String] = []
        if outputs > 0 { parts.append("\(outputs) of tcplab's outputs (\(Self.outputExtensions.joined(separator: ", ")))") }
        if hidden > 0 { parts.append("\(hidden) hidden") }
        if !notCaptures.isEmpty {
            let shown = notCaptures.prefix(5).joined(separator: ", ")
            let more = notCaptures.count > 5 ? " and \(notCaptures.count - 5) more" : ""
            parts.append("\(notCaptures.count) not a capture (\(shown)\(more))")
        }
        return "skipped \(count) file(s): " + parts.joined(separator: ", ")
    }
}
