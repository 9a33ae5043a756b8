import LabSystem

/// A checked capture's explanation, in packet order, and the width of its label column: in
/// memory for a small file, past `PacketRowStore.inMemoryLimit` sentences in an unnamed
/// temporary file. `@unchecked Sendable` as `PacketRowStore` is: filled, then read, by one
/// thread at a time.
public final class ExplanationStore: @unchecked Sendable {
    private var explanations: [Explanation] = []
    private var spill: SpillFile?
    public private(set) var count = 0
    private var width = 0

    public init() {}

    /// Sentences already in memory, kept there.
    public init(_ explanations: [Explanation]) {
        self.explanations = explanations
        count = explanations.count
        width = explanations.map(\.packetLabel.count).max() ?? 0
    }

    public func append(_ e: Explanation) throws(SystemError) {
        count += 1
        width = max(width, e.packetLabel.count)
        if let spill {
            try spill.append(record: Self.numbers(e), e.text)
            return
        }
        explanations.append(e)
        guard explanations.count > PacketRowStore.inMemoryLimit else { return }
        let spill = try SpillFile()
        for e in explanations { try spill.append(record: Self.numbers(e), e.text) }
        explanations = []
        self.spill = spill
    }

    public func forEach(_ body: (Explanation) throws -> Void) throws {
        guard let spill else {
            for e in explanations { try body(e) }
            return
        }
        try spill.readRecords { numbers, text in
            try body(Explanation(packets: numbers.split(separator: ",").compactMap { Int($0) }, text: text))
        }
    }

    public func all() throws -> [Explanation] {
        var all: [Explanation] = []
        try forEach { all.append($0) }
        return all
    }

    /// The lines `Explanation.render` gives, one at a time.
    public func lines(_ body: (String) throws -> Void) throws {
        let width = width
        try forEach { try body(Explanation.line(label: $0.packetLabel, text: $0.text, width: width)) }
    }

    private static func numbers(_ e: Explanation) -> String { e.packets.map(String.init).joined(separator: ",") }
}
