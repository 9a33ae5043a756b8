/// A packet row or an explanation as `JSONEncoder` lays it out with `.prettyPrinted`,
/// `.sortedKeys` and `.withoutEscapingSlashes` (the check record's format), written straight as
/// bytes: a check of a big file lists a million rows, and the encoder spends more on each than
/// the rest of the check does. `StreamingCheckTests` holds the two to the same bytes.
public enum PrettyJSON {
    /// `row` as an element of an array whose elements are `indent` spaces in.
    public static func row(_ row: PacketRow, indent: Int) -> String { text { write(row, indent: indent, into: &$0) } }

    /// `e` as an element of an array whose elements are `indent` spaces in.
    public static func explanation(_ e: Explanation, indent: Int) -> String { text { write(e, indent: indent, into: &$0) } }

    private static func text(_ write: (inout [UInt8]) -> Void) -> String {
        var bytes: [UInt8] = []
        write(&bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The same bytes as `row`, appended to `out`. Keys in sorted order; `ack` only when set,
    /// `tcp` only for a TCP row, as the encoder leaves out a nil.
    public static func write(_ row: PacketRow, indent: Int, into out: inout [UInt8]) {
        object(indent: indent, into: &out) { o in
            o.member("destination") { $0.quoted(row.destination) }
            o.member("info") { $0.quoted(row.info) }
            o.member("length") { $0.number(row.length) }
            o.member("number") { $0.number(row.number) }
            o.member("protocolName") { $0.quoted(row.protocolName) }
            o.member("source") { $0.quoted(row.source) }
            if let t = row.tcp {
                o.member("tcp") { tcp in
                    tcp.open(atLineStart: false)
                    if let ack = t.ack { tcp.member("ack") { $0.number(ack) } }
                    tcp.member("analysis") { $0.array(t.analysis) }
                    tcp.member("destinationPort") { $0.number(t.destinationPort) }
                    tcp.member("flags") { $0.array(t.flags) }
                    tcp.member("from") { $0.quoted(t.from) }
                    tcp.member("len") { $0.number(t.len) }
                    tcp.member("seq") { $0.number(t.seq) }
                    tcp.member("sourcePort") { $0.number(t.sourcePort) }
                    tcp.member("stream") { $0.number(t.stream) }
                    tcp.member("window") { $0.number(t.window) }
                    tcp.close()
                }
            }
            o.member("time") { $0.quoted(row.time) }
        }
    }

    public static func write(_ e: Explanation, indent: Int, into out: inout [UInt8]) {
        object(indent: indent, into: &out) { o in
            o.member("packets") { $0.array(e.packets.map(String.init), quoted: false) }
            o.member("text") { $0.quoted(e.text) }
        }
    }

    /// An object starting a line `indent` spaces in, its members written by `members`; `out`'s
    /// storage moves into it and back, so no bytes are copied.
    private static func object(indent: Int, into out: inout [UInt8], _ members: (inout Object) -> Void) {
        var o = Object(indent: indent, out: out)
        out = []
        o.open(atLineStart: true)
        members(&o)
        o.close()
        out = o.out
    }

    /// An object being written: its members go `indent + 2` spaces in, each on its own line.
    struct Object {
        var indent: Int
        var out: [UInt8]
        private var members = 0

        init(indent: Int, out: [UInt8]) {
            self.indent = indent
            self.out = out
        }

        mutating func open(atLineStart: Bool) {
            if atLineStart { spaces(indent) }
            out.append(0x7B)  // {
        }

        mutating func close() {
            out.append(0x0A)
            spaces(indent)
            out.append(0x7D)  // }
        }

        /// `"name" : ` on a new line, then the value `value` writes (a nested object opens
        /// two spaces further in).
        mutating func member(_ name: StaticString, _ value: (inout Object) -> Void) {
            out += members == 0 ? [0x0A] : [0x2C, 0x0A]  // "\n" or ",\n"
            members += 1
            spaces(indent + 2)
            out.append(0x22)
            name.withUTF8Buffer { out.append(contentsOf: $0) }
            out += [0x22, 0x20, 0x3A, 0x20]  // `" : `
            var inner = Object(indent: indent + 2, out: out)
            out = []
            value(&inner)
            out = inner.out
        }

        mutating func number<N: BinaryInteger>(_ n: N) { out.append(contentsOf: String(n).utf8) }

        /// An array of strings (numbers' text, unquoted, when `quoted` is false), its elements
        /// two spaces further in than its key; an empty one has an empty line inside.
        mutating func array(_ values: [String], quoted: Bool = true) {
            out += [0x5B, 0x0A]  // "[\n"
            for (i, value) in values.enumerated() {
                if i > 0 { out += [0x2C, 0x0A] }
                spaces(indent + 2)
                if quoted { self.quoted(value) } else { out.append(contentsOf: value.utf8) }
            }
            out.append(0x0A)
            spaces(indent)
            out.append(0x5D)  // ]
        }

        /// A JSON string: quote, backslash and control characters escaped (the short forms for
        /// backspace, tab, line feed, form feed and carriage return, `\u00xx` for the rest),
        /// every other byte as it is.
        mutating func quoted(_ s: String) {
            out.append(0x22)
            for byte in s.utf8 {
                switch byte {
                case 0x22: out += [0x5C, 0x22]
                case 0x5C: out += [0x5C, 0x5C]
                case 0x08: out += [0x5C, 0x62]  // \b
                case 0x09: out += [0x5C, 0x74]  // \t
                case 0x0A: out += [0x5C, 0x6E]  // \n
                case 0x0C: out += [0x5C, 0x66]  // \f
                case 0x0D: out += [0x5C, 0x72]  // \r
                case ..<0x20:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    out += [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]  // \u00xx
                default: out.append(byte)
                }
            }
            out.append(0x22)
        }

        private mutating func spaces(_ n: Int) {
            out.append(contentsOf: repeatElement(0x20, count: n))
        }
    }
}
