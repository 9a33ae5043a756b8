import Foundation
import LabCapture
@testable import LabPackets
import LabReport
import Testing

/// `show`'s text list decodes each frame where the parser read it (`PacketView`), makes rows as
/// plain values and prints them in batches, on another thread when it can: what it prints must be
/// what `PacketRow.line` prints, also with hidden rows (a display filter) feeding HTTP.
@Suite struct ListingPrinterTests {
    /// The rows as `PacketRow`s make them; the packets `hidden` picks are hidden as `show --filter` hides them.
    static func packetRows(_ frames: [(CapturedFrame, LinkType)], hidden: (Int) -> Bool = { _ in false }) -> String {
        var analyzer = ConversationAnalyzer(retainSegments: false)
        var rows = PacketRowBuilder()
        var text = ""
        for (i, (frame, linkType)) in frames.enumerated() {
            let packet = Packet.decode(frame, number: i + 1, linkType: linkType)
            let segment = analyzer.add(packet, index: i)
            if hidden(i) { rows.hide(packet, segment) } else { text += rows.row(packet, segment).line + "\n" }
        }
        return text
    }

    /// The same rows the way `show` makes them: each frame read in place, batches of an odd size so
    /// that HTTP's reassembly and the printer's caches carry across batches.
    static func inPlace(_ frames: [(CapturedFrame, LinkType)], hidden: (Int) -> Bool = { _ in false }) -> String {
        var analyzer = ConversationAnalyzer(retainSegments: false)
        var rows = ListingRowMaker()
        var printer = ListingPrinter()
        var batch = ListingBatch()
        var out = ByteBuffer()
        for (i, (frame, linkType)) in frames.enumerated() {
            frame.bytes.withUnsafeBytes { bytes in
                let record = CaptureRecordView(timestamp: frame.timestamp, originalLength: frame.originalLength, linkType: linkType,
                                               interface: 0, bytes: bytes, commentBytes: nil)
                let view = PacketView(record, number: i + 1)
                let placement = analyzer.add(view.headers, number: i + 1, timestamp: view.timestamp)
                if hidden(i) { rows.hide(view, placement, into: &batch) } else { rows.add(view, placement, into: &batch) }
            }
            if batch.count >= 7 {
                printer.write(batch, into: &out)
                batch.removeAll()
            }
        }
        printer.write(batch, into: &out)
        return out.withBytes { String(decoding: $0, as: UTF8.self) }
    }

    static func expectSame(_ slow: String, _ fast: String, _ what: String) {
        guard slow != fast else { return }
        let a = slow.split(separator: "\n"), b = fast.split(separator: "\n")
        let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }
        Issue.record("\(what): first difference at row \(first.map { $0.offset + 1 } ?? min(a.count, b.count) + 1)\n  rows:    \(first?.element.0 ?? "")\n  in place: \(first?.element.1 ?? "")")
    }

    @Test(arguments: PacketLineWriterTests.captures)
    func theInPlaceListIsThePacketRowsByteForByte(_ file: String) {
        let frames = PacketLineWriterTests.frames(PacketLineWriterTests.fixtures + "/" + file)
        let slow = Self.packetRows(frames)
        #expect(!slow.isEmpty)
        Self.expectSame(slow, Self.inPlace(frames), file)
    }

    /// Every other packet hidden, and every third: the hidden ones still carry HTTP's reassembly.
    @Test(arguments: PacketLineWriterTests.captures)
    func hiddenRowsStillFeedHTTP(_ file: String) {
        let frames = PacketLineWriterTests.frames(PacketLineWriterTests.fixtures + "/" + file)
        for step in [2, 3] {
            let hidden = { (i: Int) in i % step == 1 }
            Self.expectSame(Self.packetRows(frames, hidden: hidden), Self.inPlace(frames, hidden: hidden), "\(file), every \(step)")
        }
    }

    /// Damaged frames, as `PacketLineWriterTests` makes them, read in place.
    @Test func damagedFramesPrintTheSameInPlace() {
        var generator = SystemRandomNumberGenerator()
        var checked = 0
        for file in PacketLineWriterTests.captures.prefix(40) {
            let frames = PacketLineWriterTests.frames(PacketLineWriterTests.fixtures + "/" + file)
            let damaged = PacketLineWriterTests.damaged(frames, using: &generator)
            Self.expectSame(Self.packetRows(damaged), Self.inPlace(damaged), "\(file), damaged")
            checked += damaged.count
        }
        #expect(checked > 1000)
    }

    /// `show` itself, whose printing thread writes standard output: with a display filter, the
    /// listing is the rows `show --json` gives for the same filter (made as `PacketRow`s).
    @Test(arguments: PacketLineWriterTests.captures)
    func showWithAFilterPrintsWhatJSONHolds(_ file: String) throws {
        let path = PacketLineWriterTests.fixtures + "/" + file
        for filter in ["tcp[13] & 8 != 0", "syn or fin"] {
            let json = try execute(Repository.binary, ["show", "--json", "--filter", filter, path])
            // A capture cut short on purpose exits 2 and has no JSON to compare; any other failure is one.
            if StreamingShowTests.damaged.contains(file) {
                #expect(json.status == 2, "\(file) --filter '\(filter)': \(json.error)")
                continue
            }
            try #require(json.status == 0, "\(file) --filter '\(filter)': \(json.error)")
            let rows = try JSONDecoder().decode([PacketRow].self, from: Data(json.output.utf8))
            let run = try execute(Repository.binary, ["show", "--filter", filter, path])
            #expect(run.status == 0)
            #expect(run.output == ([PacketRow.header] + rows.map(\.line)).joined(separator: "\n") + "\n", "\(file) --filter '\(filter)'")
        }
    }

    /// A BPF filter on a raw-IP capture (LINKTYPE_RAW, 101) keeps the frames tshark's display
    /// filter for the same flags keeps: libpcap compiles it for DLT_RAW, as it reads such a file.
    @Test(.enabled(if: tsharkPath != nil, "tshark is not installed"))
    func aFilterOnARawCaptureKeepsWhatTsharkKeeps() throws {
        let path = PacketLineWriterTests.fixtures + "/corpus/raw.pcap"
        let run = try execute(Repository.binary, ["show", "--filter", "syn or fin", path])
        #expect(run.status == 0, "\(run.error)")
        let ours = run.output.split(separator: "\n").dropFirst().compactMap { $0.split(separator: " ").first.flatMap { Int($0) } }
        let theirs = try execute(try #require(tsharkPath), ["-n", "-r", path, "-Y", "tcp.flags.syn == 1 || tcp.flags.fin == 1",
                                                            "-T", "fields", "-e", "frame.number"])
        #expect(!ours.isEmpty)
        #expect(ours == theirs.output.split(separator: "\n").compactMap { Int($0) })
    }
}
