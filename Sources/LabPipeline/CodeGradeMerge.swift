import FoundationEssentials
import LabModel
import LabReport
import LabSystem

/// `grade --code --merge A.json B.json …`: the shards' `--json` records as one run over the whole
/// class would have written them. Each student is graded whole in one shard, so its rows are kept
/// together and in their order; the students are put back in the order a class folder gives them.
public enum CodeGradeMerge {
    /// Reads every record; a file that is missing is exit 66, one given twice 64, one that is not a
    /// code-grade record, one written by another tcplab, and a student graded in two of them 65.
    public static func read(_ files: [String]) throws(CommandFailure) -> [CodeGrade] {
        var tool: (label: String, file: String)?
        var owner: [String: String] = [:]
        var grades: [CodeGrade] = []
        var given: [String: String] = [:]
        for file in files {
            guard FileManager.default.fileExists(atPath: file) else { throw GradePipeline.missing(file) }
            // One shard named twice would count its students twice, each time by the same file.
            let real = (try? FileSystem.realPath(file)) ?? file
            if let earlier = given[real] { throw CommandFailure("\(file): given twice (as \(earlier) too): name each shard's file once", exitCode: 64) }
            given[real] = file
            let bytes: [UInt8]
            do { bytes = try FileSystem.contents(of: file) } catch {
                throw CommandFailure("\(file): cannot read it: \(SystemError.describe(error.errno))", exitCode: 66)
            }
            let record: CodeGradeRecord
            do { record = try JSONDecoder().decode(CodeGradeRecord.self, from: Data(bytes)) } catch {
                throw CommandFailure("\(file): not a grade --code --json record: \(Self.reason(error, bytes))", exitCode: 65)
            }
            if let tool, tool.label != record.tool {
                throw CommandFailure("\(file): written by \(record.tool), but \(tool.file) by \(tool.label): grade every shard with one release", exitCode: 65)
            }
            tool = tool ?? (record.tool, file)
            for g in record.codeGrades {
                if let other = owner[g.student], other != file {
                    throw CommandFailure("\(file): student \(g.student) is graded in \(other) too: each student belongs to one shard", exitCode: 65)
                }
                owner[g.student] = file
            }
            grades += record.codeGrades
        }
        // Stable: a student's experiments stay in the order their shard ran them.
        return grades.enumerated().sorted { a, b in
            a.element.student == b.element.student ? a.offset < b.offset : naturalOrder(a.element.student, b.element.student)
        }.map(\.element)
    }

    /// Where in the file decoding stopped, in a few words, from the decoder's own account.
    static func reason(_ error: any Error, _ bytes: [UInt8]) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, context):
            return "no \"\(key.stringValue)\" at \(path(context.codingPath))"
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        case let DecodingError.dataCorrupted(context):
            guard context.codingPath.isEmpty else { return "\(path(context.codingPath)): \(context.debugDescription)" }
            do { _ = try JSONLocator(String(decoding: bytes, as: UTF8.self)) } catch { return "line \(error.location): \(error.message)" }
            return "not valid JSON"
        default:
            return "\(error)"
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        guard !keys.isEmpty else { return "the top" }
        let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return text.hasPrefix(".") ? String(text.dropFirst()) : text
    }
}
