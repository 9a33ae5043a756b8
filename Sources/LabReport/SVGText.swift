/// Text and numbers made safe and stable for SVG.
enum SVGText {
    static func escaped(_ text: String) -> String { XMLText.escaped(text) }

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
