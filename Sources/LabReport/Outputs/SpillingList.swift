import LabSystem

/// How an element of a `SpillingList` travels through its temporary file: as two strings, the
/// second free text (a packet's Info, a sentence), the first whatever else it needs.
public protocol SpillRecord {
    var spillRecord: (head: String, text: String) { get }
    init(spillHead: String, text: String)
}

/// Elements in the order appended: in memory while they are few, past `inMemoryLimit` in an
/// unnamed temporary file, read back one at a time. A check's rows and sentences can number a
/// million; a class's worth of small files opens no file at all.
///
/// A reference, so a result holding it stays small to copy; `@unchecked Sendable` because it is
/// filled on one thread and then read on one, never on two at once.
public final class SpillingList<Element: SpillRecord>: @unchecked Sendable {
    static var inMemoryLimit: Int { 4096 }
    private var elements: [Element] = []
    private var spill: SpillFile?
    public private(set) var count = 0

    public init(_ elements: [Element] = []) {
        self.elements = elements
        count = elements.count
    }

    public func append(_ element: Element) throws(SystemError) {
        count += 1
        if let spill {
            let record = element.spillRecord
            try spill.append(record: record.head, record.text)
            return
        }
        elements.append(element)
        guard elements.count > Self.inMemoryLimit else { return }
        let spill = try SpillFile()
        for e in elements {
            let record = e.spillRecord
            try spill.append(record: record.head, record.text)
        }
        elements = []
        self.spill = spill
    }

    /// Every element, in the order appended.
    public func forEach(_ body: (Element) throws -> Void) throws {
        guard let spill else {
            for e in elements { try body(e) }
            return
        }
        try spill.readRecords { head, text in try body(Element(spillHead: head, text: text)) }
    }

    /// Every element at once, for outputs of small files (a class's records).
    public func all() throws -> [Element] {
        var all: [Element] = []
        all.reserveCapacity(count)
        try forEach { all.append($0) }
        return all
    }
}
