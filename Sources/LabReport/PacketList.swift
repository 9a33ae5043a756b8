import LabPackets

/// The packet list of a small trace as Wireshark's columns show it: No., Time, Source,
/// Destination, Protocol, Length, Info, with relative sequence numbers. Columns are sized to
/// their contents; `tcplab show` streams `PacketRow.line` instead.
public struct PacketList {
    public let rows: [PacketRow]

    public init(packets: [Packet], connections: [Connection]) {
        var analyzed: [Int: AnalyzedSegment] = [:]
        for c in connections { for s in c.segments { analyzed[s.number] = s } }
        var builder = PacketRowBuilder()
        rows = packets.map { builder.row($0, analyzed[$0.number]) }
    }

    public func render() -> String {
        let widths = (
            number: max(3, rows.map { String($0.number).count }.max() ?? 0),
            time: max(4, rows.map(\.time.count).max() ?? 0),
            source: max(6, rows.map(\.source.count).max() ?? 0),
            destination: max(11, rows.map(\.destination.count).max() ?? 0),
            length: max(6, rows.map { String($0.length).count }.max() ?? 0)
        )
        func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, n - s.count))
            return right ? fill + s : s + fill
        }
        func line(_ number: String, _ time: String, _ source: String, _ destination: String, _ proto: String,
                  _ length: String, _ info: String) -> String {
            [pad(number, widths.number, right: true), pad(time, widths.time, right: true), pad(source, widths.source),
             pad(destination, widths.destination), pad(proto, 8), pad(length, widths.length, right: true), info]
                .joined(separator: " ")
        }
        var lines = [line("No.", "Time", "Source", "Destination", "Protocol", "Length", "Info")]
        for r in rows {
            lines.append(line(String(r.number), r.time, r.source, r.destination, r.protocolName, String(r.length), r.info))
        }
        return lines.joined(separator: "\n")
    }
}
