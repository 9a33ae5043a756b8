import LabModel
import LabVerdict
import LabPackets

/// A run reduced to what must not change between runs, for regression diffs: client ports,
/// times and ISNs are rebased away (sequence numbers are relative, times whole seconds), and
/// pure ACKs are folded, since how many the kernel sends, and when, varies from run to run.
public enum GoldenSummary {
    public static func render(_ experiment: Experiment, connections: [Connection]) -> String {
        var lines = [
            "# \(experiment.name): golden summary (regenerate: tcplab run \(experiment.name) --update-golden)",
            "# client ports, times and ISNs rebased; pure ACKs folded",
        ]
        let origin = connections.first?.segments.first?.timestamp ?? 0
        for c in connections {
            lines.append("connection \(c.index): client → server port \(c.server.port)")
            for s in c.segments where !s.isPureAck {
                let seconds = (elapsed(from: origin, to: s.timestamp) + 500_000_000) / 1_000_000_000
                var line = "  t≈\(seconds)s \(s.from == .client ? "client → server" : "server → client") "
                    + "[\(s.flags.names.joined(separator: ", "))] Seq=\(s.relativeSequence)"
                if let ack = s.relativeAcknowledgment { line += " Ack=\(ack)" }
                line += " Len=\(s.length)"
                if !s.analysis.flags.isEmpty { line += " " + s.analysis.infoPrefix.trimmingSuffix(" ") }
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Where an experiment's golden summary lives: beside the experiment files.
    public static func path(for experiment: Experiment) -> String {
        "\(experiment.directory)/golden/\(experiment.name).txt"
    }
}
