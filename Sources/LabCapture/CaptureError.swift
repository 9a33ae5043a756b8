/// A capture that could not start, or whose trace cannot be trusted.
public enum CaptureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// libpcap refused to open or configure the device (`pcap_activate: ...`).
    case pcap(call: String, message: String)
    /// The capture cannot vouch that it holds every packet of the run.
    case incomplete(String)
    case write(path: String, message: String)
    /// A `--filter` libpcap cannot compile: what it said, and what the filter takes.
    case filter(text: String, message: String)

    public var description: String {
        switch self {
        case let .pcap(call, message): "\(call): \(message)"
        case let .incomplete(why): "capture incomplete: \(why)"
        case let .write(path, message): "\(path): \(message)"
        case let .filter(text, message):
            "--filter '\(text)': \(message); it takes a BPF expression as tcpdump does (host 10.0.2.4, port 12345, "
                + "tcp[tcpflags] & tcp-syn != 0) and the words \(PacketFilter.words.keys.sorted().joined(separator: ", ")), "
                + "joined by and, or, not" + (PacketFilter.bpfEquivalent(ofDisplayFilter: text).map {
                    "; for Wireshark's display filter '\(text)' write '\($0)'" } ?? "")
        }
    }

    /// True when the cause is missing privilege rather than a fault.
    public var isPermission: Bool {
        if case let .pcap(_, message) = self {
            return message.contains("permission") || message.contains("Operation not permitted")
        }
        return false
    }
}
