import CPcap
import LabPackets

/// A display filter: a BPF expression compiled by libpcap for the file's link type, or one
/// of a few words students reach for first (`syn`, `fin`, `rst`, `push`, `ack`), which
/// expand to BPF. Like Wireshark's display filter it hides packets but never changes the
/// analysis, so frame numbers and relative numbers stay those of the whole file.
public final class PacketFilter {
    public let expression: String
    private var program = bpf_program()
    private let linkType: LinkType

    static let words = ["syn": "tcp-syn", "fin": "tcp-fin", "rst": "tcp-rst", "push": "tcp-push", "ack": "tcp-ack"]

    /// Rewrites the shorthand words into BPF: "port 80 and syn" → "port 80 and (tcp[tcpflags] & tcp-syn != 0)".
    public static func bpf(from text: String) -> String {
        text.split(separator: " ").map { word in
            words[word.lowercased()].map { "(tcp[tcpflags] & \($0) != 0)" } ?? String(word)
        }.joined(separator: " ")
    }

    public init(_ text: String, linkType: LinkType, snapLength: Int = 262_144) throws(CaptureError) {
        expression = Self.bpf(from: text)
        self.linkType = linkType
        // libpcap compiles for a DLT, and a file's LINKTYPE_RAW (101) is DLT_RAW to it, as it is
        // when libpcap reads such a file itself; the other link types tcplab reads share their numbers.
        let dlt = [.raw, .rawBSD, .rawOpenBSD].contains(linkType) ? DLT_RAW : Int32(linkType.rawValue)
        guard let dead = pcap_open_dead(dlt, Int32(snapLength)) else {
            throw .pcap(call: "pcap_open_dead", message: "cannot compile filters for \(linkType)")
        }
        defer { pcap_close(dead) }
        if pcap_compile(dead, &program, expression, 1, PCAP_NETMASK_UNKNOWN) != 0 {
            throw .filter(text: text, message: "libpcap: " + String(cString: pcap_geterr(dead)))
        }
    }

    deinit { pcap_freecode(&program) }

    /// The filter a student who knows Wireshark types, in BPF, for the fields BPF can say:
    /// `tcp.port == 80 && tcp.flags.syn == 1` → `port 80 and syn`. Nil when a part has no equal.
    public static func bpfEquivalent(ofDisplayFilter text: String) -> String? {
        var words = displayFilterTokens(text)
        var out: [String] = []
        var translated = false
        while !words.isEmpty {
            let word = words.removeFirst()
            if ["and", "or", "not", "(", ")"].contains(word.lowercased()) { out.append(word.lowercased()); continue }
            if ["tcp", "ip", "ipv6", "udp"].contains(word) { out.append(word); continue }
            var value = "1"
            var negated = false
            if words.count >= 2, ["==", "eq", "!=", "ne"].contains(words[0]) {
                negated = words[0] == "!=" || words[0] == "ne"
                value = words[1]
                words.removeFirst(2)
            }
            guard let clause = bpfClause(field: word, value: value) else { return nil }
            out.append(negated ? "not \(clause)" : clause)
            translated = true
        }
        guard translated else { return nil }
        var joined = ""
        for (i, token) in out.enumerated() {
            if i > 0, token != ")", out[i - 1] != "(" { joined += " " }
            joined += token
        }
        return joined
    }

    /// Words, with `&&` `||` `!` read as and, or, not, and `==` `!=` split out however spaced.
    static func displayFilterTokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var word = ""
        var chars = Array(text)[...]
        func flush() { if !word.isEmpty { tokens.append(word); word = "" } }
        while let c = chars.popFirst() {
            let pair = chars.first.map { String([c, $0]) } ?? ""
            switch pair {
            case "&&", "||", "==", "!=":
                flush()
                chars = chars.dropFirst()
                tokens.append(["&&": "and", "||": "or"][pair] ?? pair)
                continue
            default: break
            }
            if c == " " { flush() } else if c == "!" || c == "(" || c == ")" {
                flush()
                tokens.append(c == "!" ? "not" : String(c))
            } else { word.append(c) }
        }
        flush()
        return tokens
    }

    private static func bpfClause(field: String, value: String) -> String? {
        let flags = ["tcp.flags.syn": "syn", "tcp.flags.fin": "fin", "tcp.flags.reset": "rst", "tcp.flags.push": "push", "tcp.flags.ack": "ack"]
        if let word = flags[field] {
            return value == "1" || value == "true" ? word : value == "0" || value == "false" ? "not \(word)" : nil
        }
        let prefixes = ["tcp.port": "tcp port", "tcp.srcport": "tcp src port", "tcp.dstport": "tcp dst port",
                        "udp.port": "udp port", "udp.srcport": "udp src port", "udp.dstport": "udp dst port",
                        "ip.addr": "host", "ip.src": "src host", "ip.dst": "dst host",
                        "ipv6.addr": "host", "ipv6.src": "src host", "ipv6.dst": "dst host"]
        guard let prefix = prefixes[field], value != "1" else { return nil }
        return "\(prefix) \(value)"
    }

    /// Whether the frame whose captured bytes these are passes the filter.
    public func matches(_ bytes: UnsafeRawBufferPointer, originalLength: Int) -> Bool {
        var header = pcap_pkthdr()
        header.caplen = UInt32(bytes.count)
        header.len = UInt32(clamping: originalLength)
        return pcap_offline_filter(&program, &header, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)) != 0
    }
}

/// One `--filter` for every link type a file's records have, compiled for each as it first
/// appears (a pcapng file can mix them).
public struct PacketFilters {
    public let text: String
    private var compiled: [LinkType: PacketFilter] = [:]

    public init(_ text: String) { self.text = text }

    /// Whether the record passes the filter.
    public mutating func pass(_ record: CaptureRecordView) throws(CaptureError) -> Bool {
        let filter: PacketFilter
        if let known = compiled[record.linkType] {
            filter = known
        } else {
            filter = try PacketFilter(text, linkType: record.linkType)
            compiled[record.linkType] = filter
        }
        return filter.matches(record.bytes, originalLength: record.originalLength)
    }
}
