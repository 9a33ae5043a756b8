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
        guard let dead = pcap_open_dead(Int32(linkType.rawValue), Int32(snapLength)) else {
            throw .pcap(call: "pcap_open_dead", message: "cannot compile filters for \(linkType)")
        }
        defer { pcap_close(dead) }
        if pcap_compile(dead, &program, expression, 1, PCAP_NETMASK_UNKNOWN) != 0 {
            throw .pcap(call: "filter '\(text)'", message: String(cString: pcap_geterr(dead)))
        }
    }

    deinit { pcap_freecode(&program) }

    /// Whether the frame whose captured bytes these are passes the filter.
    public func matches(_ bytes: UnsafeRawBufferPointer, originalLength: Int) -> Bool {
        var header = pcap_pkthdr()
        header.caplen = UInt32(bytes.count)
        header.len = UInt32(clamping: originalLength)
        return pcap_offline_filter(&program, &header, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)) != 0
    }
}
