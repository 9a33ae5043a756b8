import LabPackets

/// The lab's own packet listing of a trace, as Wireshark's Info column shows it, so a run can
/// be measured against it row by row.
public struct LabListing: Sendable, Equatable {
    /// The lab trace it comes from ("trace1").
    public var trace: String
    public var rows: [Row]
    /// True when the rows are the listing itself from the first SYN on; false when they are
    /// rows the handout quotes, which a run must show in that order but not back to back.
    public var complete: Bool
    /// Where the rows come from, when not from the lab's own capture.
    public var source: String?

    public struct Row: Sendable, Equatable, CustomStringConvertible {
        public var from: Direction
        /// Wireshark's flag names, in its order: "SYN, ACK".
        public var flags: String
        public var seq: UInt32?
        public var ack: UInt32?
        public var len: Int?
        public var win: Int?
        public var mss: Int?
        /// The options after MSS as Wireshark names them (SACK_PERM, TSval, WS=128), when listed.
        public var options: [String]?
        /// The listing ends the options with "…": more may follow the ones named.
        public var moreOptions: Bool
        /// As the experiment file writes it.
        public var text: String

        public var description: String { text }

        /// `client [SYN] Seq=0 Win=64240 Len=0 MSS=1460 SACK_PERM …`: the sender, Wireshark's
        /// flags in brackets, then Info's fields in any order.
        public init?(_ text: String) {
            self.text = text
            guard let open = text.firstIndex(of: "["), let close = text.firstIndex(of: "]"), open < close,
                  let side = Direction(rawValue: text[..<open].filter { $0 != " " }) else { return nil }
            from = side
            flags = String(text[text.index(after: open)..<close])
            guard (try? TCPFlags(parsing: flags)) != nil else { return nil }
            moreOptions = false
            var options: [String] = []
            for word in text[text.index(after: close)...].split(separator: " ") {
                let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
                let number = parts.count == 2 ? Int(parts[1]) : nil
                switch parts[0] {
                case "Seq": guard let n = number, let v = UInt32(exactly: n) else { return nil }; seq = v
                case "Ack": guard let n = number, let v = UInt32(exactly: n) else { return nil }; ack = v
                case "Len": guard let n = number, n >= 0 else { return nil }; len = n
                case "Win": guard let n = number, n >= 0 else { return nil }; win = n
                case "MSS": guard let n = number, n > 0 else { return nil }; mss = n
                case "…", "...": moreOptions = true
                case "SACK_PERM", "TSval", "TSecr", "WS", "SACK", "NOP": options.append(String(word))
                default: return nil
                }
            }
            self.options = options.isEmpty && !moreOptions ? nil : options
        }

        /// Whether the listed options name the SYN's options: TSval/TSecr and WS stand for their
        /// option whatever its value, unless the listing gives one.
        public func optionsMatch(_ names: [String]) -> Bool {
            guard let options else { return true }
            func kind(_ name: String) -> String { String(name.split(separator: "=").first ?? "") }
            let listed = options.filter { $0 != "TSecr" }
            let seen = names.filter { !$0.hasPrefix("TSecr") }
            if moreOptions {
                return listed.allSatisfy { want in seen.contains { $0 == want || kind($0) == want } }
            }
            return listed.count == seen.count && zip(listed, seen).allSatisfy { $0 == $1 || kind($1) == $0 }
        }
    }
}
