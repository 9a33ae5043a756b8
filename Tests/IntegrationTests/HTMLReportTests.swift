import Foundation
import LabCapture
import LabPackets
import Testing

/// The HTML lab report opened in headless Chromium, as a student opens `make report-4`'s page:
/// one row per packet, and selecting a packet shows its details tree and its bytes, with the
/// selected field's bytes highlighted, and the page's script reports no error.
let chromiumPath = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

@Suite(.enabled(if: chromiumPath != nil, "Chromium is not installed: the HTML report is not opened in a browser"))
struct HTMLReportTests {
    static let chromium = chromiumPath

    /// experiment-4's report and trace, made once for the suite.
    static let report: (folder: String, html: String, frames: [[UInt8]])? = {
        guard let folder = try? Repository.temporaryDirectory() else { return nil }
        let html = folder + "/report4.html"
        guard let run = try? execute(Repository.binary, ["run", "experiment-4", "--explain", "--report", html, "--out", folder]),
              run.status == 0 else { return nil }
        var frames: [[UInt8]] = []
        try? CaptureFileReader.read(folder + "/trace4.pcap") { frames.append(Array($0.frame.bytes)) }
        return (folder, html, frames)
    }()

    /// The page's DOM after its script ran, with `fragment` in the address; and Chromium's log.
    static func open(_ fragment: String) throws -> (dom: String, log: String) {
        let report = try #require(Self.report, "tcplab run experiment-4 --report did not write the report")
        let profile = report.folder + "/profile-\(UUID().uuidString)"
        let run = try execute(try #require(Self.chromium), [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile)",
            "--enable-logging=stderr", "--v=0", "--dump-dom", "file://\(report.html)#\(fragment)",
        ])
        #expect(run.status == 0, "chromium: \(run.error.suffix(500))")
        return (run.output, run.error)
    }

    /// The text of the element with `id`, tags stripped.
    static func text(of id: String, in dom: String) -> String? {
        guard let start = dom.range(of: "id=\"\(id)\"") else { return nil }
        let tail = dom[start.upperBound...]
        guard let open = tail.firstIndex(of: ">") else { return nil }
        let tag = dom[..<start.lowerBound].split(separator: "<").last?.split(separator: " ").first ?? ""
        guard let close = tail.range(of: "</\(tag)>") else { return nil }
        let inner = String(tail[tail.index(after: open)..<close.lowerBound])
        return inner.replacing(#/<[^>]*>/#, with: "").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&amp;", with: "&")
    }

    static func hexLines(_ bytes: [UInt8]) -> [String] {
        stride(from: 0, to: bytes.count, by: 16).map { start in
            bytes[start..<min(start + 16, bytes.count)].map { String(format: "%02x", $0) }.joined(separator: " ")
        }
    }

    @Test func holdsOneRowPerPacket() throws {
        let report = try #require(Self.report)
        let (dom, log) = try Self.open("packet=1")
        let rows = dom.matches(of: #/<tr id="p(\d+)" data-packet/#).map { Int($0.output.1)! }
        #expect(rows == Array(1...report.frames.count))
        #expect(!log.contains(":CONSOLE"), "the page logged: \(log.split(separator: "\n").filter { $0.contains(":CONSOLE") })")
        #expect(Self.text(of: "script-errors", in: dom)?.isEmpty ?? false)
        #expect(dom.contains(#"<svg xmlns="http://www.w3.org/2000/svg""#) && dom.contains(#"class="arrow selected" data-packet="1""#))
    }

    @Test(arguments: [(1, "Flags: 0x002 (SYN)"), (6, "[TCP Segment Len: 390]"), (8, "[TCP Segment Len: 520]")])
    func selectingAPacketShowsItsDetailsAndBytes(packet: Int, field: String) throws {
        let report = try #require(Self.report)
        let (dom, log) = try Self.open("packet=\(packet)")
        #expect(dom.contains(#"id="p\#(packet)" data-packet="\#(packet)""#) && dom.contains(#"aria-selected="true""#))
        let selected = dom.matches(of: #/<tr id="p(\d+)"[^>]*aria-selected="true"/#).map { Int($0.output.1)! }
        #expect(selected == [packet])

        let details = try #require(Self.text(of: "details", in: dom))
        #expect(details.contains("Frame \(packet):"), "details: \(details.prefix(300))")
        #expect(details.contains("Transmission Control Protocol"))
        #expect(details.contains(field), "no \(field) in the details of packet \(packet)")

        let bytes = try #require(Self.text(of: "bytes", in: dom))
        let frame = report.frames[packet - 1]
        // "0000  45 00 …  E.." → the hex pairs only
        var shown: [String] = []
        for (i, line) in bytes.split(separator: "\n").enumerated() {
            let words = line.split(separator: " ").dropFirst().map(String.init)
            shown.append(words.prefix(max(0, min(16, frame.count - 16 * i))).joined(separator: " "))
        }
        #expect(shown == Self.hexLines(frame))
        #expect(!log.contains(":CONSOLE"))
        #expect(Self.text(of: "explanation-pane", in: dom)?.contains("Packet \(packet):") ?? false)
    }

    /// A field chosen in the tree lights up exactly its bytes in the bytes pane.
    @Test func theSelectedFieldsBytesAreHighlighted() throws {
        let report = try #require(Self.report)
        let (dom, _) = try Self.open("packet=6&field=Source%20Port")
        let lit = dom.matches(of: #/<span data-i="(\d+)" class="hl">/#).map { Int($0.output.1)! }
        // Each byte shows twice, in hex and in ASCII.
        let offsets = Array(Set(lit)).sorted()
        #expect(offsets.count == 2 && lit.count == 4, "lit: \(lit)")
        let frame = report.frames[5]
        if offsets.count == 2 {
            let port = Int(frame[offsets[0]]) << 8 | Int(frame[offsets[1]])
            #expect(dom.contains("Source Port: \(port)"))
        }
    }
}
