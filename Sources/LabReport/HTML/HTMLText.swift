/// Text made safe for the places an HTML page puts it.
enum HTML {
    /// For element content and quoted attribute values: XML's escaping, which HTML5 reads too.
    static func escaped(_ text: String) -> String { XMLText.escaped(text) }

    /// A JSON string literal.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for c in text.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if c.value < 0x20 {
                    let hex = String(c.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }

    /// JSON inside a `<script>` element: a `</script>` or `<!--` in a string must not end or
    /// change the element, so every `<` is written as its escape.
    static func scriptSafe(_ json: String) -> String { json.replacing("<", with: "\\u003c") }
}
