import LabPackets
import LabSystem

/// Why a capture file could not be read to the end.
public enum CaptureFileError: Error, Sendable, CustomStringConvertible {
    /// The file cannot be opened. Exit 66.
    case unreadable(path: String, SystemError)
    /// The file is not a capture, or is cut short or corrupt. Exit 2, tshark's code for a file it
    /// cannot read to the end (65 is a malformed experiment file).
    case malformed(path: String, DecodeError)

    public var description: String {
        switch self {
        case let .unreadable(path, error): "\(path): \(SystemError.describe(error.errno))"
        case let .malformed(path, error): "\(path): \(error)"
        }
    }

    public var exitCode: Int32 {
        switch self {
        case .unreadable: 66
        case .malformed: 2
        }
    }
}

/// Streams a pcap or pcapng file from disk through `CaptureParser`, a chunk at a time.
public enum CaptureFileReader {
    /// Bytes per `read`: large enough that the syscalls cost nothing, small enough that a
    /// chunk is still in the cache when the decoder reaches it.
    static let chunkSize = 1 << 20

    /// Calls `body` with each record in file order, read in place: its bytes are valid only
    /// during the call. Records read before an error are delivered; the error then says where
    /// the file went wrong.
    public static func scan(_ path: String, _ body: (CaptureRecordView) throws -> Void) throws {
        let file: FileReader
        do { file = try FileReader(path: path) } catch { throw CaptureFileError.unreadable(path: path, error) }
        try read(file) { parser in try parser.forEachRecord(body) }
    }

    /// Reads `file` into a parser a chunk at a time, and lets `body` take the whole records out
    /// after each chunk; at the end, anything left over is a truncated record. The parser's
    /// errors, from `body` too, become `CaptureFileError`s naming the file.
    static func read(_ file: FileReader, _ body: (inout CaptureParser) throws -> Void) throws {
        var parser = CaptureParser()
        while true {
            // Read straight into the parser's buffer: no chunk is copied on its way in.
            let added: Int
            do { added = try parser.refill(capacity: chunkSize) { (space) throws(SystemError) in try file.read(into: space) } }
            catch { throw CaptureFileError.unreadable(path: file.path, error) }
            if added == 0 { break }
            do {
                try body(&parser)
            } catch let error as DecodeError {
                throw CaptureFileError.malformed(path: file.path, error)
            }
        }
        do { try parser.finish() } catch { throw CaptureFileError.malformed(path: file.path, error) }
    }

    /// The same, each record copied out to keep.
    public static func read(_ path: String, _ body: (CaptureRecord) throws -> Void) throws {
        try scan(path) { try body($0.record) }
    }
}
