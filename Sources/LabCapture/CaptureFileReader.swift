import LabPackets
import LabSystem

/// Why a capture file could not be read to the end.
public enum CaptureFileError: Error, Sendable, CustomStringConvertible {
    /// The file cannot be opened. Exit 66.
    case unreadable(path: String, SystemError)
    /// The file is not a capture, or is cut short or corrupt. Exit 65.
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
        case .malformed: 65
        }
    }
}

/// Streams a pcap or pcapng file from disk through `CaptureParser`, a chunk at a time.
public enum CaptureFileReader {
    /// Calls `body` with each record in file order. Records read before an error are
    /// delivered; the error then says where the file went wrong.
    public static func read(_ path: String, _ body: (CaptureRecord) throws -> Void) throws {
        let file: FileReader
        do { file = try FileReader(path: path) } catch { throw CaptureFileError.unreadable(path: path, error) }
        var parser = CaptureParser()
        while true {
            // Read straight into the parser's buffer: no chunk is copied on its way in.
            let added: Int
            do { added = try parser.refill(capacity: 4 << 20) { (space) throws(SystemError) in try file.read(into: space) } }
            catch { throw CaptureFileError.unreadable(path: path, error) }
            if added == 0 { break }
            do {
                while let record = try parser.next() { try body(record) }
            } catch let error as DecodeError {
                throw CaptureFileError.malformed(path: path, error)
            }
        }
        do { try parser.finish() } catch { throw CaptureFileError.malformed(path: path, error) }
    }
}
