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
        var widths = Widths()
        for r in rows { widths.fit(r) }
        return ([widths.header] + rows.map(widths.line)).joined(separator: "\n")
    }

    /// The columns' widths, each as wide as its widest cell: a list streamed from disk is laid
    /// out as one built in memory.
    public struct Widths: Sendable {
        var number = 3, time = 4, source = 6, destination = 11, length = 6

        public init() {}

        public mutating func fit(_ r: PacketRow) {
            number = max(number, String(r.number).count)
            time = max(time, r.time.count)
            source = max(source, r.source.count)
            destination = max(destination, r.destination.count)
            length = max(length, String(r.length).count)
        }

        public var header: String { line("No.", "Time", "Source", "Destination", "Protocol", "Length", "Info") }

        public func line(_ r: PacketRow) -> String {
            line(String(r.number), r.time, r.source, r.destination, r.protocolName, String(r.length), r.info)
        }

        private func line(_ number: String, _ time: String, _ source: String, _ destination: String, _ proto: String,
                          _ length: String, _ info: String) -> String {
            func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
                let fill = String(repeating: " ", count: max(0, n - s.count))
                return right ? fill + s : s + fill
            }
            return [pad(number, self.number, right: true), pad(time, self.time, right: true), pad(source, self.source),
                    pad(destination, self.destination), pad(proto, 8), pad(length, self.length, right: true), info]
                .joined(separator: " ")
        }
    }
}
