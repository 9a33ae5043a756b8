import LabSystem

/// The packet rows of a checked capture, in file order, and their columns' widths, which are
/// known only once every row is in.
public final class PacketRowStore: @unchecked Sendable {
    // Sendable without a lock, as SpillingList is: the pass that checks the file fills it on
    // one thread, and it is read after the hand-over (a thread's join, or the Mutex that
    // collects a grade's results), one writer at a time, never on two threads at once. Even a
    // read moves the spill file's offset, so sharing it between live threads would need a lock.
    private let rows: SpillingList<PacketRow>
    public var count: Int { rows.count }
    public private(set) var widths = PacketList.Widths()

    /// Rows already in memory, kept there.
    public init(rows: [PacketRow] = []) {
        self.rows = SpillingList(rows)
        for r in rows { widths.fit(r) }
    }

    public func append(_ row: PacketRow) throws(SystemError) {
        widths.fit(row)
        try rows.append(row)
    }

    /// Every row, in the order appended.
    public func forEach(_ body: (PacketRow) throws -> Void) throws { try rows.forEach(body) }

    /// Every row at once, for outputs of small files (a class's records).
    public func all() throws -> [PacketRow] { try rows.all() }

    /// The packet list as `PacketList.render` lays it out, a line at a time.
    public func lines(_ body: (String) throws -> Void) throws {
        let widths = widths
        try body(widths.header)
        try forEach { try body(widths.line($0)) }
    }
}

extension PacketRow: SpillRecord {
    public var spillRecord: (head: String, text: String) { (PacketRowCodec.fields(self), info) }

    public init(spillHead: String, text: String) { self = PacketRowCodec.row(spillHead, info: text) }
}

/// A row's fields other than Info in one string, their separator (U+001F) one that no number,
/// address, protocol name, flag or analysis name contains; Info, which quotes the capture's
/// bytes, travels apart. Split on bytes, not characters: a million rows go through it.
enum PacketRowCodec {
    static let separator: UInt8 = 0x1F

    static func fields(_ r: PacketRow) -> String {
        var s = String(r.number)
        s.reserveCapacity(160)
        func add(_ field: String) {
            s.append("\u{1F}")
            s.append(field)
        }
        add(r.time); add(r.source); add(r.destination); add(r.protocolName); add(String(r.length))
        if let t = r.tcp {
            add(String(t.stream)); add(String(t.sourcePort)); add(String(t.destinationPort)); add(t.from)
            add(t.flags.joined(separator: ",")); add(String(t.seq)); add(t.ack.map(String.init) ?? ""); add(String(t.len))
            add(String(t.window)); add(t.analysis.joined(separator: ","))
        }
        return s
    }

    /// The row `fields` and `info` were made from; a field that does not read back (never, for
    /// what `fields` wrote) reads as 0 or empty.
    static func row(_ fields: String, info: String) -> PacketRow {
        let f = split(fields, on: separator)
        func field(_ i: Int) -> Substring { i < f.count ? f[i] : "" }
        func list(_ i: Int) -> [String] { i < f.count && !f[i].isEmpty ? split(f[i], on: 0x2C).map(String.init) : [] }
        var tcp: PacketRowTCP?
        if f.count > 6 {
            tcp = PacketRowTCP(stream: Int(field(6)) ?? 0, sourcePort: UInt16(field(7)) ?? 0, destinationPort: UInt16(field(8)) ?? 0,
                               from: String(field(9)), flags: list(10), seq: UInt32(field(11)) ?? 0, ack: UInt32(field(12)),
                               len: Int(field(13)) ?? 0, window: Int(field(14)) ?? 0, analysis: list(15))
        }
        return PacketRow(number: Int(field(0)) ?? 0, time: String(field(1)), source: String(field(2)),
                         destination: String(field(3)), protocolName: String(field(4)), length: Int(field(5)) ?? 0, info: info,
                         tcp: tcp)
    }

    /// `text` cut at each ASCII `byte`, empty pieces kept.
    private static func split<S: StringProtocol>(_ text: S, on byte: UInt8) -> [Substring] where S.SubSequence == Substring {
        var pieces: [Substring] = []
        pieces.reserveCapacity(16)
        let utf8 = text.utf8
        var start = utf8.startIndex
        var i = start
        while i != utf8.endIndex {
            if utf8[i] == byte {
                pieces.append(text[start..<i])
                start = utf8.index(after: i)
            }
            i = utf8.index(after: i)
        }
        pieces.append(text[start..<utf8.endIndex])
        return pieces
    }
}

extension PacketRow {
    init(number: Int, time: String, source: String, destination: String, protocolName: String, length: Int, info: String,
         tcp: PacketRowTCP?) {
        (self.number, self.time, self.source, self.destination) = (number, time, source, destination)
        (self.protocolName, self.length, self.info, self.tcp) = (protocolName, length, info, tcp)
    }
}

extension PacketRowTCP {
    init(stream: Int, sourcePort: UInt16, destinationPort: UInt16, from: String, flags: [String], seq: UInt32, ack: UInt32?,
         len: Int, window: Int, analysis: [String]) {
        (self.stream, self.sourcePort, self.destinationPort, self.from, self.flags) = (stream, sourcePort, destinationPort, from, flags)
        (self.seq, self.ack, self.len, self.window, self.analysis) = (seq, ack, len, window, analysis)
    }
}
