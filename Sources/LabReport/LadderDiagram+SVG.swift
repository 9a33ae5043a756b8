import LabPackets

extension LadderDiagram {
    static let monospace = "'DejaVu Sans Mono', Menlo, Consolas, monospace"
    static let sansSerif = "'DejaVu Sans', Helvetica, Arial, sans-serif"
    static let marginGrey = "#555555"
    static let lifelineGrey = "#888888"
    static let markerGrey = "#eeeeee"

    /// The whole SVG document. Same diagram, same bytes: nothing depends on hashing or the clock.
    public func render() -> String {
        let layout = LadderLayout(self)
        var svg = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(layout.width)" height="\#(layout.height)" "#
                + #"viewBox="0 0 \#(layout.width) \#(layout.height)" font-family="\#(Self.sansSerif)" font-size="12">"#,
            "<title>\(SVGText.escaped(title))</title>",
            #"<rect x="0" y="0" width="\#(layout.width)" height="\#(layout.height)" fill="white"/>"#,
        ]
        svg += header(layout)
        svg += lifelines(layout)
        svg.append(#"<g font-family="\#(Self.monospace)" font-size="12">"#)
        for (index, row) in rows.enumerated() {
            switch row {
            case let .arrow(a): svg += arrow(a, at: layout.rowY(index), layout)
            case let .elided(elision): svg += marker(elision, at: layout.rowY(index), layout)
            case let .pause(nanoseconds): svg += pause(nanoseconds, at: layout.rowY(index), layout)
            }
        }
        svg += ["</g>", "</svg>"]
        return svg.joined(separator: "\n") + "\n"
    }

    private func header(_ layout: LadderLayout) -> [String] {
        var lines = [SVGText.text(title, x: 16, y: 28, attributes: #"font-size="16" font-weight="bold""#)]
        for (i, line) in summary.enumerated() {
            lines.append(SVGText.text(line, x: 16, y: layout.summaryTop + i * 17))
        }
        for (i, kind) in ArrowKind.allCases.enumerated() {
            let y = layout.legendTop + i * LadderLayout.legendRowHeight
            lines.append(#"<line x1="16" y1="\#(y - 4)" x2="40" y2="\#(y - 4)" stroke="\#(kind.colour)" stroke-width="2"/>"#)
            lines.append(SVGText.text(kind.legend, x: 48, y: y, attributes: #"font-size="11" fill="\#(kind.colour)""#))
        }
        return lines
    }

    private func lifelines(_ layout: LadderLayout) -> [String] {
        var lines: [String] = []
        let grey = #"fill="\#(Self.marginGrey)""#
        lines.append(SVGText.text("No.", x: layout.numberRight, y: layout.headingY, anchor: "end", attributes: grey))
        lines.append(SVGText.text("Time (s)", x: layout.timeRight, y: layout.headingY, anchor: "end", attributes: grey))
        for side in Direction.allCases {
            let x = side == .client ? layout.clientX : layout.serverX
            lines.append(SVGText.text(side.rawValue, x: x, y: layout.roleY, anchor: "middle",
                                      attributes: #"font-size="13" font-weight="bold""#))
            lines.append(SVGText.text(heading(side), x: x, y: layout.headingY, anchor: "middle",
                                      attributes: #"font-family="\#(Self.monospace)""#))
            lines.append(#"<line class="lifeline" data-side="\#(side.rawValue)" x1="\#(x)" y1="\#(layout.lifelineTop)" "#
                + #"x2="\#(x)" y2="\#(layout.lifelineBottom)" stroke="\#(Self.lifelineGrey)" stroke-width="2"/>"#)
        }
        return lines
    }

    private func arrow(_ a: Arrow, at y: Int, _ layout: LadderLayout) -> [String] {
        let s = a.segment
        let kind = ArrowKind(s), colour = kind.colour
        let (x1, x2) = s.from == .client ? (layout.clientX, layout.serverX) : (layout.serverX, layout.clientX)
        let tip = (x: Double(x2), y: Double(y + LadderLayout.drop))
        let run = Double(x2 - x1), fall = Double(LadderLayout.drop)
        let length = (run * run + fall * fall).squareRoot()
        let along = (x: run / length, y: fall / length)
        let base = (x: tip.x - 10 * along.x, y: tip.y - 10 * along.y)
        let across = (x: -along.y * 4, y: along.x * 4)
        let head = [tip, (base.x + across.x, base.y + across.y), (base.x - across.x, base.y - across.y)]
            .map { "\(SVGText.number($0.0)),\(SVGText.number($0.1))" }.joined(separator: " ")
        let grey = #"fill="\#(Self.marginGrey)""#
        // The label sits above the arrow's higher end, so no part of the line runs through it.
        return [
            #"<g class="arrow" data-packet="\#(s.number)" data-from="\#(s.from.rawValue)" data-kind="\#(kind.rawValue)">"#,
            "<title>\(SVGText.escaped("\(s.number): \(s.analysis.infoPrefix)\(PacketRow.tcpInfo(s))"))</title>",
            SVGText.text(String(s.number), x: layout.numberRight, y: y + 4, anchor: "end", attributes: grey),
            SVGText.text(time(s), x: layout.timeRight, y: y + 4, anchor: "end", attributes: grey),
            #"<line x1="\#(x1)" y1="\#(y)" x2="\#(SVGText.number(base.x))" y2="\#(SVGText.number(base.y))" "#
                + #"stroke="\#(colour)" stroke-width="1.5"/>"#,
            #"<polygon points="\#(head)" fill="\#(colour)"/>"#,
            SVGText.text(label(a), x: (x1 + x2) / 2, y: y - 5, anchor: "middle", attributes: #"fill="\#(colour)""#),
            "</g>",
        ]
    }

    /// A break across both lifelines where the capture was quiet, with how long.
    private func pause(_ nanoseconds: Int64, at y: Int, _ layout: LadderLayout) -> [String] {
        let left = layout.clientX - 30, right = layout.serverX + 30
        return [
            #"<g class="pause" data-nanoseconds="\#(nanoseconds)">"#,
            #"<rect x="\#(left)" y="\#(y - 6)" width="\#(right - left)" height="16" fill="white"/>"#,
            #"<line x1="\#(left)" y1="\#(y - 6)" x2="\#(right)" y2="\#(y - 6)" stroke="\#(Self.lifelineGrey)" stroke-dasharray="6 4"/>"#,
            #"<line x1="\#(left)" y1="\#(y + 10)" x2="\#(right)" y2="\#(y + 10)" stroke="\#(Self.lifelineGrey)" stroke-dasharray="6 4"/>"#,
            SVGText.text(Self.pauseText(nanoseconds), x: (layout.clientX + layout.serverX) / 2, y: y + 6, anchor: "middle",
                         attributes: #"fill="\#(Self.marginGrey)" font-style="italic""#),
            "</g>",
        ]
    }

    /// "… 5.0 s with no packet …".
    static func pauseText(_ nanoseconds: Int64) -> String { "… \(spoken(nanoseconds)) with no packet …" }

    private func marker(_ elision: Elision, at y: Int, _ layout: LadderLayout) -> [String] {
        let first = elision.segments.first, last = elision.segments.last
        let left = layout.clientX + 8, width = layout.serverX - layout.clientX - 16
        return [
            #"<g class="elided" data-count="\#(elision.segments.count)" data-first="\#(first)" data-last="\#(last)">"#,
            #"<rect x="\#(left)" y="\#(y - 9)" width="\#(width)" height="22" rx="4" fill="\#(Self.markerGrey)"/>"#,
            SVGText.text(elision.text, x: (layout.clientX + layout.serverX) / 2, y: y + 6, anchor: "middle",
                         attributes: #"fill="\#(Self.marginGrey)" font-style="italic""#),
            "</g>",
        ]
    }
}
