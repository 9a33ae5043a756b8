/// The class summary's page, for `grade` and `grade --code` alike: a title line, tables and
/// lists, as Markdown or as one self-contained HTML page (no script, no link out).
struct ClassSummaryPage {
    enum Block {
        /// A table; its first column names the row (a student, an experiment). Columns in
        /// `numeric` are right-aligned in Markdown.
        case table(header: [String], rows: [[String]], numeric: Set<Int>)
        /// A list, "None." when empty.
        case list([String])
    }

    var intro: String
    var sections: [(title: String?, block: Block)] = []

    init(intro: String) { self.intro = intro }

    mutating func add(_ block: Block, under title: String? = nil) { sections.append((title, block)) }

    func markdown() -> String {
        var md = "# Class summary\n\n\(intro)\n"
        for (title, block) in sections {
            if let title { md += "\n## \(title)\n" }
            md += "\n"
            switch block {
            case let .table(header, rows, numeric):
                md += "| " + header.joined(separator: " | ") + " |\n|"
                    + header.indices.map { numeric.contains($0) ? "---:|" : "---|" }.joined() + "\n"
                for row in rows { md += "| " + row.map { $0.replacing("|", with: "\\|") }.joined(separator: " | ") + " |\n" }
            case let .list(items):
                md += items.isEmpty ? "None.\n" : items.map { "- \($0)\n" }.joined()
            }
        }
        return md
    }

    func html() -> String {
        func esc(_ s: String) -> String { XMLText.escaped(s) }
        var h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Class summary</title>\n"
        h += "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px 8px;text-align:left}</style></head><body>\n"
        h += "<h1>Class summary</h1>\n<p>\(esc(intro))</p>\n"
        for (title, block) in sections {
            if let title { h += "<h2>\(esc(title))</h2>\n" }
            switch block {
            case let .table(header, rows, _):
                h += "<table>\n<tr>" + header.map { "<th scope=\"col\">\(esc($0))</th>" }.joined() + "</tr>\n"
                for row in rows {
                    h += "<tr><th scope=\"row\">\(esc(row.first ?? ""))</th>" + row.dropFirst().map { "<td>\(esc($0))</td>" }.joined() + "</tr>\n"
                }
                h += "</table>\n"
            case let .list(items):
                h += items.isEmpty ? "<p>None.</p>\n" : "<ul>\n" + items.map { "<li>\(esc($0))</li>\n" }.joined() + "</ul>\n"
            }
        }
        return h + "</body></html>\n"
    }
}
