import LabPackets

/// One line per TCP connection: who opened it, Zeek's history string, and tcptrace's
/// per-direction counters.
public enum ConversationTable {
    public static func render(_ connections: [Connection]) -> String {
        var lines = ["  #  client → server                                 history       packets    data pkts       bytes  pure ACKs  retrans  SYN/FIN/RST      duration"]
        for c in connections {
            let a = c.clientStats, b = c.serverStats
            let pair = "\(c.client) → \(c.server)"
            let duration = PacketRow.time(elapsed(from: c.firstTimestamp, to: c.lastTimestamp))
            let columns = [
                pad(String(c.index), 3, right: true), pad(pair, 47), pad(c.history.isEmpty ? "-" : c.history, 12),
                pad("\(a.packets)/\(b.packets)", 9, right: true), pad("\(a.dataPackets)/\(b.dataPackets)", 12, right: true),
                pad("\(a.bytes)/\(b.bytes)", 11, right: true), pad("\(a.pureAcks)/\(b.pureAcks)", 10, right: true),
                pad("\(a.retransmissions)/\(b.retransmissions)", 8, right: true),
                pad("\(a.syn)/\(a.fin)/\(a.rst) \(b.syn)/\(b.fin)/\(b.rst)", 12, right: true), pad(duration, 13, right: true),
            ]
            lines.append(columns.joined(separator: " ") + (c.sawOpening ? "" : "  (opening not captured)"))
        }
        lines.append("client/server in each column; SYN/FIN/RST as client counts, then server counts")
        return lines.joined(separator: "\n") + "\n"
    }

    static func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, n - s.count))
        return right ? fill + s : s + fill
    }
}
