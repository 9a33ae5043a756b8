import LabModel

/// Every experiment judged against one file, the best match first.
public struct Ranking: Sendable {
    public var file: String
    /// Best first: the largest share of judged expectations held, then the most held.
    public var results: [CheckResult]

    /// Below this share of held expectations, no experiment is said to match.
    public static let goodMatch = 0.75

    public init(file: String, results: [CheckResult]) {
        self.file = file
        self.results = results.enumerated().sorted { a, b in
            (a.element.score, a.element.held, -a.offset) > (b.element.score, b.element.held, -b.offset)
        }.map(\.element)
    }

    public var best: CheckResult? { results.first }

    /// True when the best match is no better than the next one.
    public var isTie: Bool {
        guard results.count > 1, let best else { return false }
        return best.score == results[1].score && best.held == results[1].held
    }

    public var matchesWell: Bool { (best?.score ?? 0) >= Self.goodMatch }

    /// "trace3.pcap: best match experiment-3-drain, 9/9 held; experiment-3 5/8, experiment-2 4/9",
    /// or a tie, or no good match, said plainly.
    public var line: String {
        func score(_ r: CheckResult) -> String { r.diagnosis != nil ? "no matching conversation" : "\(r.held)/\(r.held + r.failed)" }
        guard let best else { return "\(file): no experiments to compare with" }
        /// "; experiment-3 5/8, experiment-2 4/9" for the results after the first `shown`.
        func others(after shown: Int) -> String {
            let list = results.dropFirst(shown).prefix(5 - shown).map { "\($0.experiment.name) \(score($0))" }
            return list.isEmpty ? "" : "; " + list.joined(separator: ", ")
        }
        if let diagnosis = best.diagnosis, results.allSatisfy({ $0.diagnosis != nil }) {
            return "\(file): matches no experiment: \(diagnosis)"
        }
        if !matchesWell {
            return "\(file): matches no experiment well (the closest is \(best.experiment.name), \(score(best)) held)\(others(after: 1))"
        }
        if isTie {
            return "\(file): \(best.experiment.name) and \(results[1].experiment.name) match equally well (\(score(best)) held each); "
                + "judged against \(best.experiment.name) below" + others(after: 2)
        }
        return "\(file): best match \(best.experiment.name), \(score(best)) held\(others(after: 1))"
    }
}
