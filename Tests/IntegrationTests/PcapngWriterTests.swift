import Foundation
import LabCapture
import LabPackets
import Testing

/// The pcapng writer, judged twice: by our own reader (`CaptureParser`) and by tshark and
/// capinfos, so the writer and the reader cannot agree on the same mistake unnoticed.
@Suite struct PcapngWriterTests {
    static let section = PcapngSection(
        application: "tcplab 0.3.0",
        comment: "experiment-2 on Linux 6.1.0, link lo (MTU 1500, offloads off)",
        hardware: "x86_64", os: "Linux 6.1.0-18-amd64")

    /// Frames whose lengths hit every padding remainder, with times that need all nine digits.
    static let frames: [CapturedFrame] = [
        CapturedFrame(timestamp: 1_700_000_000_000_000_001, originalLength: 60, bytes: Array(0..<54)),
        CapturedFrame(timestamp: 1_700_000_000_123_456_789, originalLength: 1, bytes: [0xFF]),
        CapturedFrame(timestamp: 1_700_000_001_999_999_999, originalLength: 1514, bytes: Array(repeating: 0xAB, count: 66)),
        CapturedFrame(timestamp: 1_700_000_002_000_000_000, originalLength: 0, bytes: []),
        CapturedFrame(timestamp: 4_000_000_000_000_000_007, originalLength: 3, bytes: [1, 2, 3]),
    ]

    static let comments: [String?] = [
        "SYN: client opens",
        nil,
        "server sends 5 bytes\nclient reads 5 bytes",  // two lines, one opt_comment
        "Ünïcödé ✓ 🎉 e\u{301} 日本語",
        "",  // empty: no comment at all
    ]

    /// What a reader should find for `comments`: nil and "" both mean none.
    static var expectedComments: [String?] { comments.map { $0?.isEmpty == false ? $0 : nil } }

    static func decode(_ bytes: [UInt8]) throws -> [CaptureRecord] {
        var parser = CaptureParser()
        parser.append(bytes)
        var records: [CaptureRecord] = []
        while let record = try parser.next() { records.append(record) }
        try parser.finish()
        #expect(parser.format == .pcapng)
        return records
    }

    /// Checks the framing the reader is lenient about: every block a multiple of 4 bytes, its
    /// length repeated at its end, and the blocks tiling the file exactly.
    static func expectWellFramed(_ bytes: [UInt8]) {
        func u32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        var offset = 0
        while offset + 8 <= bytes.count {
            let length = u32(offset + 4)
            #expect(length % 4 == 0 && length >= 12, "block at \(offset) is \(length) bytes")
            guard length >= 12, offset + length <= bytes.count else { Issue.record("block at \(offset) overruns the file"); return }
            #expect(u32(offset + length - 4) == length, "block at \(offset): trailing length differs")
            offset += length
        }
        #expect(offset == bytes.count)
    }

    /// tshark's `frame.time_epoch`: seconds, a point, all nine digits of nanoseconds.
    static func epochText(_ nanoseconds: Int64) -> String {
        let fraction = String(nanoseconds % 1_000_000_000)
        return "\(nanoseconds / 1_000_000_000)." + String(repeating: "0", count: 9 - fraction.count) + fraction
    }

    static func removeFolder(_ folder: String) { try? FileManager.default.removeItem(atPath: folder) }

    // MARK: - Our own reader

    @Test func framesTimestampsAndCommentsSurviveARoundTripThroughCaptureParser() throws {
        let bytes = PcapngWriter.encode(Self.frames, linkType: .ethernet, snapLength: 262_144,
                                        section: Self.section, comments: Self.comments)
        Self.expectWellFramed(bytes)
        let records = try Self.decode(bytes)
        #expect(records.map(\.frame) == Self.frames)
        #expect(records.map(\.comment) == Self.expectedComments)
        #expect(records.allSatisfy { $0.linkType == .ethernet && $0.interface == 0 })
    }

    @Test func missingCommentEntriesMeanNoComment() throws {
        let records = try Self.decode(PcapngWriter.encode(Self.frames, linkType: .linuxSLL2, snapLength: 0,
                                                          section: Self.section, comments: ["only the first"]))
        #expect(records.map(\.comment) == ["only the first", nil, nil, nil, nil])
        #expect(records.allSatisfy { $0.linkType == .linuxSLL2 })
    }

    @Test(arguments: 0...5, 0...5)
    func everyFrameAndCommentLengthIsPaddedToFourBytes(frameLength: Int, commentLength: Int) throws {
        let frame = CapturedFrame(timestamp: 1_700_000_000_000_000_000 + Int64(frameLength),
                                  originalLength: frameLength + 100, bytes: (0..<frameLength).map { UInt8(0xF0 + $0) })
        let comment = String(repeating: "c", count: commentLength)
        let section = PcapngSection(application: String(repeating: "a", count: frameLength + 1),
                                    comment: String(repeating: "s", count: commentLength))
        let bytes = PcapngWriter.encode([frame, frame], linkType: .raw, snapLength: 65535,
                                        section: section, comments: [comment, comment])
        #expect(bytes.count % 4 == 0)
        Self.expectWellFramed(bytes)
        let records = try Self.decode(bytes)
        #expect(records.map(\.frame) == [frame, frame])
        #expect(records.map(\.comment) == Array(repeating: commentLength == 0 ? nil : comment, count: 2))
    }

    @Test(arguments: ["é", "✓", "🎉", "e\u{301}", "日本語", "ab🎉", "naïve\ncafé"])
    func nonASCIICommentsRoundTrip(comment: String) throws {
        let frame = CapturedFrame(timestamp: 1, originalLength: 2, bytes: [7, 8])
        let records = try Self.decode(PcapngWriter.encode([frame], linkType: .ethernet, snapLength: 0,
                                                          section: Self.section, comments: [comment]))
        #expect(records.first?.comment == comment)
    }

    @Test func aCommentOfExactly65535BytesIsKeptWhole() throws {
        let comment = String(repeating: "€", count: 21_845)  // 3 bytes each: exactly 65535
        let records = try Self.decode(PcapngWriter.encode([Self.frames[0]], linkType: .ethernet, snapLength: 0,
                                                          section: Self.section, comments: [comment]))
        #expect(records.first?.comment == comment)
    }

    @Test func aLongerCommentIsCutAtTheLastWholeCharacterBefore65535Bytes() throws {
        let comment = String(repeating: "é", count: 35_000)  // 2 bytes each: 70000, and 65535 is odd
        let bytes = PcapngWriter.encode([Self.frames[0]], linkType: .ethernet, snapLength: 0,
                                        section: PcapngSection(application: "tcplab", comment: comment), comments: [comment])
        Self.expectWellFramed(bytes)
        let kept = try #require(try Self.decode(bytes).first?.comment)
        #expect(kept.utf8.count == 65_534)
        #expect(kept == String(repeating: "é", count: 32_767))
    }

    // MARK: - tshark and capinfos as oracles

    @Test func tsharkReadsEveryCommentTimestampAndLength() throws {
        let folder = try Repository.temporaryDirectory()
        defer { Self.removeFolder(folder) }
        let path = folder + "/trace.pcapng"
        let long = String(repeating: "é", count: 35_000)
        try PcapngWriter.write(Self.frames, linkType: .ethernet, snapLength: 262_144, section: Self.section,
                               comments: Self.comments.dropLast() + [long], to: path)
        // JSON rather than `-T fields`: fields output escapes a newline in a comment as "\n".
        let run = try execute("tshark", ["-r", path, "-T", "json", "-e", "frame.comment", "-e", "frame.time_epoch",
                                         "-e", "frame.cap_len", "-e", "frame.len", "-e", "frame.interface_name"])
        #expect(run.status == 0, "\(run.error)")
        let packets = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [[String: Any]])
        try #require(packets.count == Self.frames.count)
        for (index, (packet, frame)) in zip(packets, Self.frames).enumerated() {
            let layers = (packet["_source"] as? [String: Any])?["layers"] as? [String: [String]] ?? [:]
            let expected = index == Self.frames.count - 1 ? String(repeating: "é", count: 32_767) : Self.expectedComments[index]
            #expect(layers["frame.comment"]?.joined(separator: "|") == expected, "frame \(index + 1)")
            #expect(layers["frame.time_epoch"] == [Self.epochText(frame.timestamp)], "frame \(index + 1)")
            #expect(layers["frame.cap_len"] == ["\(frame.bytes.count)"])
            #expect(layers["frame.len"] == ["\(frame.originalLength)"])
            #expect(layers["frame.interface_name"] == ["lo"])
        }
    }

    @Test func capinfosShowsTheSectionAndInterface() throws {
        let folder = try Repository.temporaryDirectory()
        defer { Self.removeFolder(folder) }
        let path = folder + "/trace.pcapng"
        try PcapngWriter.write(Self.frames, linkType: .ethernet, snapLength: 262_144, section: Self.section,
                               comments: Self.comments, to: path)
        let run = try execute("capinfos", [path])  // no flags: every report, interfaces included
        #expect(run.status == 0, "\(run.error)")
        let lines = run.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        for line in ["File type:           Wireshark/... - pcapng",
                     "Number of packets:   5",
                     "Capture hardware:    x86_64",
                     "Capture oper-sys:    Linux 6.1.0-18-amd64",
                     "Capture application: tcplab 0.3.0",
                     "Capture comment:     experiment-2 on Linux 6.1.0, link lo (MTU 1500, offloads off)",
                     "Name = lo",
                     "Encapsulation = Ethernet (1 - ether)",
                     "Capture length = 262144",
                     "Time precision = nanoseconds (9)"] {
            #expect(lines.contains(line), "capinfos lacks '\(line)':\n\(run.output)")
        }
    }

    // MARK: - Failing writes

    @Test func writingIntoAMissingFolderThrowsAndLeavesNothing() throws {
        let folder = try Repository.temporaryDirectory()
        defer { Self.removeFolder(folder) }
        let path = folder + "/missing/trace.pcapng"
        let error = #expect(throws: CaptureError.self) {
            try PcapngWriter.write(Self.frames, linkType: .ethernet, snapLength: 0, section: Self.section,
                                   comments: Self.comments, to: path)
        }
        guard case let .write(failed, message) = error else { Issue.record("no write error: \(String(describing: error))"); return }
        #expect(failed == path)
        // The error names the file asked for, not the temporary name it was being written under.
        #expect(message.hasPrefix("open(\(path))") && message.contains("No such file or directory"), "\(message)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    @Test func aFailedRenameRemovesTheTemporaryFile() throws {
        let folder = try Repository.temporaryDirectory()
        defer { Self.removeFolder(folder) }
        // A folder already holds the name: the temporary file is written, then the rename fails.
        let path = folder + "/trace.pcapng"
        try FileManager.default.createDirectory(atPath: path + "/occupied", withIntermediateDirectories: true)
        let error = #expect(throws: CaptureError.self) {
            try PcapngWriter.write(Self.frames, linkType: .ethernet, snapLength: 0, section: Self.section,
                                   comments: Self.comments, to: path)
        }
        guard case let .write(failed, message) = error else { Issue.record("no write error: \(String(describing: error))"); return }
        #expect(failed == path)
        #expect(message.hasPrefix("rename("), "\(message)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["trace.pcapng"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: path) == ["occupied"])
    }
}
