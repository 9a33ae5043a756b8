import Foundation
import LabSystem
import Testing

/// The one write-everything loop under every file LabSystem writes: all the bytes arrive, in
/// order, across buffer flushes, and a failed write is an error that names the file.
@Suite struct WriteAllTests {
    /// More than one flush's worth (1 MiB), and not a multiple of any buffer size.
    static let bytes = (0..<(3 << 20) + 123).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }

    @Test func aFileGetsEveryByte() throws {
        let path = try Repository.temporaryDirectory() + "/out.bin"
        try FileOutput.write(Self.bytes, toFile: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(Self.bytes))
    }

    @Test func anAtomicFileGetsEveryByteAcrossFlushes() throws {
        let path = try Repository.temporaryDirectory() + "/atomic.bin"
        let writer = try AtomicFileWriter(path)
        for start in stride(from: 0, to: Self.bytes.count, by: 700_001) {
            try writer.append(Array(Self.bytes[start..<min(start + 700_001, Self.bytes.count)]))
        }
        try writer.commit()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(Self.bytes))
    }

    @Test func aSpillFileGivesBackEveryRecordAcrossFlushes() throws {
        let spill = try SpillFile()
        let records = (0..<40_000).map { ("label \($0)", String(repeating: "x", count: $0 % 97)) }
        for (a, b) in records { try spill.append(record: a, b) }
        var back: [(String, String)] = []
        try spill.readRecords { back.append(($0, $1)) }
        #expect(back.count == records.count)
        #expect(zip(back, records).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 })
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full"), "no /dev/full to fail a write"))
    func aFailedWriteNamesTheCallAndTheFile() {
        #expect {
            try FileOutput.write(Self.bytes, toFile: "/dev/full")
        } throws: { error in
            guard let error = error as? SystemError else { return false }
            return error.call == "write" && error.subject == "/dev/full" && error.errno == ENOSPC
        }
    }
}
