import LabPackets

/// One sentence about one packet, or about a group of packets that share a cause.
public struct Explanation: Sendable, Equatable, Codable {
    public var packets: [Int]
    public var text: String

    /// How the sentence that puts a segment down to Nagle's algorithm begins, for a reader that
    /// looks for it (`RunResult.mergedSendsCause`).
    static let nagleLead = "Likely Nagle's algorithm"

    public init(packets: [Int], text: String) {
        self.packets = packets
        self.text = text
    }

    /// `5`, or `20–29` for a group.
    public var packetLabel: String {
        guard let first = packets.first, let last = packets.last else { return "" }
        return first == last ? "\(first)" : "\(first)–\(last)"
    }

    /// The explanation after the packet list: one line per sentence, under its packet numbers.
    public static func render(_ explanations: [Explanation]) -> String {
        let width = explanations.map(\.packetLabel.count).max() ?? 0
        return explanations.map { line(label: $0.packetLabel, text: $0.text, width: width) }.joined(separator: "\n")
    }

    /// One line of `render`, its label right-aligned in a column `width` characters wide.
    public static func line(label: String, text: String, width: Int) -> String {
        String(repeating: " ", count: max(0, width - label.count)) + label + "  " + text
    }
}

extension Direction {
    var title: String { self == .client ? "Client" : "Server" }
}

/// "40 ms", "5.0 s", "120 µs": how a person says an interval.
func spoken(_ nanoseconds: Int64) -> String {
    let ns = Double(nanoseconds)
    if ns >= 1e9 {
        let tenths = Int((ns / 1e8).rounded())
        return "\(tenths / 10).\(tenths % 10) s"
    }
    if ns >= 1e6 { return "\(Int((ns / 1e6).rounded())) ms" }
    return "\(Int((ns / 1e3).rounded())) µs"
}

/// "1 byte", "20 bytes".
func bytes<N: BinaryInteger>(_ n: N) -> String { n == 1 ? "1 byte" : "\(n) bytes" }

func count(_ n: Int, _ noun: String) -> String {
    let words = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    let number = n < words.count ? words[n] : String(n)
    return "\(number) \(noun)\(n == 1 ? "" : "s")"
}
