import LabModel
import LabPackets

/// How close a run came to the lab's own listing of its trace, row by row: direction, flags,
/// relative Seq, Ack and Len on every row; Win, MSS and the option list on a Linux host's SYN.
/// Fields of a host that stands for something else (VirtualBox's NAT) are compared only to say
/// how they differ.
public struct FidelityReport: Sendable, Equatable, Codable {
    public var trace: String
    public var complete: Bool
    public var rows: [Row]
    /// Run rows after the last row of a complete listing (the lab's capture stopped earlier).
    public var rowsAfterListing: Int

    public struct Row: Sendable, Equatable, Codable {
        public var lab: String
        /// The run's row it was compared with, in the same form; nil when none matched.
        public var run: String?
        public var packet: Int?
        /// Fields that differ and count against the row.
        public var differences: [String]
        /// Fields that differ but are the emulated peer's, not Linux's.
        public var notes: [String]
        public var equal: Bool { run != nil && differences.isEmpty }
    }

    public var equalRows: Int { rows.count { $0.equal } }
    public var allEqual: Bool { equalRows == rows.count }

    /// "10/10 rows of trace1 equal".
    public var summary: String {
        var text = "\(equalRows)/\(rows.count) rows of the lab's \(trace) equal"
        if !complete { text += " (rows the handout quotes, found in order)" }
        if rowsAfterListing > 0 { text += "; \(rowsAfterListing) more row\(rowsAfterListing == 1 ? "" : "s") after the listing ends" }
        return text
    }
}

public enum Fidelity {
    /// Compares connection 1 of a run with `listing`. `standsFor` names the hosts that are not
    /// Linux machines in the lab, whose SYN fields are notes rather than differences.
    public static func measure(_ listing: LabListing, connections: [Connection], standsFor: [Direction: String]) -> FidelityReport {
        let segments = connections.first?.segments ?? []
        var rows: [FidelityReport.Row] = []
        var next = 0
        for lab in listing.rows {
            if listing.complete {
                guard next < segments.count else {
                    rows.append(.init(lab: lab.text, run: nil, packet: nil, differences: ["no such row in the run"], notes: []))
                    continue
                }
                rows.append(compare(lab, segments[next], standsFor: standsFor))
                next += 1
            } else {
                // A quoted row matches the next run row with the same core fields.
                let found = segments[next...].firstIndex { compare(lab, $0, standsFor: standsFor).differences.isEmpty }
                if let found {
                    rows.append(compare(lab, segments[found], standsFor: standsFor))
                    next = found + 1
                } else {
                    rows.append(.init(lab: lab.text, run: nil, packet: nil, differences: ["not found in the run after the rows before it"], notes: []))
                }
            }
        }
        return FidelityReport(trace: listing.trace, complete: listing.complete, rows: rows,
                              rowsAfterListing: listing.complete ? max(0, segments.count - next) : 0)
    }

    static func compare(_ lab: LabListing.Row, _ s: AnalyzedSegment, standsFor: [Direction: String]) -> FidelityReport.Row {
        var differences: [String] = [], notes: [String] = []
        if lab.from != s.from { differences.append("sent by the \(s.from), not the \(lab.from)") }
        let flags = s.flags.names.joined(separator: ", ")
        if (try? TCPFlags(parsing: lab.flags)) != s.flags { differences.append("flags [\(flags)], not [\(lab.flags)]") }
        func field(_ name: String, _ want: Int?, _ got: Int?) {
            guard let want, want != got else { return }
            differences.append("\(name)=\(got.map(String.init) ?? "none"), not \(want)")
        }
        field("Seq", lab.seq.map(Int.init), Int(s.relativeSequence))
        field("Ack", lab.ack.map(Int.init), s.relativeAcknowledgment.map(Int.init))
        field("Len", lab.len, s.length)
        // Win, MSS and options are Linux's own choice only on a Linux host's SYN.
        let linuxSYN = s.flags.contains(.syn) && standsFor[s.from] == nil
        var details: [String] = []
        if let win = lab.win, win != s.window { details.append("Win=\(s.window), not \(win)") }
        let mss = s.segment.mss.map(Int.init)
        if let want = lab.mss, want != mss { details.append("MSS=\(mss.map(String.init) ?? "none"), not \(want)") }
        if lab.options != nil, !lab.optionsMatch(s.optionNames) {
            details.append("options \(s.optionNames.joined(separator: " ")), not \(lab.options!.joined(separator: " "))\(lab.moreOptions ? " …" : "")")
        }
        if linuxSYN {
            differences += details
        } else if let who = standsFor[s.from], !details.isEmpty {
            notes += details.map { "\($0) (the \(s.from) stands for \(who))" }
        } else {
            notes += details
        }
        return .init(lab: lab.text, run: row(s), packet: s.number, differences: differences, notes: notes)
    }

    /// A run row in the listing's own form.
    public static func row(_ s: AnalyzedSegment) -> String {
        var text = "\(s.from) [\(s.flags.names.joined(separator: ", "))] Seq=\(s.relativeSequence)"
        if let ack = s.relativeAcknowledgment { text += " Ack=\(ack)" }
        text += " Win=\(s.window) Len=\(s.length)"
        if let mss = s.segment.mss { text += " MSS=\(mss)" }
        for name in s.optionNames { text += " \(name)" }
        return text
    }

}

extension AnalyzedSegment {
    /// The options after MSS as a listing names them: values only where Wireshark's Info shows
    /// one that a lab would quote (WS); timestamps by name.
    var optionNames: [String] {
        segment.options.compactMap { option in
            switch option {
            case .sackPermitted: "SACK_PERM"
            case .timestamp: "TSval"
            case let .windowScale(shift): "WS=\(1 << min(Int(shift), 14))"
            case .sack: "SACK"
            default: nil
            }
        }
    }
}
