/// A packet row or an explanation as `JSONEncoder` lays it out with `.prettyPrinted`,
/// `.sortedKeys` and `.withoutEscapingSlashes` (the check record's format), written directly: a
/// check of a big file lists a million rows, and the encoder spends more on each than the rest
/// of the check does. `PrettyJSONTests` holds the two to the same bytes.
public enum PrettyJSON {
    /// `row` as an element of an array whose elements are `indent` spaces in.
    public static func row(_ row: PacketRow, indent: Int) -> String {
        var fields: [(String, String)] = [
            ("destination", quoted(row.destination)), ("info", quoted(row.info)), ("length", String(row.length)),
            ("number", String(row.number)), ("protocolName", quoted(row.protocolName)), ("source", quoted(row.source)),
        ]
        if let t = row.tcp {
            var tcp: [(String, String)] = []
            if let ack = t.ack { tcp.append(("ack", String(ack))) }
            tcp += [("analysis", array(t.analysis.map(quoted), indent: indent + 4)),
                    ("destinationPort", String(t.destinationPort)), ("flags", array(t.flags.map(quoted), indent: indent + 4)),
                    ("from", quoted(t.from)), ("len", String(t.len)), ("seq", String(t.seq)),
                    ("sourcePort", String(t.sourcePort)), ("stream", String(t.stream)), ("window", String(t.window))]
            fields.append(("tcp", object(tcp, indent: indent + 2)))
        }
        fields.append(("time", quoted(row.time)))
        return String(repeating: " ", count: indent) + object(fields, indent: indent)
    }

    /// `e` as an element of an array whose elements are `indent` spaces in.
    public static func explanation(_ e: Explanation, indent: Int) -> String {
        String(repeating: " ", count: indent)
            + object([("packets", array(e.packets.map(String.init), indent: indent + 2)), ("text", quoted(e.text))], indent: indent)
    }

    /// An object whose opening brace is on a line `indent` spaces in (written by the caller).
    static func object(_ fields: [(String, String)], indent: Int) -> String {
        let inner = String(repeating: " ", count: indent + 2)
        return "{\n" + fields.map { inner + quoted($0.0) + " : " + $0.1 }.joined(separator: ",\n")
            + "\n" + String(repeating: " ", count: indent) + "}"
    }

    /// An array of values already written, its key `indent` spaces in; an empty one has an
    /// empty line inside, as the encoder writes it.
    static func array(_ values: [String], indent: Int) -> String {
        let inner = String(repeating: " ", count: indent + 2)
        return "[\n" + values.map { inner + $0 }.joined(separator: ",\n") + "\n" + String(repeating: " ", count: indent) + "]"
    }

    /// A JSON string: quote, backslash and control characters escaped (the short forms for
    /// backspace, tab, line feed, form feed and carriage return, `\u00xx` for the rest), every
    /// other character as it is.
    static func quoted(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        var plainStart = s.utf8.startIndex
        var i = plainStart
        let utf8 = s.utf8
        while i != utf8.endIndex {
            let byte = utf8[i]
            if byte < 0x20 || byte == 0x22 || byte == 0x5C {
                out += s[plainStart..<i]
                switch byte {
                case 0x22: out += "\\\""
                case 0x5C: out += "\\\\"
                case 0x08: out += "\\b"
                case 0x09: out += "\\t"
                case 0x0A: out += "\\n"
                case 0x0C: out += "\\f"
                case 0x0D: out += "\\r"
                default:
                    let hex = Array("0123456789abcdef")
                    out += "\\u00" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xF)])
                }
                plainStart = utf8.index(after: i)
            }
            i = utf8.index(after: i)
        }
        out += s[plainStart..<utf8.endIndex]
        return out + "\""
    }
}
