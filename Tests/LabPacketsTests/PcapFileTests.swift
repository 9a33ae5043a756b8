import LabTestSupport
import Testing
@testable import LabPackets

@Suite struct PcapFileTests {
    /// A one-record pcap file in the given byte order and precision.
    static func file(littleEndian: Bool, nanosecond: Bool, record: [UInt8] = [1, 2, 3, 4]) -> [UInt8] {
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

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func readsBothByteOrdersAndPrecisions(littleEndian: Bool, nanosecond: Bool) throws {
        let pcap = try PcapFile(bytes: Self.file(littleEndian: littleEndian, nanosecond: nanosecond))
        #expect(pcap.linkType == .ethernet && pcap.snapLength == 262_144 && pcap.nanosecond == nanosecond)
        #expect(pcap.frames.count == 1)
        #expect(pcap.frames[0].timestamp == 10_000_000_000 + (nanosecond ? 500 : 500_000))
        #expect(pcap.frames[0].originalLength == 60 && pcap.frames[0].bytes == [1, 2, 3, 4])
    }

    @Test func everyTruncationThrowsInsteadOfTrapping() {
        let whole = Self.file(littleEndian: true, nanosecond: false)
        for length in 0..<whole.count where length != 24 {  // 24 bytes is a valid empty file
            #expect(throws: DecodeError.self, "prefix of \(length) bytes") { try PcapFile(bytes: Array(whole.prefix(length))) }
        }
        #expect((try? PcapFile(bytes: Array(whole.prefix(24))))?.frames.isEmpty == true)
    }

    @Test func rejectsAnAbsurdRecordLength() {
        var bytes = Self.file(littleEndian: false, nanosecond: false)
        bytes[32..<36] = [0x7f, 0xff, 0xff, 0xff]  // incl_len
        #expect(throws: DecodeError.self) { try PcapFile(bytes: bytes) }
    }

    @Test func rejectsAFileThatIsNotPcap() {
        #expect(throws: DecodeError.invalid(layer: "pcap", field: "magic_number", offset: 0,
                                            detail: "0x3c68746d is not a pcap file")) {
            try PcapFile(bytes: Array("<html></html>".utf8) + [UInt8](repeating: 0, count: 20))
        }
    }
}
