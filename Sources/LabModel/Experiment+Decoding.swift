import LabPackets
import LabSystem

extension Experiment: Decodable {
    /// Where the loader tells the decoder which folder the file is in.
    static let directoryKey = CodingUserInfoKey(rawValue: "tcplab.directory")!

    /// The top-level keys of an experiment file, in the order messages list them.
    enum Key: String, CaseIterable {
        case schema = "$schema", title, lab, trace, port, link, labLink, labListing, server, client, browser, labCode, expect, stepTimeout, deadline, snaplen
    }

    static let keys = Key.allCases.map(\.rawValue)

    /// The UDP port of a run's fence markers, which no experiment may use.
    public static let fencePort: UInt16 = 9

    public init(from decoder: any Decoder) throws {
        let object = try decoder.container(keyedBy: AnyKey.self)
        try object.rejectUnknownKeys(allowed: Self.keys, context: "an experiment")
        name = ""
        title = try object.required("title", context: "an experiment")
        lab = try object.optional("lab") ?? ""
        trace = try object.required("trace", context: "an experiment")
        guard trace.hasSuffix(".pcap"), !trace.contains("/"), trace.count > 5 else {
            throw object.problem("trace", "expected a file name ending in .pcap, such as \"trace2.pcap\", got \"\(trace)\"")
        }
        let port: Int = try object.optional("port") ?? 12345
        guard (1...65535).contains(port), port != Int(Self.fencePort) else {
            throw object.problem("port", "expected a port from 1 to 65535 other than the fence port \(Self.fencePort), got \(port)")
        }
        self.port = UInt16(port)
        link = object.has("link")
            ? try LinkProfile(from: object.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("link"))) : .loopback
        if object.has("labLink") {
            let profile = try LinkProfile(from: object.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("labLink")))
            guard profile.hosts != nil else { throw object.problem("labLink", "the lab's link is two hosts: add \"hosts\": \"two\"") }
            labLink = profile
        }
        if object.has("labListing") {
            labListing = try LabListing(from: object.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("labListing")))
        }
        directory = decoder.userInfo[Self.directoryKey] as? String ?? "."
        (server, client, programs, labCode) = try Self.sides(object, directory: directory)
        expectations = try object.required("expect", context: "an experiment")
        stepTimeout = try object.duration("stepTimeout", max: ExperimentLimits.stepTimeout) ?? .seconds(15)
        guard stepTimeout > .zero else { throw object.problem("stepTimeout", "expected a positive duration such as \"15s\"") }
        if let deadline = try object.duration("deadline") {
            guard deadline > .zero else { throw object.problem("deadline", "expected a positive duration such as \"60s\"") }
            self.deadline = deadline
        }
        let snaplen: Int = try object.optional("snaplen") ?? 262_144
        guard (68...262_144).contains(snaplen) else {
            throw object.problem("snaplen", "expected a capture length from 68 (headers only) to 262144, got \(snaplen)")
        }
        snapLength = snaplen
        if object.has("browser") { browser = try Self.browserVisit(object) }
        try validate(object)
        try checkWebRoots(object)
    }

    /// Each side: its steps, or a program ({"command": [...]}); then the lab's own code, if named.
    private static func sides(_ object: Object, directory: String) throws
        -> (server: [Step], client: [Step], programs: [Direction: Program], labCode: [Direction: Program]) {
        var steps: [Direction: [Step]] = [:]
        var programs: [Direction: Program] = [:]
        var labCode: [Direction: Program] = [:]
        for side in [Direction.server, .client] {
            let key = side.rawValue
            guard object.has(key) else { throw object.problem(nil, "missing key '\(key)' in an experiment") }
            if let script = try? object.decode([Step].self, forKey: AnyKey(key)) {
                steps[side] = script
            } else if (try? object.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey(key))) != nil {
                let program = try object.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey(key))
                try program.rejectUnknownKeys(allowed: ["command"], context: key)
                programs[side] = Program(arguments: try program.command("command"), directory: directory, origin: .experimentFile)
            } else {
                // Decoding again gives the step's own message, with its position.
                steps[side] = try object.decode([Step].self, forKey: AnyKey(key))
            }
        }
        if object.has("labCode") {
            let code = try object.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("labCode"))
            try code.rejectUnknownKeys(allowed: ["server", "client"], context: "labCode")
            for side in Direction.allCases where code.has(side.rawValue) {
                labCode[side] = Program(arguments: try code.command(side.rawValue), directory: directory, origin: .labCode)
            }
            if labCode.isEmpty { throw object.problem("labCode", "name the lab's program for \"server\", \"client\" or both") }
        }
        return (steps[.server] ?? [], steps[.client] ?? [], programs, labCode)
    }

    /// `"browser": {"visit": ["/"], "responses": [3]}`.
    private static func browserVisit(_ object: Object) throws -> BrowserVisit {
        let visit = try object.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("browser"))
        try visit.rejectUnknownKeys(allowed: ["visit", "responses"], context: "browser")
        let paths: [String] = try visit.required("visit", context: "browser")
        let responses: [Int] = try visit.required("responses", context: "browser")
        guard !paths.isEmpty, paths.count == responses.count, paths.allSatisfy({ $0.hasPrefix("/") }),
              responses.allSatisfy({ $0 >= 1 }) else {
            throw visit.problem("visit", "expected paths such as [\"/\"], one count in \"responses\" for each")
        }
        return BrowserVisit(paths: paths, responses: responses)
    }

    /// Checks that need the whole file: each side opens its socket, every barrier names a
    /// step of the other side, and no two expectations contradict each other.
    private func validate(_ object: Object) throws {
        try checkLimits(object)
        for (i, step) in server.enumerated() {
            // The client's wait for the server's close is one step, bounded by stepTimeout; a longer
            // idle timeout could only fail the run, and would keep the server's threads past its deadline.
            if case let .serveHTTP(_, idle) = step.action, idle >= stepTimeout {
                throw SchemaProblem(codingPath: object.codingPath + [AnyKey("server"), AnyKey(index: i), AnyKey("serveHTTP"), AnyKey("idleTimeout")],
                                    message: "the idle timeout (\(formatDuration(idle))) must be shorter than the stepTimeout (\(formatDuration(stepTimeout)))")
            }
        }
        if expectations.count > ExperimentLimits.expectations {
            throw object.problem("expect", "\(expectations.count) expectations, more than \(ExperimentLimits.expectations)")
        }
        try checkSocketsOpen(object)
        for (side, steps, other) in [("server", server, client), ("client", client, server)] {
            for (i, step) in steps.enumerated() {
                guard case let .waitFor(name) = step.action else { continue }
                if !other.contains(where: { $0.name == name }) {
                    let known = other.compactMap(\.name)
                    throw SchemaProblem(codingPath: object.codingPath + [AnyKey(side), AnyKey(index: i), AnyKey("waitFor")],
                                        message: "no \(side == "server" ? "client" : "server") step is named \"\(name)\"" +
                                            (known.isEmpty ? "; give that step a \"name\"" : "; named steps: \(known.joined(separator: ", "))"))
                }
            }
        }
        try validateExpectations(object)
    }

    /// What a side may do at most: steps, seconds of sleep, bytes sent.
    private func checkLimits(_ object: Object) throws {
        for (side, steps) in [("server", server), ("client", client)] {
            if steps.count > ExperimentLimits.steps {
                throw object.problem(side, "\(steps.count) steps, more than the \(ExperimentLimits.steps) a side may have")
            }
            let sleeps = steps.reduce(Duration.zero) { total, step in
                if case let .sleep(d) = step.action { return total + d }
                return total
            }
            if sleeps > ExperimentLimits.sleepTotal {
                throw object.problem(side, "the \(side)'s sleeps add up to \(formatDuration(sleeps)), more than \(formatDuration(ExperimentLimits.sleepTotal))")
            }
            let sent = steps.reduce(0) { total, step in
                switch step.action {
                case let .send(text, times): total + text.utf8.count * times
                case let .stream(n): total + n
                default: total
                }
            }
            if sent > ExperimentLimits.sideBytes {
                throw object.problem(side, "the \(side) would send \(sent) bytes, more than \(ExperimentLimits.sideBytes)")
            }
        }
    }

    /// Each scripted side opens its socket (accept, connect, serveHTTP or fetch) before it uses it.
    private func checkSocketsOpen(_ object: Object) throws {
        for (direction, steps, opener) in [(Direction.server, server, "accept"), (.client, client, "connect")]
            where programs[direction] == nil {
            let side = direction.rawValue
            let opens = { (step: Step) -> Bool in
                switch step.action {
                case .accept, .connect, .serveHTTP, .fetch: true
                default: false
                }
            }
            let first = steps.firstIndex(where: opens)
            let matches = first.map { i -> Bool in
                switch steps[i].action {
                case .accept, .serveHTTP: side == "server"
                case .connect, .fetch: side == "client"
                default: false
                }
            } ?? false
            guard let first, matches else {
                throw object.problem(side, "the \(side) must \(opener) before using its socket; add \"\(opener)\"")
            }
            for (i, step) in steps.enumerated() where i < first && step.usesSocket {
                throw SchemaProblem(codingPath: object.codingPath + [AnyKey(side), AnyKey(index: i)],
                                    message: "\(step.label) comes before \"\(opener)\"; the socket does not exist yet")
            }
        }
    }

    /// A web root must exist when the file is loaded, not when the server first needs it.
    func checkWebRoots(_ object: Object) throws {
        for (i, step) in server.enumerated() {
            guard case let .serveHTTP(root, _) = step.action else { continue }
            let path = resolve(root)
            if !FileSystem.isDirectory(path) {
                throw SchemaProblem(codingPath: object.codingPath + [AnyKey("server"), AnyKey(index: i), AnyKey("serveHTTP"), AnyKey("root")],
                                    message: "no web root at \(path)")
            }
        }
    }

    private func validateExpectations(_ object: Object) throws {
        var rstRule: (Direction?, String)?
        var finRule: ([Direction], String)?
        for e in expectations {
            if case let .rst(from) = e.kind { rstRule = (from, e.path) }
            if case let .finOrder(sides) = e.kind { finRule = (sides, e.path) }
        }
        for e in expectations {
            let refs: [SegmentReference]
            switch e.kind {
            case let .segment(ref, _, _, _, _): refs = [ref]
            case let .gap(from, to, _): refs = [from, to]
            default: continue
            }
            for ref in refs {
                if ref.kind == .rst, let (rst, path) = rstRule, rst != ref.side {
                    throw SchemaProblem(codingPath: object.codingPath + pathKeys(e.path),
                                        message: "refers to \(ref), which contradicts \(path) (rst: \(rst.map(\.rawValue) ?? "none"))")
                }
                if ref.kind == .fin, let (sides, path) = finRule, !sides.contains(ref.side) {
                    throw SchemaProblem(codingPath: object.codingPath + pathKeys(e.path),
                                        message: "refers to \(ref), which contradicts \(path) (no FIN from the \(ref.side))")
                }
            }
        }
    }
}

/// `expect[3]` back to coding keys, for problems found after decoding.
func pathKeys(_ path: String) -> [any CodingKey] {
    var keys: [any CodingKey] = []
    for part in path.split(separator: ".") {
        let pieces = part.split(separator: "[")
        keys.append(AnyKey(String(pieces[0])))
        for index in pieces.dropFirst() { keys.append(AnyKey(index: Int(index.dropLast()) ?? 0)) }
    }
    return keys
}

extension Step {
    var usesSocket: Bool {
        switch action {
        case .sleep, .waitFor: false
        default: true
        }
    }
}

extension Object {
    /// A command as a list of words: the program, then its arguments.
    func command(_ key: String) throws -> [String] {
        guard let words = try? decode([String].self, forKey: AnyKey(key)), let first = words.first, !first.isEmpty else {
            throw problem(key, "expected a command as a list of words, such as [\"python3\", \"server.py\", \"{port}\"]")
        }
        return words
    }
}

extension LinkProfile {
    init(from object: Object) throws {
        if object.has("delay") || object.has("loss") {
            let key = object.has("delay") ? "delay" : "loss"
            throw object.problem(key, "this kernel has no netem, so \(key) cannot be emulated; use \"mtu\", \"offloads\" or a socket option instead", atKey: true)
        }
        if object.has("rate") {
            throw object.problem("rate", "rate shaping (htb) is not supported yet; pin the behaviour with a socket option", atKey: true)
        }
        let two: Bool
        switch try object.optional("hosts", as: String.self) ?? "one" {
        case "one": two = false
        case "two": two = true
        case let other: throw object.problem("hosts", "expected \"one\" (lo) or \"two\" (two namespaces joined by veth), got \"\(other)\"")
        }
        try object.rejectUnknownKeys(allowed: two ? ["hosts", "mtu", "offloads", "client", "server", "capture", "captureInterface"]
                                                  : ["hosts", "mtu", "offloads"], context: "link")
        self.init()
        mtu = try object.optional("mtu")
        if let mtu, !(576...65536).contains(mtu) {
            throw object.problem("mtu", "expected an MTU from 576 to 65536, got \(mtu)")
        }
        offloads = try object.optional("offloads") ?? !two
        guard two else { return }
        // The lab's trace4 machines: two Linux VMs on VirtualBox's NAT network.
        let client = try Host(from: object, key: "client", defaultAddress: IPv4Address(0x0a00_0204))
        let server = try Host(from: object, key: "server", defaultAddress: IPv4Address(0x0a00_020f))
        guard client.address != server.address else {
            throw object.problem("server", "the two hosts need two addresses, but both are \(client.address)")
        }
        let point: String = try object.optional("capture") ?? "client"
        guard let capture = TwoHosts.CapturePoint(rawValue: point) else {
            throw object.problem("capture", "expected \"client\", \"server\" or \"both\": the host whose interface the capture is on, got \"\(point)\"")
        }
        let interface: String = try object.optional("captureInterface") ?? "any"
        guard ["any", TwoHosts.interface].contains(interface) else {
            throw object.problem("captureInterface", "expected \"any\" (Linux cooked capture) or \"\(TwoHosts.interface)\" (Ethernet), got \"\(interface)\"")
        }
        hosts = TwoHosts(client: client, server: server, capture: capture, captureInterface: interface)
    }
}

extension Host {
    init(from object: Object, key: String, defaultAddress: IPv4Address) throws {
        guard object.has(key) else {
            self.init(address: defaultAddress)
            return
        }
        let host = try object.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey(key))
        try host.rejectUnknownKeys(allowed: ["address", "standsFor", "tcp"], context: key)
        var address = defaultAddress
        if let text: String = try host.optional("address") {
            guard let parsed = IPv4Address(text) else { throw host.problem("address", "expected an IPv4 address such as \"10.0.2.15\", got \"\(text)\"") }
            // Traffic stays inside the run's namespaces; an address of this machine's own lo there would
            // be answered by that namespace's lo, not by the other host.
            guard !parsed.isLoopback, parsed != .any, parsed.value >> 28 != 0xe else {
                throw host.problem("address", "expected a unicast address outside 127.0.0.0/8, got \(parsed)")
            }
            address = parsed
        }
        self.init(address: address, standsFor: try host.optional("standsFor"))
        if host.has("tcp") {
            let settings = try host.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("tcp"))
            try settings.rejectUnknownKeys(allowed: ["timestamps", "sack", "windowScaling", "rmem", "wmem"], context: "tcp")
            tcp.timestamps = try settings.optional("timestamps")
            tcp.sack = try settings.optional("sack")
            tcp.windowScaling = try settings.optional("windowScaling")
            for name in ["rmem", "wmem"] {
                guard let values: [Int] = try settings.optional(name) else { continue }
                guard values.count == 3, values[0] >= 1024, values[0] <= values[1], values[1] <= values[2], values[2] <= 1 << 30 else {
                    throw settings.problem(name, "expected [min, default, max] in bytes, rising, from 1024 to 1 GiB, such as [4096, 131072, 6291456]")
                }
                if name == "rmem" { tcp.rmem = values } else { tcp.wmem = values }
            }
        }
    }
}

extension LabListing {
    init(from object: Object) throws {
        try object.rejectUnknownKeys(allowed: ["trace", "rows", "complete", "source"], context: "labListing")
        trace = try object.required("trace", context: "labListing")
        complete = try object.optional("complete") ?? true
        source = try object.optional("source")
        let texts: [String] = try object.required("rows", context: "labListing")
        guard !texts.isEmpty, texts.count <= ExperimentLimits.expectations else {
            throw object.problem("rows", "expected from 1 to \(ExperimentLimits.expectations) rows")
        }
        rows = []
        for (i, text) in texts.enumerated() {
            guard let row = Row(text) else {
                throw SchemaProblem(codingPath: object.codingPath + [AnyKey("rows"), AnyKey(index: i)],
                                    message: "expected a row such as \"client [SYN] Seq=0 Win=64240 Len=0 MSS=1460 SACK_PERM …\", got \"\(text)\"")
            }
            rows.append(row)
        }
    }
}
