import LabModel
import LabPackets

/// What a run's connections showed, reduced to what a lesson is about: the data segments each
/// way, and who sent FIN or RST in what order. Runs with the same pattern did the same thing;
/// pure ACKs and timings, which vary from run to run, are left out.
public struct WirePattern: Hashable, Sendable, CustomStringConvertible {
    public struct ConnectionShape: Hashable, Sendable {
        public var client: [Int]
        public var server: [Int]
        /// FIN and RST in the order sent: "client FIN", "server RST".
        public var closes: [String]
    }

    public var connections: [ConnectionShape]

    public init(connections: [Connection], port: UInt16?) {
        self.connections = connections.filter { port == nil || $0.server.port == port }.map { c in
            // Each byte once: a retransmission repeats data already counted.
            func sizes(_ side: Direction) -> [Int] { c.segments(from: side).filter(\.carriesNewData).map(\.length) }
            var closes: [String] = []
            for s in c.segments {
                let mark = s.flags.contains(.rst) ? "RST" : s.flags.contains(.fin) ? (s.length > 0 ? "FIN on its data" : "FIN") : nil
                if let mark, !closes.contains("\(s.from) \(mark)") { closes.append("\(s.from) \(mark)") }
            }
            return ConnectionShape(client: sizes(.client), server: sizes(.server), closes: closes)
        }
    }

    /// "client 20 bytes in one segment; server: four 5-byte segments; client FIN first, then server FIN".
    public var description: String {
        if connections.isEmpty { return "no connection" }
        return connections.enumerated().map { i, c in
            let prefix = connections.count > 1 ? "connection \(i + 1): " : ""
            let close = c.closes.isEmpty ? "no FIN or RST" : c.closes.joined(separator: ", then ")
            return prefix + "client \(Self.segments(c.client)); server \(Self.segments(c.server)); \(close)\(Self.gloss(c.closes))"
        }.joined(separator: "; ")
    }

    /// Why a side reset, as Linux decides it (RFC 2525 §2.17): a close with data unread, or data
    /// arriving after the close.
    static func gloss(_ closes: [String]) -> String {
        for side in Direction.allCases where closes.contains("\(side) RST") {
            return closes.contains("\(side) FIN") || closes.contains("\(side) FIN on its data")
                ? " (the \(side) closed, then more data reached its closed socket)"
                : " (the \(side) closed with data unread)"
        }
        return ""
    }

    /// "four 5-byte segments", "one 13000-byte segment", "segments of 5, 15 bytes", "no data".
    static func segments(_ sizes: [Int]) -> String {
        guard let first = sizes.first else { return "no data" }
        if sizes.allSatisfy({ $0 == first }) {
            return "\(count(sizes.count)) \(first)-byte segment\(sizes.count == 1 ? "" : "s")"
        }
        if let last = sizes.last, sizes.count > 2, sizes.dropLast().allSatisfy({ $0 == first }), last < first {
            return "\(count(sizes.count - 1)) \(first)-byte segments, then one of \(last)"
        }
        return "\(sizes.count) segments of \(abbreviated(sizes.map(String.init), limit: 10)) bytes (\(sizes.reduce(0, +)) in all)"
    }

    static func count(_ n: Int) -> String {
        let words = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
        return n < words.count ? words[n] : "\(n)"
    }
}

/// Runs grouped by the pattern they produced, most frequent first, each with the trace of its
/// first run kept as an example.
public struct PatternHistogram: Sendable {
    public struct Entry: Sendable {
        public var pattern: WirePattern
        public var runs: [Int]
        public var passed: Int
        public var example: String?
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    /// Adds a run; true when its pattern is new, so the caller keeps its trace as the example.
    @discardableResult
    public mutating func add(_ pattern: WirePattern, attempt: Int, passed: Bool) -> Bool {
        if let i = entries.firstIndex(where: { $0.pattern == pattern }) {
            entries[i].runs.append(attempt)
            if passed { entries[i].passed += 1 }
            return false
        }
        entries.append(Entry(pattern: pattern, runs: [attempt], passed: passed ? 1 : 0, example: nil))
        return true
    }

    public mutating func setExample(_ path: String, for pattern: WirePattern) {
        if let i = entries.firstIndex(where: { $0.pattern == pattern }) { entries[i].example = path }
    }

    /// `experiment-2: 2 patterns in 20 runs:` then one line per pattern, counts right-aligned.
    public func lines(_ name: String, of runs: Int) -> [String] {
        let width = String(sorted.first?.runs.count ?? 0).count
        return ["\(name): \(entries.count) pattern\(entries.count == 1 ? "" : "s") in \(runs) runs:"]
            + sorted.map { "  " + String(repeating: " ", count: width - String($0.runs.count).count) + row($0) }
    }

    /// One line per pattern, most frequent first: `17× … (passed) — e.g. traces/trace2-pattern1.pcap`.
    public var rows: [String] { sorted.map(row) }

    private var sorted: [Entry] { entries.sorted { $0.runs.count > $1.runs.count } }

    private func row(_ e: Entry) -> String {
        let verdict = e.passed == e.runs.count ? "passed" : e.passed == 0 ? "failed" : "\(e.passed) passed"
        return "\(e.runs.count)× \(e.pattern) (\(verdict))" + (e.example.map { " — e.g. \($0)" } ?? "")
    }
}
