/// A side's bytes counted once however often they were sent: the union of its data segments'
/// sequence ranges, in packet order, so that a byte is new where it first appears and every
/// later copy is a repeat.
public struct ByteCoverage: Sendable {
    /// Bytes of the stream the segments carry, each counted once.
    public private(set) var distinct = 0
    /// The segments that carried bytes already seen, with how many of them.
    public private(set) var repeats: [(packet: Int, bytes: Int)] = []
    /// Disjoint, sorted ranges of unwrapped sequence numbers.
    private var ranges: [Range<Int64>] = []
    private var last: (sequence: UInt32, position: Int64)?

    public init<S: Sequence>(_ segments: S) where S.Element == AnalyzedSegment {
        for s in segments where s.length > 0 { add(s) }
    }

    public var repeatedBytes: Int { repeats.reduce(0) { $0 + $1.bytes } }

    private mutating func add(_ s: AnalyzedSegment) {
        // Unwrapped against the previous segment, so a stream past 4 GiB keeps counting.
        let position = last.map { $0.position + Int64(Int32(bitPattern: s.relativeSequence &- $0.sequence)) } ?? Int64(s.relativeSequence)
        last = (s.relativeSequence, position)
        var new = position..<(position + Int64(s.length))
        let first = lowerIndex(endingAtOrAfter: new.lowerBound)
        var overlap: Int64 = 0
        var end = first
        while end < ranges.count, ranges[end].lowerBound <= new.upperBound {
            let r = ranges[end]
            overlap += max(0, min(r.upperBound, new.upperBound) - max(r.lowerBound, new.lowerBound))
            new = min(r.lowerBound, new.lowerBound)..<max(r.upperBound, new.upperBound)
            end += 1
        }
        ranges.replaceSubrange(first..<end, with: [new])
        distinct += s.length - Int(overlap)
        if overlap > 0 { repeats.append((s.number, Int(overlap))) }
    }

    /// The first range whose end is at or after `position`: ranges before it cannot touch it.
    private func lowerIndex(endingAtOrAfter position: Int64) -> Int {
        var low = 0, high = ranges.count
        while low < high {
            let mid = (low + high) / 2
            if ranges[mid].upperBound < position { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
