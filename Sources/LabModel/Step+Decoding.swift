import LabPackets
import LabSystem

/// The key that names a step's action, in the order messages list them.
enum StepKey: String, CaseIterable {
    case accept, connect, close, send, sendBack, recv, recvUntil, echoLoop, sleep, setsockopt, waitFor, shutdown,
         serveHTTP, fetch, stream, drain, awaitUnread
}

extension Step: Decodable {
    static let actionKeys = StepKey.allCases.map(\.rawValue)

    public init(from decoder: any Decoder) throws {
        if let word = try? decoder.singleValueContainer().decode(String.self) {
            switch word {
            case "accept": action = .accept
            case "connect": action = .connect
            case "close": action = .close
            default:
                let guess = closest(to: word, in: ["accept", "connect", "close"]).map { " (did you mean \"\($0)\"?)" } ?? ""
                throw SchemaProblem(codingPath: decoder.codingPath,
                                    message: "unknown step \"\(word)\"\(guess); a step is \"accept\", \"connect\", \"close\" or an object such as {\"recv\": 1024}")
            }
            return
        }
        let object = try decoder.container(keyedBy: AnyKey.self)
        let present = Self.actionKeys.filter(object.has)
        guard present.count == 1, let key = present.first.flatMap(StepKey.init(rawValue:)) else {
            if present.isEmpty {
                let unknown = object.keyNames.first { !["name", "expectError", "repeat", "value"].contains($0) }
                if let unknown, let guess = closest(to: unknown, in: Self.actionKeys) {
                    throw object.problem(unknown, "unknown step '\(unknown)' (did you mean '\(guess)'?)", atKey: true)
                }
                throw object.problem(nil, "a step needs one action: \(Self.actionKeys.joined(separator: ", "))")
            }
            throw object.problem(present[1], "one step has one action, but this one has \(present.joined(separator: " and "))", atKey: true)
        }
        name = try object.optional("name")
        expectError = try object.optional("expectError")
        if let expectError, Errno.code(forSymbol: expectError) == nil {
            throw object.problem("expectError", "unknown error \"\(expectError)\"; use a name such as ECONNRESET or EPIPE")
        }
        let keys: [String]
        (action, keys) = try Self.action(key, in: object)
        try object.rejectUnknownKeys(allowed: [key.rawValue, "name", "expectError"] + keys, context: "a \(key.rawValue) step")
    }

    /// The action the step's key names, decoded, and the keys it may have besides its own.
    static func action(_ key: StepKey, in object: Object) throws -> (Action, [String]) {
        switch key {
        case .accept: return (.accept, [])
        case .connect: return (.connect, [])
        case .close: return (.close, [])
        case .send:
            let text: String = try object.required("send", context: "send")
            let times = try object.positive("repeat", what: "repeat count", max: ExperimentLimits.repeatCount) ?? 1
            guard text.utf8.count * times <= ExperimentLimits.callBytes else {
                throw object.problem("repeat", "one send of \(text.utf8.count) bytes × \(times) is more than \(ExperimentLimits.callBytes) bytes; use \"stream\" for bulk data")
            }
            return (.send(text: text, repeat: times), ["repeat"])
        case .sendBack:
            return (.sendBack(try transform(object, "sendBack"),
                              repeat: try object.positive("repeat", what: "repeat count", max: ExperimentLimits.repeatCount) ?? 1), ["repeat"])
        case .recv:
            guard let n = try object.positive("recv", max: ExperimentLimits.callBytes) else { throw object.problem("recv", "expected a positive byte count") }
            return (.recv(n), [])
        case .recvUntil:
            if let word = try? object.decode(String.self, forKey: AnyKey("recvUntil")) {
                guard word == "eof" else { throw object.problem("recvUntil", "expected a byte count or \"eof\", got \"\(word)\"") }
                return (.recvUntil(nil), [])
            }
            return (.recvUntil(try object.positive("recvUntil", max: ExperimentLimits.callBytes)), [])
        case .stream:
            guard let n = try object.positive("stream", max: ExperimentLimits.streamBytes) else { throw object.problem("stream", "expected a positive byte count") }
            return (.stream(n), [])
        case .awaitUnread:
            guard let n = try object.positive("awaitUnread", max: ExperimentLimits.callBytes) else { throw object.problem("awaitUnread", "expected a positive byte count") }
            return (.awaitUnread(n), [])
        case .drain:
            guard try object.optional("drain", as: String.self) == "eof" else { throw object.problem("drain", "expected \"eof\"") }
            return (.drain, [])
        case .echoLoop: return (try echoLoop(object), [])
        case .sleep:
            guard let d = try object.duration("sleep") else { throw object.problem("sleep", "expected a duration") }
            return (.sleep(d), [])
        case .setsockopt: return (try setOption(object), ["value"])
        case .waitFor:
            return (.waitFor(try object.required("waitFor", context: "waitFor")), [])
        case .serveHTTP:
            let site = try object.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("serveHTTP"))
            try site.rejectUnknownKeys(allowed: ["root", "idleTimeout"], context: "serveHTTP")
            return (.serveHTTP(root: try site.required("root", context: "serveHTTP"), idleTimeout: try site.duration("idleTimeout") ?? .seconds(1)), [])
        case .fetch:
            let path: String = try object.required("fetch", context: "fetch")
            guard path.hasPrefix("/"), !path.contains(" ") else {
                throw object.problem("fetch", "expected a path such as \"/favicon.ico\", got \"\(path)\"")
            }
            return (.fetch(path), [])
        case .shutdown:
            let word: String = try object.required("shutdown", context: "shutdown")
            guard let how = ShutdownHow(rawValue: word) else {
                throw object.problem("shutdown", "expected \"read\", \"write\" or \"both\", got \"\(word)\"")
            }
            return (.shutdown(how), [])
        }
    }

    /// `{"setsockopt": "TCP_NODELAY", "value": 1}`.
    static func setOption(_ object: Object) throws -> Action {
        let name: String = try object.required("setsockopt", context: "setsockopt")
        guard let option = SocketOption(rawValue: name) else {
            let known = SocketOption.allCases.map(\.rawValue).joined(separator: ", ")
            throw object.problem("setsockopt", "unknown option \"\(name)\"; known: \(known)")
        }
        return .setOption(option, try object.required("value", context: "setsockopt"))
    }

    /// `{"echoLoop": {"recv": 5, "send": "upper", "repeat": 1, "sleepBeforeRecv": "5s"}}`.
    static func echoLoop(_ object: Object) throws -> Action {
        let loop = try object.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("echoLoop"))
        try loop.rejectUnknownKeys(allowed: ["recv", "send", "repeat", "sleepBeforeRecv"], context: "echoLoop")
        guard let n = try loop.positive("recv", max: ExperimentLimits.callBytes) else { throw loop.problem(nil, "echoLoop needs \"recv\": the bytes each read asks for") }
        let times = try loop.positive("repeat", what: "repeat count", max: ExperimentLimits.repeatCount) ?? 1
        guard n * times <= ExperimentLimits.callBytes else {
            throw loop.problem("repeat", "each reply could be \(n) bytes × \(times), more than \(ExperimentLimits.callBytes) bytes in one send")
        }
        return .echoLoop(recv: n, transform: try transform(loop, "send", default: .same), repeat: times,
                         sleepBeforeRecv: try loop.duration("sleepBeforeRecv"))
    }

    static func transform(_ object: Object, _ key: String, default fallback: Transform? = nil) throws -> Transform {
        guard let text = try object.optional(key, as: String.self) else {
            if let fallback { return fallback }
            throw object.problem(key, "expected \"upper\" or \"same\"")
        }
        guard let t = Transform(rawValue: text) else {
            throw object.problem(key, "expected \"upper\" or \"same\", got \"\(text)\"")
        }
        return t
    }
}
