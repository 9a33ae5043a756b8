import LabSystem

/// A checked capture's explanation, in packet order, and the width of its label column, which
/// is known only once every sentence is in.
public final class ExplanationStore: @unchecked Sendable {
    // Sendable without a lock, for PacketRowStore's reason: filled on one thread, read after the
    // hand-over on one, never on two at once (a read moves the spill file's offset).
    private let explanations: SpillingList<Explanation>
    public var count: Int { explanations.count }
    private var width = 0

    /// Sentences already in memory, kept there.
    public init(_ explanations: [Explanation] = []) {
        self.explanations = SpillingList(explanations)
        width = explanations.map(\.packetLabel.count).max() ?? 0
    }

    public func append(_ e: Explanation) throws(SystemError) {
        width = max(width, e.packetLabel.count)
        try explanations.append(e)
    }

    public func forEach(_ body: (Explanation) throws -> Void) throws { try explanations.forEach(body) }

    public func all() throws -> [Explanation] { try explanations.all() }

    /// The lines `Explanation.render` gives, one at a time.
    public func lines(_ body: (String) throws -> Void) throws {
        let width = width
        try forEach { try body(Explanation.line(label: $0.packetLabel, text: $0.text, width: width)) }
    }
}

extension Explanation: SpillRecord {
    public var spillRecord: (head: String, text: String) { (packets.map(String.init).joined(separator: ","), text) }

    public init(spillHead: String, text: String) {
        self.init(packets: spillHead.split(separator: ",").compactMap { Int($0) }, text: text)
    }
}
