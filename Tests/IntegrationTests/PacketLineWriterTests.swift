import Foundation
import LabCapture
import LabPackets
import LabReport
import Testing

/// `show`'s fast packet list writes bytes straight into a buffer; it must print exactly what
/// `PacketRow.line` prints, on every capture the tests hold and on damaged copies of them.
@Suite struct PacketLineWriterTests {
    static let fixtures = Repository.root + "/Tests/IntegrationTests/Fixtures"

    static var captures: [String] {
        let found = FileManager.default.enumerator(atPath: fixtures)?.compactMap { $0 as? String } ?? []
        return found.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
    }

    /// Both ways, over the same frames: (rows by PacketRow, rows by the writer).
    static func both(_ frames: [(CapturedFrame, LinkType)]) -> (String, String) {
        var analyzer = ConversationAnalyzer(retainSegments: false)
        var rows = PacketRowBuilder(), writer = PacketLineWriter()
        var slow = "", fast = ByteBuffer()
        for (i, (frame, linkType)) in frames.enumerated() {
            let packet = Packet.decode(frame, number: i + 1, linkType: linkType)
            let segment = analyzer.add(packet, index: i)
            slow += rows.row(packet, segment).line + "\n"
            writer.write(packet, segment, into: &fast)
        }
        return (slow, fast.withBytes { String(decoding: $0, as: UTF8.self) })
    }

    static func frames(_ path: String) -> [(CapturedFrame, LinkType)] {
        var frames: [(CapturedFrame, LinkType)] = []
        try? CaptureFileReader.read(path) { frames.append(($0.frame, $0.linkType)) }
        return frames
    }

    @Test func theFixturesHaveCaptures() {
        #expect(Self.captures.count >= 50, "\(Self.captures.count) captures under Fixtures")
    }

    @Test(arguments: captures)
    func theFastListIsThePacketRowsByteForByte(_ file: String) {
        let (slow, fast) = Self.both(Self.frames(Self.fixtures + "/" + file))
        #expect(!slow.isEmpty)
        if slow != fast {
            let a = slow.split(separator: "\n"), b = fast.split(separator: "\n")
            let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }
            Issue.record("\(file): first difference at row \(first.map { $0.offset + 1 } ?? min(a.count, b.count) + 1)\n  rows:   \(first?.element.0 ?? "")\n  writer: \(first?.element.1 ?? "")")
        }
    }

    /// Four damaged copies of each of the first 30 frames: a byte among the first 80 flipped,
    /// and half of them cut short after it.
    static func damaged(_ frames: [(CapturedFrame, LinkType)], using generator: inout some RandomNumberGenerator) -> [(CapturedFrame, LinkType)] {
        var damaged: [(CapturedFrame, LinkType)] = []
        for (frame, linkType) in frames.prefix(30) {
            for _ in 0..<4 {
                var copy = frame
                let limit = min(copy.bytes.count, 80)
                guard limit > 0 else { continue }
                let at = Int.random(in: 0..<limit, using: &generator)
                copy.bytes[copy.bytes.startIndex + at] ^= UInt8.random(in: 1...255, using: &generator)
                if Bool.random(using: &generator) { copy.bytes.removeLast(Int.random(in: 0...copy.bytes.count - at, using: &generator)) }
                damaged.append((copy, linkType))
            }
        }
        return damaged
    }

    /// Damaged frames: every byte of each frame's headers flipped in turn, and frames cut short,
    /// so malformed packets, odd options and non-TCP rows take the same text both ways.
    @Test func damagedFramesPrintTheSameBothWays() {
        var generator = SystemRandomNumberGenerator()
        var checked = 0
        for file in Self.captures.prefix(40) {
            let frames = Self.frames(Self.fixtures + "/" + file)
            guard !frames.isEmpty else { continue }
            let damaged = Self.damaged(frames, using: &generator)
            let (slow, fast) = Self.both(damaged)
            #expect(slow == fast, "\(file), damaged")
            checked += damaged.count
        }
        #expect(checked > 1000)
    }
}
