/// Where each key and value of a JSON document starts, by path.
///
/// Foundation's JSONDecoder reports a coding path but no position, and a student needs
/// `file:line:col` to find a mistake; no maintained package maps one to the other, so this
/// small parser does. It also rejects syntax errors with their position, before decoding.
public struct JSONLocator: Sendable {
    public struct Location: Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var column: Int
        public var description: String { "\(line):\(column)" }
    }

    public struct SyntaxError: Error, Sendable, Equatable {
        public var location: Location
        public var message: String
    }

    private(set) var values: [String: Location] = [:]
    private(set) var keys: [String: Location] = [:]
    /// Keys in document order per object path, for "did you mean" and duplicate checks.
    private(set) var objectKeys: [String: [String]] = [:]

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var lineStart = 0

    public init(_ text: String) throws(SyntaxError) {
        bytes = Array(text.utf8)
        skipWhitespace()
        guard index < bytes.count else { throw SyntaxError(location: location, message: "the file is empty") }
        try parseValue(path: "", depth: 1)
        skipWhitespace()
        if index < bytes.count { throw error("unexpected '\(character)' after the top-level value") }
    }

    /// The position of the value at a dotted path such as `server[1].recv`; for a path that
    /// does not exist, that of its nearest existing parent.
    public func location(of path: String) -> Location {
        var path = path
        while true {
            if let found = values[path] { return found }
            guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { return values[""] ?? Location(line: 1, column: 1) }
            path = String(path[..<cut])
        }
    }

    public func locationOfKey(_ path: String) -> Location { keys[path] ?? location(of: path) }

    static func join(_ parent: String, key: String) -> String { parent.isEmpty ? key : "\(parent).\(key)" }

    private var location: Location { Location(line: line, column: index - lineStart + 1) }

    private var character: String {
        index < bytes.count ? String(decoding: [bytes[index]], as: UTF8.self) : "end of file"
    }

    private func error(_ message: String) -> SyntaxError { SyntaxError(location: location, message: message) }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\n"): line += 1; index += 1; lineStart = index
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): index += 1
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(SyntaxError) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { throw error("expected \(what), found '\(character)'") }
        index += 1
    }

    private mutating func parseValue(path: String, depth: Int) throws(SyntaxError) {
        skipWhitespace()
        values[path] = location
        guard index < bytes.count else { throw error("expected a value, found end of file") }
        // The parser recurses once per level: a bound keeps a hostile file from overflowing the stack.
        if depth > ExperimentLimits.depth, bytes[index] == UInt8(ascii: "{") || bytes[index] == UInt8(ascii: "[") {
            throw error("nested deeper than \(ExperimentLimits.depth) levels")
        }
        switch bytes[index] {
        case UInt8(ascii: "{"): try parseObject(path: path, depth: depth)
        case UInt8(ascii: "["): try parseArray(path: path, depth: depth)
        case UInt8(ascii: "\""): _ = try parseString()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try parseNumber()
        default:
            for literal in ["true", "false", "null"] where bytes[index...].starts(with: literal.utf8) {
                index += literal.utf8.count
                return
            }
            throw error("expected a value, found '\(character)'")
        }
    }

    private mutating func parseObject(path: String, depth: Int) throws(SyntaxError) {
        index += 1
        skipWhitespace()
        var seen: [String] = []
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; objectKeys[path] = seen; return }
        while true {
            skipWhitespace()
            let keyLocation = location
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a key in double quotes, found '\(character)'") }
            let key = try parseString()
            if seen.contains(key) { throw SyntaxError(location: keyLocation, message: "duplicate key '\(key)'") }
            seen.append(key)
            keys[Self.join(path, key: key)] = keyLocation
            try expect(UInt8(ascii: ":"), "':' after key '\(key)'")
            try parseValue(path: Self.join(path, key: key), depth: depth + 1)
            skipWhitespace()
            guard index < bytes.count else { throw error("expected ',' or '}', found end of file") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; break }
            throw error("expected ',' or '}', found '\(character)'")
        }
        objectKeys[path] = seen
    }

    private mutating func parseArray(path: String, depth: Int) throws(SyntaxError) {
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return }
        var element = 0
        while true {
            try parseValue(path: "\(path)[\(element)]", depth: depth + 1)
            element += 1
            skipWhitespace()
            guard index < bytes.count else { throw error("expected ',' or ']', found end of file") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return }
            throw error("expected ',' or ']', found '\(character)'")
        }
    }

    private mutating func parseString() throws(SyntaxError) -> String {
        let start = location
        index += 1
        var scalars: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { index += 1; return String(decoding: scalars, as: UTF8.self) }
            if scalars.count > ExperimentLimits.stringBytes {
                throw SyntaxError(location: start, message: "a string longer than \(ExperimentLimits.stringBytes) bytes")
            }
            if byte == UInt8(ascii: "\n") { break }
            if byte == UInt8(ascii: "\\") {
                index += 1
                guard index < bytes.count else { break }
                if bytes[index] == UInt8(ascii: "u") { index += 4 }  // positions only; the decoder reads the value
            }
            scalars.append(byte)
            index += 1
        }
        throw SyntaxError(location: start, message: "unterminated string")
    }

    private mutating func parseNumber() throws(SyntaxError) {
        let start = index
        let startLocation = location
        while index < bytes.count, "+-0123456789.eE".utf8.contains(bytes[index]) { index += 1 }
        if index == start + 1, bytes[start] == UInt8(ascii: "-") { throw error("expected a digit after '-'") }
        // Foundation's decoder would refuse the whole file without a position.
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if let value = Double(text), !value.isFinite {
            throw SyntaxError(location: startLocation, message: "the number \(text.prefix(40)) is out of range")
        }
    }
}
