import LabModel
import LabPackets
import LabVerdict

/// The lab report as one self-contained HTML page, laid out as Wireshark teaches the lab: the
/// packet list (its columns and colouring), the selected packet's details tree and its bytes,
/// with each packet's explanation beside it, the verdicts with their why, and the ladder
/// diagram, linked both ways. No network, no external script or font: it opens from a USB
/// stick, prints to PDF, and works with the keyboard alone.
public struct HTMLReport {
    public var result: RunResult
    public var ladderSVG: String
    public var traceLink: String?
    public var kernel: String

    public init(result: RunResult, ladderSVG: String, traceLink: String?, kernel: String) {
        self.result = result
        self.ladderSVG = ladderSVG
        self.traceLink = traceLink
        self.kernel = kernel
    }

    /// Each packet with its analysis and its row, built once for the list and the panes.
    private struct Listed {
        var packet: Packet
        var segment: AnalyzedSegment?
        var row: PacketRow
    }

    private var listed: [Listed] {
        let analyzed = Dictionary(result.connections.flatMap(\.segments).map { ($0.number, $0) }, uniquingKeysWith: { a, _ in a })
        var builder = PacketRowBuilder()
        return result.packets.map { p in Listed(packet: p, segment: analyzed[p.number], row: builder.row(p, analyzed[p.number])) }
    }

    public func render() -> String {
        let e = result.experiment
        let title = "\(e.name): \(e.title)"
        let listed = listed
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
        <title>\(HTML.escaped(title))</title>
        <style>\(HTMLReportAssets.style)</style>
        </head>
        <body>
        <header>
        <h1>\(HTML.escaped(title))</h1>
        <p class="lab">\(HTML.escaped(e.lab))</p>
        \(facts())
        </header>
        <main>
        \(packetSection(listed))
        <section class="panes" aria-label="The selected packet">
        <div class="pane" id="explanation-pane" aria-live="polite"><h2>What this packet shows</h2><p id="selected-explanation"></p></div>
        <div class="pane" id="details-pane"><h2>Packet details</h2><div id="details" role="tree" aria-label="Packet details"></div></div>
        <div class="pane" id="bytes-pane"><h2>Packet bytes</h2><pre id="bytes" aria-label="Packet bytes"></pre></div>
        </section>
        \(verdictSection())
        \(explanationSection())
        <section id="ladder" aria-labelledby="ladder-heading"><h2 id="ladder-heading">Ladder diagram</h2>
        <p class="hint">Click an arrow to select its packet.</p>
        <div class="ladder">\(ladderSVG.replacing(#/<\?xml[^>]*\?>\s*/#, with: ""))</div>
        </section>
        </main>
        <div id="script-errors" role="alert"></div>
        <script type="application/json" id="packet-data">\(HTML.scriptSafe(packetData(listed)))</script>
        <script>\(HTMLReportAssets.script)</script>
        </body>
        </html>

        """
    }

    private func facts() -> String {
        let e = result.experiment
        let counts = result.verdict.map { " (\(VerdictText.counts($0)))" } ?? ""
        var rows = [("Verdict", #"<strong class="\#(result.status == "passed" ? "held" : "failed")">\#(HTML.escaped(result.status + counts))</strong>"#)]
        if let traceLink { rows.append(("Trace", #"<a href="\#(HTML.escaped(traceLink))">\#(HTML.escaped(traceLink))</a>"#)) }
        rows += [("Link", HTML.escaped(e.link.description)), ("Kernel", HTML.escaped(kernel)), ("Port", "\(e.port)")]
        return #"<dl class="facts">"# + rows.map { "<div><dt>\($0.0)</dt><dd>\($0.1)</dd></div>" }.joined() + "</dl>"
    }

    private func packetSection(_ listed: [Listed]) -> String {
        let explanations = explanationByPacket()
        var rows: [String] = []
        for (p, segment, row) in listed.map({ ($0.packet, $0.segment, $0.row) }) {
            let colour = WiresharkColouring.rule(p, segment, protocolName: row.protocolName)
            let why = explanations[p.number].map { HTML.escaped($0) } ?? ""
            rows.append(#"<tr id="p\#(row.number)" data-packet="\#(row.number)" class="\#(colour.cssClass)" tabindex="-1" aria-selected="false">"#
                + "<td class=\"num\">\(row.number)</td><td class=\"num\">\(row.time)</td><td>\(HTML.escaped(row.source))</td>"
                + "<td>\(HTML.escaped(row.destination))</td><td>\(HTML.escaped(row.protocolName))</td><td class=\"num\">\(row.length)</td>"
                + "<td class=\"info\">\(HTML.escaped(row.info))</td><td class=\"why\" title=\"\(why)\">\(why)</td></tr>")
        }
        return """
        <section id="packets" aria-labelledby="packets-heading">
        <h2 id="packets-heading">Packets</h2>
        <p class="hint">Select a packet with the mouse, or with ↑ ↓ Home End once the list has the focus; colours are Wireshark's default colouring rules.</p>
        <div class="list" id="list-scroll">
        <table id="packet-list" aria-describedby="packets-heading">
        <caption>\(result.packets.count) packets\(traceLink.map { " of " + HTML.escaped($0) } ?? "")</caption>
        <thead><tr><th scope="col">No.</th><th scope="col">Time</th><th scope="col">Source</th><th scope="col">Destination</th><th scope="col">Protocol</th><th scope="col">Length</th><th scope="col">Info</th><th scope="col">Explanation</th></tr></thead>
        <tbody>
        \(rows.joined(separator: "\n"))
        </tbody>
        </table>
        </div>
        </section>
        """
    }

    /// Each packet's sentence; a packet in a group shares the group's.
    private func explanationByPacket() -> [Int: String] {
        var text: [Int: String] = [:]
        for e in result.explanations {
            for (i, n) in e.packets.enumerated() where text[n] == nil {
                text[n] = e.packets.count == 1 || i == 0 ? e.text : "(with \(e.packetLabel)) " + e.text
            }
        }
        return text
    }

    private func verdictSection() -> String {
        guard let verdict = result.verdict else {
            return #"<section id="verdicts"><h2>Expectations</h2><p>The run could not be carried out: \#(HTML.escaped(result.harnessError ?? "no verdict"))</p></section>"#
        }
        var rows: [String] = []
        if let cause = verdict.rootCause {
            // The cause before its effects, as on the terminal.
            let tail = cause.stderrTail.isEmpty ? "" : "<br><code>" + cause.stderrTail.map(HTML.escaped).joined(separator: "<br>") + "</code>"
            rows.append("<tr class=\"failed\"><td>root cause</td><td>the \(cause.side) does its part</td><td>\(HTML.escaped(cause.reason))\(tail)</td><td></td></tr>")
        }
        for o in verdict.outcomes {
            let links = o.packets.prefix(20).map { ##"<a href="#p\##($0)" data-packet="\##($0)">\##($0)</a>"## }.joined(separator: " ")
            rows.append("<tr class=\"\(o.status == .held ? "held" : o.status == .failed ? "failed" : "other")\"><td>\(HTML.escaped(o.status.rawValue))</td>"
                + "<td>\(HTML.escaped(o.expectation))</td><td>\(HTML.escaped(o.detail))</td><td>\(links)</td></tr>")
        }
        for problem in verdict.captureProblems {
            rows.append("<tr class=\"failed\"><td>capture</td><td>the capture is whole</td><td>\(HTML.escaped(problem))</td><td></td></tr>")
        }
        for failure in verdict.endpointFailures {
            rows.append("<tr class=\"failed\"><td>endpoint</td><td>every step finished</td><td>\(HTML.escaped(failure))</td><td></td></tr>")
        }
        return """
        <section id="verdicts" aria-labelledby="verdicts-heading">
        <h2 id="verdicts-heading">Expectations</h2>
        <table><caption>\(HTML.escaped(VerdictText.counts(verdict)))</caption>
        <thead><tr><th scope="col">Status</th><th scope="col">Expected</th><th scope="col">Why</th><th scope="col">Packets</th></tr></thead>
        <tbody>
        \(rows.joined(separator: "\n"))
        </tbody></table>
        </section>
        """
    }

    private func explanationSection() -> String {
        guard !result.explanations.isEmpty else { return "" }
        let items = result.explanations.map { e in
            ##"<li><a href="#p\##(e.packets.first ?? 0)" data-packet="\##(e.packets.first ?? 0)">\##(e.packetLabel)</a> \##(HTML.escaped(e.text))</li>"##
        }
        return """
        <section id="explanation" aria-labelledby="explanation-heading">
        <h2 id="explanation-heading">What happens, packet by packet</h2>
        <ol class="explanation">
        \(items.joined(separator: "\n"))
        </ol>
        </section>
        """
    }

    /// Per packet: its bytes in hex and its details tree, as the script draws them on selection.
    private func packetData(_ listed: [Listed]) -> String {
        let linkType = result.record?.linkType ?? .ethernet
        let origin = result.packets.first?.timestamp ?? 0
        let entries = listed.map { l in
            let tree = PacketDetails(l.packet, l.segment, linkType: linkType, origin: origin, http: l.row.protocolName.hasPrefix("HTTP"))
                .nodes.map(Self.json).joined(separator: ",")
            return #"{"n":\#(l.packet.number),"hex":"\#(l.packet.bytes.map(DetailReader.hex2).joined())","tree":[\#(tree)]}"#
        }
        return "[" + entries.joined(separator: ",\n") + "]"
    }

    /// `["text", start, end, [children]]`: compact, and JSON a script can read without a library.
    static func json(_ node: DetailNode) -> String {
        let range = node.bytes.map { "\($0.lowerBound),\($0.upperBound)" } ?? "-1,-1"
        return "[\(HTML.jsonString(node.text)),\(range),[\(node.children.map(json).joined(separator: ","))]]"
    }
}
