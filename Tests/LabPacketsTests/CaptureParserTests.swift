import LabTestSupport
import Testing
@testable import LabPackets

@Suite struct CaptureParserTests {
    /// Reads every record of `bytes`, fed in pieces of `chunk` bytes; `finish` included.
    static func records(_ bytes: [UInt8], chunk: Int = 1 << 20) throws(DecodeError) -> [CaptureRecord] {
        var parser = CaptureParser()
        var out: [CaptureRecord] = []
        var offset = 0
        repeat {
            parser.append(Array(bytes[offset..<min(bytes.count, offset + chunk)]))
            offset += chunk
            while let record = try parser.next() { out.append(record) }
        } while offset < bytes.count
        try parser.finish()
        return out
    }

    /// A one-record pcap file in the given byte order and precision.
    static func pcap(littleEndian: Bool, nanosecond: Bool, record: [UInt8] = [1, 2, 3, 4]) -> [UInt8] {
        func u32(_ v: UInt32) -> [UInt8] { littleEndian ? FrameBuilder.be32(v).reversed() : FrameBuilder.be32(v) }
        func u16(_ v: UInt16) -> [UInt8] { littleEndian ? FrameBuilder.be16(v).reversed() : FrameBuilder.be16(v) }
        return u32(nanosecond ? 0xa1b2_3c4d : 0xa1b2_c3d4)  // magic_number
            + u16(2) + u16(4)  // version_major, version_minor
            + u32(0) + u32(0)  // thiszone, sigfigs
            + u32(262_144) + u32(1)  // snaplen, network (EN10MB)
            + u32(10) + u32(500)  // ts_sec, ts_usec
            + u32(UInt32(record.count)) + u32(60)  // incl_len, orig_len
            + record
    }

    /// A pcapng file: SHB, an IDB with if_tsresol = 10^-9, and one EPB with a comment.
    static func pcapng() -> [UInt8] {
        func le32(_ v: UInt32) -> [UInt8] { FrameBuilder.be32(v).reversed() }
        func le16(_ v: UInt16) -> [UInt8] { FrameBuilder.be16(v).reversed() }
        func block(_ type: UInt32, _ body: [UInt8]) -> [UInt8] {
            let length = UInt32(12 + body.count)
            return le32(type) + le32(length) + body + le32(length)  // block_type, block_total_length, body, trailer
        }
        let shb = block(0x0a0d_0d0a, le32(0x1a2b_3c4d) + le16(1) + le16(0) + [UInt8](repeating: 0xff, count: 8))
        let idb = block(1, le16(1) + le16(0) + le32(0)  // linktype EN10MB, reserved, snaplen
            + le16(9) + le16(1) + [9, 0, 0, 0]  // if_tsresol: 10^-9, padded
            + le16(0) + le16(0))  // opt_endofopt
        let comment = Array("hi".utf8)
        let epb = block(6, le32(0) + le32(0) + le32(1_500_000_000)  // interface 0, ts high/low
            + le32(4) + le32(4) + [1, 2, 3, 4]  // captured_len, original_len, data
            + le16(1) + le16(UInt16(comment.count)) + comment + [0, 0]  // opt_comment, padded
            + le16(0) + le16(0))
        return shb + idb + epb
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func readsPcapInBothByteOrdersAndPrecisions(littleEndian: Bool, nanosecond: Bool) throws {
        let records = try Self.records(Self.pcap(littleEndian: littleEndian, nanosecond: nanosecond))
        #expect(records.count == 1)
        #expect(records[0].linkType == .ethernet)
        #expect(records[0].frame.timestamp == 10_000_000_000 + (nanosecond ? 500 : 500_000))
        #expect(records[0].frame.originalLength == 60 && Array(records[0].frame.bytes) == [1, 2, 3, 4])
    }

    @Test func readsPcapngWithItsResolutionAndComments() throws {
        let records = try Self.records(Self.pcapng())
        #expect(records.count == 1)
        #expect(records[0].frame.timestamp == 1_500_000_000)
        #expect(records[0].comment == "hi")
        #expect(Array(records[0].frame.bytes) == [1, 2, 3, 4])
    }

    @Test(arguments: [1, 3, 7, 16])
    func recordsSplitAcrossChunksReadTheSame(chunk: Int) throws {
        #expect(try Self.records(Self.pcapng(), chunk: chunk).map(\.comment) == ["hi"])
        #expect(try Self.records(Self.pcap(littleEndian: true, nanosecond: false), chunk: chunk).count == 1)
    }

    @Test func everyTruncationThrowsInsteadOfTrapping() {
        // Prefixes that end on a block boundary are whole (empty) files: the pcap header alone;
        // the SHB, or SHB and IDB, of the pcapng file.
        for (whole, boundaries) in [(Self.pcap(littleEndian: true, nanosecond: false), [24]), (Self.pcapng(), [28, 60])] {
            for length in 1..<whole.count where !boundaries.contains(length) {
                let prefix = Array(whole.prefix(length))
                #expect(throws: DecodeError.self, "prefix of \(length) bytes") { _ = try Self.records(prefix) }
            }
        }
    }

    @Test func blockBoundariesAreWholeFiles() throws {
        #expect(try Self.records(Array(Self.pcapng().prefix(60))).isEmpty)
        #expect(try Self.records(Array(Self.pcap(littleEndian: true, nanosecond: false).prefix(24))).isEmpty)
    }

    @Test func rejectsAnAbsurdRecordLength() {
        var bytes = Self.pcap(littleEndian: false, nanosecond: false)
        bytes[32..<36] = [0x7f, 0xff, 0xff, 0xff]  // incl_len
        #expect(throws: DecodeError.self) { _ = try Self.records(bytes) }
    }

    @Test func rejectsAFileThatIsNeitherPcapNorPcapng() {
        #expect(throws: DecodeError.invalid(layer: "file", field: "magic", offset: 0,
                                            detail: "0x3c68746d is neither pcap nor pcapng")) {
            _ = try Self.records(Array("<html></html>".utf8) + [UInt8](repeating: 0, count: 20))
        }
    }
}
