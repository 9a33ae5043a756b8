import LabPackets
import LabSystem

/// The key that names what an expectation checks, in the order messages list them.
enum ExpectationKey: String, CaseIterable {
    case handshake, connections, data, payload, segment, finOrder, rst, gap, request, response, requests, responses,
         responseSegments
}

extension Expectation: Decodable {
    static let kindKeys = ExpectationKey.allCases.map(\.rawValue)
    /// The keys any expectation may have besides its kind's.
    static let commonKeys = ["connection", "why", "clients", "hosts", "runsOnly", "labCodeDiffers"]

    public init(from decoder: any Decoder) throws {
        let object = try decoder.container(keyedBy: AnyKey.self)
        path = renderPath(decoder.codingPath)
        let present = Self.kindKeys.filter(object.has)
        guard present.count == 1, let key = present.first.flatMap(ExpectationKey.init(rawValue:)) else {
            if present.isEmpty {
                let unknown = object.keyNames.first { !Self.commonKeys.contains($0) }
                if let unknown, let guess = closest(to: unknown, in: Self.kindKeys) {
                    throw object.problem(unknown, "unknown expectation '\(unknown)' (did you mean '\(guess)'?)", atKey: true)
                }
                throw object.problem(nil, "an expectation needs one of: \(Self.kindKeys.joined(separator: ", "))")
            }
            throw object.problem(present[1], "one expectation checks one thing, but this one has \(present.joined(separator: " and "))", atKey: true)
        }
        if (try? object.decode(String.self, forKey: AnyKey("connection"))) == "each" {
            connection = Self.eachWithData
        } else {
            connection = try object.positive("connection", what: "connection number") ?? 1
        }
        why = try object.optional("why")
        if object.has("runsOnly") {
            guard let reason: String = try object.optional("runsOnly"), !reason.allSatisfy(\.isWhitespace) else {
                throw object.problem("runsOnly", "say why the expectation holds only for tcplab's own runs, e.g. \"TCP_QUICKACK=0 forces the delayed ACK\"")
            }
            runsOnly = reason
        }
        if object.has("labCodeDiffers") {
            guard let reason: String = try object.optional("labCodeDiffers"), !reason.allSatisfy(\.isWhitespace) else {
                throw object.problem("labCodeDiffers", "say why the lab's own code does not give this pattern, e.g. \"without TCP_CORK the FIN leaves after the data\"")
            }
            labCodeDiffers = reason
        }
        if let only: [String] = try object.optional("clients") {
            let kinds = only.compactMap(ClientKind.init(rawValue:))
            guard !only.isEmpty, kinds.count == only.count else {
                throw object.problem("clients", "expected a list of \"inprocess\" and \"browser\", got \(only)")
            }
            clients = kinds
        }
        if let only: [String] = try object.optional("hosts") {
            let kinds = only.compactMap(HostsChoice.init(rawValue:))
            guard !only.isEmpty, kinds.count == only.count else {
                throw object.problem("hosts", "expected a list of \"lo\" (one host) and \"lab\" (two hosts), got \(only)")
            }
            hosts = kinds
        }
        let (kind, keys) = try Self.kind(key, in: object, directory: decoder.userInfo[Experiment.directoryKey] as? String ?? ".")
        self.kind = kind
        try object.rejectUnknownKeys(allowed: [key.rawValue] + Self.commonKeys + keys, context: "a \(key.rawValue) expectation")
    }

    /// The kind the expectation's key names, decoded, and the keys that kind may have besides its own.
    static func kind(_ key: ExpectationKey, in object: Object, directory: String) throws -> (Kind, [String]) {
        let name = key.rawValue
        switch key {
        case .handshake:
            guard try object.decode(Bool.self, forKey: AnyKey(name)) else {
                throw object.problem(name, "write \"handshake\": true, or leave the expectation out")
            }
            return (.handshake, [])
        case .connections:
            guard let n = try object.positive(name, what: "connection count") else { throw object.problem(name, "expected a count") }
            return (.connections(n), [])
        case .responseSegments:
            guard let count = try object.positive(name, what: "segment count") else { throw object.problem(name, "expected a count") }
            let request: String = try object.required("for", context: "responseSegments")
            return (.responseSegments(request: request, count: count, mss: try object.segmentSize("mss")), ["for", "mss"])
        case .requests:
            return (.requests(try object.decode([String].self, forKey: AnyKey(name))), [])
        case .responses:
            let codes = try object.decode([Int].self, forKey: AnyKey(name))
            if let bad = codes.first(where: { !(100...599).contains($0) }) {
                throw object.problem(name, "expected HTTP statuses from 100 to 599, got \(bad)")
            }
            return (.statuses(codes), [])
        case .request:
            let line: String = try object.decode(String.self, forKey: AnyKey(name))
            guard line.split(separator: " ", omittingEmptySubsequences: false).count == 3 else {
                throw object.problem(name, "expected a request line such as \"GET / HTTP/1.1\", got \"\(line)\"")
            }
            return (.request(line), [])
        case .response: return (try decodeResponse(object, directory: directory), ["file"])
        case .data: return (try decodeData(object), ["sizes", "count", "total", "mss"])
        case .payload: return (try decodePayload(object), ["text", "upperOf", "sameAs", "repeat"])
        case .segment: return (try decodeSegment(object), ["flags", "seq", "ack", "len"])
        case .finOrder: return (try decodeFinOrder(object), [])
        case .rst:
            let word = try object.decode(String.self, forKey: AnyKey(name))
            if word == "none" { return (.rst(from: nil), []) }
            guard let side = Direction(rawValue: word) else { throw object.problem(name, "expected \"client\", \"server\" or \"none\", got \"\(word)\"") }
            return (.rst(from: side), [])
        case .gap: return (try decodeGap(object), ["about", "atLeast", "atMost"])
        }
    }

    static func decodeResponse(_ object: Object, directory: String) throws -> Kind {
        let status = try object.decode(Int.self, forKey: AnyKey("response"))
        guard (100...599).contains(status) else { throw object.problem("response", "expected an HTTP status from 100 to 599, got \(status)") }
        var body: [UInt8]?
        let file: String? = try object.optional("file")
        if let file {
            let path = file.hasPrefix("/") ? file : directory + "/" + file
            guard let bytes = try? FileSystem.contents(of: path) else { throw object.problem("file", "cannot read \(path)") }
            body = bytes
        }
        return .response(status: status, body: body, bodyName: file)
    }

    static func decodeSegment(_ object: Object) throws -> Kind {
        let name = "segment"
        let ref = try object.reference(name, try object.decode(String.self, forKey: AnyKey(name)))
        var flags: TCPFlags?
        if let text = try object.optional("flags", as: String.self) {
            do { flags = try TCPFlags(parsing: text) } catch {
                guard case let .invalid(_, _, _, detail) = error else { throw object.problem("flags", error.description) }
                throw object.problem("flags", detail)
            }
        }
        let checks = ["flags", "seq", "ack", "len"].filter(object.has)
        guard !checks.isEmpty else { throw object.problem(name, "say what to check on \(ref): flags, seq, ack or len") }
        return .segment(ref, flags: flags, seq: try object.optional("seq"), ack: try object.optional("ack"), len: try object.optional("len"))
    }

    static func decodeFinOrder(_ object: Object) throws -> Kind {
        let name = "finOrder"
        let words = try object.decode([String].self, forKey: AnyKey(name))
        var sides: [Direction] = []
        for word in words {
            guard let side = Direction(rawValue: word) else { throw object.problem(name, "expected \"client\" or \"server\", got \"\(word)\"") }
            guard !sides.contains(side) else { throw object.problem(name, "\(side) is listed twice; each side sends one FIN") }
            sides.append(side)
        }
        return .finOrder(sides)
    }

    static func decodeGap(_ object: Object) throws -> Kind {
        let name = "gap"
        let ends = try object.decode([String].self, forKey: AnyKey(name))
        guard ends.count == 2 else { throw object.problem(name, "expected two segments, [from, to], got \(ends.count)") }
        let window = TimeWindow(atLeast: try object.duration("atLeast"), atMost: try object.duration("atMost"),
                                about: try object.duration("about"))
        if window.about != nil && (window.atLeast != nil || window.atMost != nil) {
            throw object.problem("about", "\"about\" already sets both bounds; drop atLeast/atMost")
        }
        if let l = window.atLeast, let m = window.atMost, l > m {
            throw object.problem("atMost", "contradicts atLeast: \(formatDuration(m)) < \(formatDuration(l))")
        }
        guard window.about != nil || window.atLeast != nil || window.atMost != nil else {
            throw object.problem(name, "a gap needs about, atLeast or atMost")
        }
        return .gap(from: try object.reference(name, ends[0]), to: try object.reference(name, ends[1]), window: window)
    }

    static func decodeData(_ object: Object) throws -> Kind {
        guard let from = try object.side("data") else { throw object.problem("data", "expected \"client\" or \"server\", got null") }
        let sizes: [Int]? = try object.optional("sizes")
        if let sizes {
            guard !sizes.isEmpty else { throw object.problem("sizes", "an empty list; to expect no data write \"count\": 0") }
            if let bad = sizes.first(where: { $0 <= 0 }) {
                throw object.problem("sizes", "expected positive segment sizes, got \(bad)")
            }
        }
        let count: Int? = try object.optional("count")
        if let count, count < 0 { throw object.problem("count", "expected a count of 0 or more, got \(count)") }
        let total: Int? = try object.optional("total")
        if let total, total < 0 { throw object.problem("total", "expected a byte total of 0 or more, got \(total)") }
        if let sizes, let count, sizes.count != count {
            throw object.problem("count", "contradicts sizes: \(count) segments, but sizes lists \(sizes.count)")
        }
        if let sizes, let total, sizes.reduce(0, +) != total {
            throw object.problem("total", "contradicts sizes: \(total) bytes, but sizes add up to \(sizes.reduce(0, +))")
        }
        let mss = try object.segmentSize("mss")
        if case let .bytes(mss)? = mss, let sizes, sizes.dropLast().contains(where: { $0 != mss }) || (sizes.last ?? 0) > mss {
            throw object.problem("mss", "contradicts sizes: not all but the last are \(mss) bytes")
        }
        guard sizes != nil || count != nil || total != nil || mss != nil else {
            throw object.problem("data", "say what to check: sizes, count, total or mss")
        }
        return .data(from: from, sizes: sizes, count: count, total: total, mss: mss)
    }

    static func decodePayload(_ object: Object) throws -> Kind {
        guard let from = try object.side("payload") else { throw object.problem("payload", "expected \"client\" or \"server\", got null") }
        let sources = ["text", "upperOf", "sameAs"].filter(object.has)
        guard sources.count == 1 else {
            throw object.problem("payload", "give exactly one of text, upperOf or sameAs")
        }
        if sources[0] == "text" {
            guard let text: String = try object.optional("text") else { throw object.problem("text", "expected a string, got null") }
            if object.has("repeat") { throw object.problem("repeat", "write the whole text instead of repeat") }
            return .payload(from: from, equals: .text(text))
        }
        let key = sources[0]
        guard let other = try object.side(key) else { throw object.problem(key, "expected \"client\" or \"server\", got null") }
        guard other != from else { throw object.problem(key, "compare \(from)'s bytes with the other side's") }
        let times = try object.positive("repeat", what: "repeat count") ?? 1
        return .payload(from: from, equals: .transformOf(other, key == "upperOf" ? .upper : .same, repeat: times))
    }
}

public func renderPath(_ codingPath: [any CodingKey]) -> String {
    var out = ""
    for key in codingPath {
        if let i = key.intValue { out += "[\(i)]" } else { out += out.isEmpty ? key.stringValue : ".\(key.stringValue)" }
    }
    return out
}
