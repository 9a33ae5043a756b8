/// A coding key for any string, so decoders can list and reject keys they do not know.
struct AnyKey: CodingKey, Hashable {
    var stringValue: String
    var intValue: Int?
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { self.init(index: intValue) }
    init(index: Int) { stringValue = "\(index)"; intValue = index }
}

/// A value that decoded but makes no sense: a negative size, an unknown flag, a key
/// that does not belong. `atKey` points the message at the key instead of its value.
struct SchemaProblem: Error {
    var codingPath: [any CodingKey]
    var message: String
    var atKey = false
}

typealias Object = KeyedDecodingContainer<AnyKey>

extension Object {
    func problem(_ key: String?, _ message: String, atKey: Bool = false) -> SchemaProblem {
        SchemaProblem(codingPath: codingPath + (key.map { [AnyKey($0)] } ?? []), message: message, atKey: atKey)
    }

    var keyNames: [String] { allKeys.map(\.stringValue) }

    func has(_ key: String) -> Bool { contains(AnyKey(key)) }

    func rejectUnknownKeys(allowed: [String], context: String) throws {
        for key in allKeys where !allowed.contains(key.stringValue) {
            var message = "unknown key '\(key.stringValue)' in \(context)"
            if let guess = closest(to: key.stringValue, in: allowed) { message += " (did you mean '\(guess)'?)" }
            else { message += "; allowed: \(allowed.joined(separator: ", "))" }
            throw problem(key.stringValue, message, atKey: true)
        }
    }

    func optional<T: Decodable>(_ key: String, as type: T.Type = T.self) throws -> T? {
        try decodeIfPresent(T.self, forKey: AnyKey(key))
    }

    func required<T: Decodable>(_ key: String, as type: T.Type = T.self, context: String) throws -> T {
        guard has(key) else { throw problem(nil, "missing key '\(key)' in \(context)") }
        return try decode(T.self, forKey: AnyKey(key))
    }

    func positive(_ key: String, what: String = "byte count", max: Int? = nil) throws -> Int? {
        guard let value = try optional(key, as: Int.self) else { return nil }
        guard value > 0 else { throw problem(key, "expected a positive \(what), got \(value)") }
        if let max, value > max { throw problem(key, "expected a \(what) of at most \(max), got \(value)") }
        return value
    }

    /// A positive byte count, or "announced" for whatever the receiver's MSS allows.
    func segmentSize(_ key: String) throws -> SegmentSize? {
        if let word = try? decodeIfPresent(String.self, forKey: AnyKey(key)) {
            guard word == "announced" else { throw problem(key, "expected a segment size in bytes or \"announced\", got \"\(word)\"") }
            return .announced
        }
        return try positive(key, what: "segment size").map(SegmentSize.bytes)
    }

    func duration(_ key: String, max: Duration = ExperimentLimits.duration) throws -> Duration? {
        guard let text = try optional(key, as: String.self) else { return nil }
        let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
        guard let value = parseDuration(text) else {
            if text.first.map({ $0.isNumber }) == true, ["s", "ms", "us", "µs", "ns"].contains(where: text.hasSuffix) {
                throw problem(key, "expected a duration of at most \(formatDuration(max)), got \"\(shown)\"")
            }
            throw problem(key, "expected a duration such as \"5s\" or \"40ms\", got \"\(shown)\"")
        }
        guard value <= max else { throw problem(key, "expected a duration of at most \(formatDuration(max)), got \"\(shown)\"") }
        return value
    }

    func side(_ key: String) throws -> Direction? {
        guard let text = try optional(key, as: String.self) else { return nil }
        guard let side = Direction(rawValue: text) else {
            throw problem(key, "expected \"client\" or \"server\", got \"\(text)\"")
        }
        return side
    }

    func reference(_ key: String, _ text: String) throws -> SegmentReference {
        guard let ref = SegmentReference(parsing: text) else {
            throw problem(key, "cannot read segment \"\(text)\"; write it as \"server data 2\", \"client fin\", \"client syn\", \"server rst\" or \"server last\"")
        }
        return ref
    }
}

import LabPackets

/// The closest allowed word within an edit distance of 3, for "did you mean".
/// Levenshtein distance, ignoring case.
func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    var row = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var previous = row[0]
        row[0] = i
        for j in stride(from: 1, through: b.count, by: 1) {
            let saved = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1].lowercased() == b[j - 1].lowercased() ? 0 : 1))
            previous = saved
        }
    }
    return a.isEmpty ? b.count : row[b.count]
}

/// The candidate within three edits of `word` (and fewer edits than it has letters), for "did you mean".
public func closest(to word: String, in candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(Array(word), Array($0))) }.min { $0.1 < $1.1 }
    guard let (best, score) = scored, score <= 3, score < word.count else { return nil }
    return best
}
