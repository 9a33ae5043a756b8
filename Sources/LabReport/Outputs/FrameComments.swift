import LabModel
import LabVerdict
import LabPackets

/// A comment for every frame of a run's trace, for pcapng: the expectations that name the
/// packet, then the sentence that explains it. Wireshark shows them as packet comments.
public enum FrameComments {
    public static func make(packets: [Packet], verdict: Verdict?, explanations: [Explanation]) -> [String?] {
        var sentences: [Int: String] = [:]
        for e in explanations { for n in e.packets { sentences[n] = e.text } }
        var named: [Int: [String]] = [:]
        for o in verdict?.outcomes ?? [] {
            for (k, n) in o.packets.enumerated() {
                let position = o.packets.count > 1 ? " (\(k + 1) of \(o.packets.count))" : ""
                named[n, default: []].append("\(o.path) \(o.passed ? "ok" : o.failed ? "FAILED" : o.status.rawValue): \(o.expectation)\(position)")
            }
        }
        return packets.map { p in
            var lines = named[p.number] ?? []
            if let sentence = sentences[p.number] { lines.append("explain: \(sentence)") }
            if lines.isEmpty { lines.append("no TCP segment of the experiment: \(p.malformed.map { "\($0)" } ?? "another protocol")") }
            return lines.joined(separator: "\n")
        }
    }

    /// The section comment: what was run, where, and over which link.
    public static func section(_ experiment: Experiment, kernel: String) -> String {
        "\(experiment.name): \(experiment.title). Recorded by tcplab on \(kernel), link \(experiment.link.description), port \(experiment.port)."
    }
}
