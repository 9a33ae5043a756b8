import FoundationEssentials
import LabModel

/// Why a JSON file tcplab reads back (a shard's record, a student's tcplab.json) could not be
/// decoded, in a few words: where decoding stopped, from the decoder's own account, or the line
/// and column where the text stops being JSON.
enum JSONReason {
    static func of(_ error: any Error, in bytes: [UInt8]) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, context):
            return "no \"\(key.stringValue)\" at \(place(context.codingPath))"
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
            return "\(place(context.codingPath)): \(context.debugDescription)"
        case let DecodingError.dataCorrupted(context):
            guard context.codingPath.isEmpty else { return "\(place(context.codingPath)): \(context.debugDescription)" }
            do { _ = try JSONLocator(String(decoding: bytes, as: UTF8.self)) } catch { return "line \(error.location): \(error.message)" }
            return "not valid JSON"
        default:
            return "\(error)"
        }
    }

    /// "codeGrades[0].student", or "the top" for the document itself.
    static func place(_ keys: [any CodingKey]) -> String { keys.isEmpty ? "the top" : renderPath(keys) }
}
