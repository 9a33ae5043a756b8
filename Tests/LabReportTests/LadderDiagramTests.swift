import Foundation
import LabPackets
import LabReport
import LabTestSupport
import Testing

@Suite struct LadderDiagramTests {
    typealias Kind = LadderDiagram.ArrowKind

    static func connections(_ frames: [CapturedFrame]) -> [Connection] {
        ConversationAnalyzer.analyze(FrameBuilder.decode(frames))
    }

    static func parsed(_ diagram: LadderDiagram) throws -> SVGDocument {
        var problem = ""
        let document = SVGDocument.parse(diagram.render(), problem: &problem)
        return try #require(document, "not well-formed XML: \(problem)")
    }

    /// The line, its arrowhead colour and label of the arrow for one packet.
    static func arrow(_ packet: Int, in svg: SVGDocument) throws -> (line: SVGDocument.Element, label: String, from: String) {
        let (index, group) = try #require(svg.elements(ofClass: "arrow").first { $0.element.attributes["data-packet"] == "\(packet)" })
        let line = try #require(svg.children(of: index, named: "line").first)
        let texts = svg.children(of: index, named: "text").map(\.text)
        return (line, texts.last ?? "", group.attributes["data-from"] ?? "")
    }

    static func helloExchange() -> [Connection] {
        var builder = FrameBuilder()
        return connections(builder.exchange(client: [Array("Hello".utf8)], server: [Array("HELLO".utf8)]))
    }

    @Test func drawsOneArrowPerSegmentFromTheRightSide() throws {
        let diagram = LadderDiagram(connections: Self.helloExchange(), title: "Experiment 1")
        let svg = try Self.parsed(diagram)

        #expect(svg.root?.name == "svg" && svg.root?.attributes["xmlns"] == "http://www.w3.org/2000/svg")
        #expect(svg.root?.attributes["viewBox"] == "0 0 \(svg.root?.attributes["width"] ?? "") \(svg.root?.attributes["height"] ?? "")")
        #expect(svg.elements(ofClass: "arrow").map { $0.element.attributes["data-packet"] } == (1...8).map { "\($0)" })
        #expect(diagram.arrowCount == 8 && diagram.elidedCount == 0 && svg.elements(ofClass: "elided").isEmpty)

        let lifelines = svg.elements(ofClass: "lifeline").map(\.element)
        let x = Dictionary(uniqueKeysWithValues: lifelines.map { ($0.attributes["data-side"] ?? "", Double($0.attributes["x1"] ?? "") ?? .nan) })
        let clientX = try #require(x["client"]), serverX = try #require(x["server"])
        #expect(clientX < serverX)

        let syn = try Self.arrow(1, in: svg)
        #expect(syn.from == "client" && syn.label == "[SYN] Seq=0 Len=0")
        #expect(Double(syn.line.attributes["x1"] ?? "") == clientX)
        #expect(Double(syn.line.attributes["x2"] ?? "")! > clientX)
        #expect(Double(syn.line.attributes["y2"] ?? "")! > Double(syn.line.attributes["y1"] ?? "")!)
        let synAck = try Self.arrow(2, in: svg)
        #expect(synAck.from == "server" && Double(synAck.line.attributes["x1"] ?? "") == serverX)
        #expect(Double(synAck.line.attributes["x2"] ?? "")! < serverX)
        #expect(try Self.arrow(4, in: svg).label == "[PSH, ACK] Seq=1 Ack=1 Len=5")
        #expect(try Self.arrow(5, in: svg).label == "[PSH, ACK] Seq=1 Ack=6 Len=5")

        let margin = svg.children(of: svg.elements(ofClass: "arrow")[1].index, named: "text").map(\.text)
        #expect(margin.prefix(2) == ["2", "0.000001"])  // the builder spaces frames 1 µs apart
        #expect(svg.headerText.contains("127.0.0.1:40000") && svg.headerText.contains("127.0.0.1:12345"))
        #expect(!svg.headerText.contains("Elided"))
        #expect(diagram.render() == LadderDiagram(connections: Self.helloExchange(), title: "Experiment 1").render())
    }

    @Test func resetsAndRetransmissionsStandOutInTheirColours() throws {
        var builder = FrameBuilder()
        var frames = Array(builder.exchange(client: [], server: []).prefix(3))
        frames.append(builder.segment(from: .client, seq: 1, ack: 1, flags: .psh, payload: Array("Hello".utf8)))
        frames.append(builder.segment(from: .client, seq: 1, ack: 1, flags: .psh, payload: Array("Hello".utf8), advance: 200_000_000))
        frames.append(builder.segment(from: .client, seq: 6, ack: 1, flags: .rst))
        let connections = Self.connections(frames)
        let analysis = try #require(connections.first?.segments[4].analysis.flags)
        #expect(analysis.contains(.retransmission))

        let svg = try Self.parsed(LadderDiagram(connections: connections, title: "reset"))
        #expect(try Self.arrow(1, in: svg).line.attributes["stroke"] == Kind.synOrFin.colour)
        #expect(try Self.arrow(4, in: svg).line.attributes["stroke"] == Kind.ordinary.colour)
        #expect(try Self.arrow(5, in: svg).line.attributes["stroke"] == Kind.trouble.colour)
        #expect(try Self.arrow(5, in: svg).label.hasPrefix("[TCP Retransmission] [PSH, ACK]"))
        #expect(try Self.arrow(6, in: svg).line.attributes["stroke"] == Kind.reset.colour)
        #expect(Set(Kind.allCases.map(\.colour)).count == Kind.allCases.count)
        let legend = svg.elements.filter { $0.name == "line" && $0.attributes["class"] == nil && $0.parent == 0 }
        #expect(Set(legend.compactMap { $0.attributes["stroke"] }) == Set(Kind.allCases.map(\.colour)))
    }

    /// Arrows and markers must cover every packet exactly once, in capture order.
    static func expectEverySegmentAccountedFor(_ svg: SVGDocument, _ diagram: LadderDiagram, total: Int,
                                               sourceLocation: SourceLocation = #_sourceLocation) {
        var covered: [Int] = []
        var elided = 0
        for element in svg.elements {
            switch element.attributes["class"] {
            case "arrow": covered.append(Int(element.attributes["data-packet"] ?? "") ?? -1)
            case "elided":
                let count = Int(element.attributes["data-count"] ?? "") ?? -1
                let first = Int(element.attributes["data-first"] ?? "") ?? -1
                elided += count
                covered += Array(first ..< first + max(0, count))
            default: break
            }
        }
        // Compared as one Bool: a failure would otherwise print both arrays, hundreds of numbers each.
        let everyPacketOnceInOrder = covered == Array(1...total)
        let missing = Set(1...total).subtracting(covered).sorted()
        #expect(everyPacketOnceInOrder, "covered \(covered.count) of \(total); missing \(missing.prefix(10))",
                sourceLocation: sourceLocation)
        #expect(diagram.arrowCount == svg.elements(ofClass: "arrow").count, sourceLocation: sourceLocation)
        #expect(diagram.elidedCount == elided && diagram.arrowCount + diagram.elidedCount == total, sourceLocation: sourceLocation)
        #expect(diagram.arrowCount <= diagram.maxArrows, sourceLocation: sourceLocation)
    }

    /// The connection's first 32 segments (handshake and slow start's first windows) stay
    /// arrows; the identical run after them folds to its first and last.
    @Test func foldsLongRunsOfIdenticalSegmentsAfterTheStart() throws {
        var builder = FrameBuilder()
        let chunks = Array(repeating: Array("12345".utf8), count: 1000)
        let diagram = LadderDiagram(connections: Self.connections(builder.exchange(client: chunks, server: [])), title: "bulk")
        let svg = try Self.parsed(diagram)
        Self.expectEverySegmentAccountedFor(svg, diagram, total: 1006)
        #expect(diagram.arrowCount == 32 + 2 + 3)
        let drawn = svg.elements(ofClass: "arrow").compactMap { Int($0.element.attributes["data-packet"] ?? "") }
        #expect(Array(drawn.prefix(33)) == Array(1...33))
        #expect(svg.headerText.contains("Elided 969 of 1006 segments into 1 grey marker"))
        let marker = try #require(svg.elements(ofClass: "elided").first)
        #expect(svg.children(of: marker.index, named: "text").first?.text
            == "… 969 more identical client→server segments ([PSH, ACK] Len=5) …")
    }

    /// Part 2's arrows say which request or response their segment completes.
    @Test func httpArrowsCarryTheirRequestOrStatus() throws {
        var builder = FrameBuilder()
        let request = Array("GET /index.html HTTP/1.1\r\nHost: 10.0.2.15\r\n\r\n".utf8)
        let response = Array("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\n\r\nhi".utf8)
        let svg = try Self.parsed(LadderDiagram(connections: Self.connections(builder.exchange(client: [request], server: [response])), title: "http"))
        #expect(try Self.arrow(4, in: svg).label.hasSuffix("Len=\(request.count)  GET /index.html HTTP/1.1"))
        #expect(try Self.arrow(5, in: svg).label.hasSuffix("Len=\(response.count)  HTTP/1.1 200 OK  (text/html)"))
        #expect(try Self.arrow(1, in: svg).label == "[SYN] Seq=0 Len=0")
    }

    /// A quiet stretch of the capture breaks every run and is drawn as a break saying how long.
    @Test func drawsPausesAsBreaksWithTheirLength() throws {
        var builder = FrameBuilder()
        var frames = Array(builder.exchange(client: [], server: []).prefix(3))
        frames.append(builder.segment(from: .client, seq: 1, ack: 1, flags: .psh, payload: Array("Hello".utf8)))
        frames.append(builder.segment(from: .server, seq: 1, ack: 6, flags: .psh, payload: Array("HELLO".utf8), advance: 5_000_000_000))
        frames.append(builder.segment(from: .client, seq: 6, ack: 6, flags: .fin, advance: 150_000_000))
        frames.append(builder.segment(from: .server, seq: 6, ack: 7, flags: .fin, advance: 1_000_000_000))
        let diagram = LadderDiagram(connections: Self.connections(frames), title: "pauses")
        #expect(diagram.pauses == [5_000_000_000, 1_000_000_000])
        let svg = try Self.parsed(diagram)
        let breaks = svg.elements(ofClass: "pause")
        #expect(breaks.map { svg.children(of: $0.index, named: "text").first?.text } == ["… 5.0 s with no packet …", "… 1.0 s with no packet …"])
        #expect(diagram.arrowCount == frames.count)
    }

    /// A pause inside a long run of look-alike segments is not folded away with them.
    @Test func aPauseSplitsAFoldedRun() throws {
        var builder = FrameBuilder()
        var frames = Array(builder.exchange(client: [], server: []).prefix(3))
        for i in 0..<600 {
            frames.append(builder.segment(from: .client, seq: 1 + UInt32(i) * 5, ack: 1, flags: .psh, payload: Array("12345".utf8),
                                          advance: i == 300 ? 2_000_000_000 : 1_000))
        }
        let diagram = LadderDiagram(connections: Self.connections(frames), title: "paused bulk")
        #expect(diagram.pauses == [2_000_000_000])
        let svg = try Self.parsed(diagram)
        Self.expectEverySegmentAccountedFor(svg, diagram, total: frames.count)
        // The run before the pause and the one after each keep their first and last arrow.
        let drawn = svg.elements(ofClass: "arrow").compactMap { Int($0.element.attributes["data-packet"] ?? "") }
        #expect(drawn.contains(3 + 300) && drawn.contains(3 + 301))
    }

    /// Data and ACKs in turn never repeat back to back, so only coarser folding keeps within bounds.
    @Test(arguments: [0, 1, 2, 7, 50, 399, 400])
    func neverDrawsMoreArrowsThanAllowed(maxArrows: Int) throws {
        var builder = FrameBuilder()
        var frames = Array(builder.exchange(client: [], server: []).prefix(3))
        for i in 0 ..< 197 {
            let seq = UInt32(1 + 10 * i)
            frames.append(builder.segment(from: .client, seq: seq, ack: 1, flags: .psh, payload: Array(repeating: 0x61, count: 10)))
            frames.append(builder.segment(from: .server, seq: 1, ack: seq + 10, flags: []))
        }
        let diagram = LadderDiagram(connections: Self.connections(frames), title: "alternating", maxArrows: maxArrows)
        let svg = try Self.parsed(diagram)
        Self.expectEverySegmentAccountedFor(svg, diagram, total: 397)
        #expect(svg.headerText.contains("Elided") == (maxArrows < 397))
    }

    @Test func escapesEveryTitleCharacterXMLCaresAbout() throws {
        let title = #"Trace <1> & "two" 'three' </svg>"# + "\u{7}"
        var builder = FrameBuilder()
        let diagram = LadderDiagram(connections: Self.connections(builder.exchange(client: [[1]], server: [])), title: title)
        let svg = try Self.parsed(diagram)
        #expect(svg.elements.first { $0.name == "title" }?.text == String(title.dropLast()) + "\u{FFFD}")
        #expect(!diagram.render().contains("</svg>\u{7}"))
    }

    @Test func namesTheConnectionOfEveryArrowWhenThereAreSeveral() throws {
        let connections = ConversationAnalyzer.analyze(try Self.fixture("corpus/lo-ipv4.pcap"))
        #expect(connections.count > 2)
        let diagram = LadderDiagram(connections: connections, title: "lo-ipv4")
        let svg = try Self.parsed(diagram)
        for (index, _) in svg.elements(ofClass: "arrow") {
            #expect(svg.children(of: index, named: "text").last?.text.hasPrefix("#") == true)
        }
        let headings = svg.elements.filter { $0.name == "text" && $0.parent == 0 }.map(\.text)
        #expect(headings.contains("client") && headings.contains("server") && headings.contains("127.0.0.1"))
        Self.expectEverySegmentAccountedFor(svg, diagram, total: connections.reduce(0) { $0 + $1.segments.count })
    }

    @Test func foldsARealTraceWithRetransmissions() throws {
        let connections = ConversationAnalyzer.analyze(try Self.fixture("corpus/retransmissions.pcap"))
        let diagram = LadderDiagram(connections: connections, title: "retransmissions", maxArrows: 300)
        let total = connections.reduce(0) { $0 + $1.segments.count }
        #expect(total > 300)
        Self.expectEverySegmentAccountedFor(try Self.parsed(diagram), diagram, total: total)
    }

    static let rsvgConvert = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.enabled(if: rsvgConvert != nil, "needs rsvg-convert (apt-get install librsvg2-bin)"))
    func rendersTheStudentsTraceToAPNG() throws {
        let connections = ConversationAnalyzer.analyze(try Self.fixture("student/experiment-2-any.pcapng"))
        let diagram = LadderDiagram(connections: connections, title: "Experiment 2: 5-byte reads, echoed in upper case")
        let svgPath = NSTemporaryDirectory() + "ladder-sample-\(UUID().uuidString).svg"
        let pngPath = "/tmp/ladder-sample.png"
        try diagram.render().write(toFile: svgPath, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: svgPath) }
        try? FileManager.default.removeItem(atPath: pngPath)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.rsvgConvert))
        process.arguments = ["--format=png", "--output=\(pngPath)", svgPath]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        let png = [UInt8](try Data(contentsOf: URL(fileURLWithPath: pngPath)))
        #expect(png.prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(png.count > 10_000)
        // IHDR holds the pixel size, which must be the size the SVG asked for.
        let width = png[16 ..< 20].reduce(0) { $0 << 8 | Int($1) }, height = png[20 ..< 24].reduce(0) { $0 << 8 | Int($1) }
        let root = try #require(try Self.parsed(diagram).root)
        #expect("\(width)" == root.attributes["width"] && "\(height)" == root.attributes["height"])
        #expect(diagram.arrowCount == 16)
    }

    /// Reads a capture kept with the integration tests, the way `tcplab show` does.
    static func fixture(_ name: String) throws -> [Packet] {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("IntegrationTests/Fixtures/\(name)")
        var parser = CaptureParser()
        parser.append([UInt8](try Data(contentsOf: path)))
        var packets: [Packet] = []
        while let record = try parser.next() {
            packets.append(Packet.decode(record.frame, number: packets.count + 1, linkType: record.linkType))
        }
        try parser.finish()
        return packets
    }
}
