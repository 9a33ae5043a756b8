import LabPackets

/// Where each part of a ladder diagram goes, in whole pixels, sized from the text it must hold.
///
/// Widths are estimated from character counts, since no font metrics are at hand: the labels use
/// a monospaced font, and the estimates err on the wide side for the proportional header text.
struct LadderLayout {
    static let rowHeight = 36
    /// How far an arrow falls on its way across: enough to read as time passing, little enough
    /// to keep the label above it clear of the row before.
    static let drop = 12
    static let legendRowHeight = 16

    let numberRight: Int
    let timeRight: Int
    let clientX: Int
    let serverX: Int
    let summaryTop = 50
    let legendTop: Int
    let roleY: Int
    let headingY: Int
    let lifelineTop: Int
    let rowsTop: Int
    let lifelineBottom: Int
    let width: Int
    let height: Int

    init(_ diagram: LadderDiagram) {
        let rowTexts = diagram.rows.map { row in
            switch row {
            case let .arrow(a): diagram.label(a)
            case let .elided(elision): elision.text
            case let .pause(nanoseconds): LadderDiagram.pauseText(nanoseconds)
            }
        }
        let numbers = diagram.lastSegment.map { String($0.number).count } ?? 0
        let times = diagram.lastSegment.map { diagram.time($0).count } ?? 0
        numberRight = 16 + Self.mono(max(3, numbers))
        timeRight = numberRight + 16 + Self.mono(max("Time (s)".count, times))

        let clientHeading = max(Self.mono(diagram.heading(.client).count), Self.sans("client".count, size: 13))
        let serverHeading = max(Self.mono(diagram.heading(.server).count), Self.sans("server".count, size: 13))
        clientX = timeRight + 16 + max(12, clientHeading / 2)
        let widestRow = rowTexts.map { Self.mono($0.count) }.max() ?? 0
        serverX = clientX + max(300, widestRow + 48, (clientHeading + serverHeading) / 2 + 40)

        let summary = diagram.summary
        legendTop = summaryTop + summary.count * 17 + 10
        roleY = legendTop + LadderDiagram.ArrowKind.allCases.count * Self.legendRowHeight + 24
        headingY = roleY + 17
        lifelineTop = headingY + 10
        rowsTop = lifelineTop + 30
        lifelineBottom = rowsTop + max(0, diagram.rows.count - 1) * Self.rowHeight + Self.drop + 16
        height = lifelineBottom + 20

        let headerWidths = [Self.sans(diagram.title.count, size: 16)]
            + summary.map { Self.sans($0.count, size: 12) }
            + LadderDiagram.ArrowKind.allCases.map { 36 + Self.sans($0.legend.count, size: 11) }
        width = max(serverX + max(40, serverHeading / 2) + 24, 16 + (headerWidths.max() ?? 0) + 16)
    }

    /// The y of row `index`: where its arrow leaves the sender's lifeline.
    func rowY(_ index: Int) -> Int { rowsTop + index * Self.rowHeight }

    /// DejaVu Sans Mono advances 0.602 em; 12 px labels then need 7.22 px a character.
    static func mono(_ characters: Int) -> Int { Int((Double(characters) * 7.3).rounded(.up)) }

    /// A generous average for proportional text, so the header never runs off the page.
    static func sans(_ characters: Int, size: Int) -> Int { Int((Double(characters * size) * 0.62).rounded(.up)) }
}
