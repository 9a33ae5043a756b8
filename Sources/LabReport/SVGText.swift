/// Text and numbers made safe and stable for SVG.
enum SVGText {
    /// Escapes XML's five special characters, and replaces the control characters XML 1.0
    /// forbids outright, so no title or label can make the document unreadable.
    static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value): out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A `<text>` element; `attributes` is trusted markup, `content` is escaped.
    static func text(_ content: String, x: Int, y: Int, anchor: String = "start", attributes: String = "") -> String {
        let anchorAttribute = anchor == "start" ? "" : #" text-anchor="\#(anchor)""#
        let extra = attributes.isEmpty ? "" : " " + attributes
        return #"<text x="\#(x)" y="\#(y)"\#(anchorAttribute)\#(extra)>\#(escaped(content))</text>"#
    }

    /// One decimal, written the same way on every platform (no exponents, no locale).
    static func number(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        return "\(sign)\(tenths.magnitude / 10).\(tenths.magnitude % 10)"
    }
}
