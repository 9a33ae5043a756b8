import Testing
@testable import LabReport

/// The one-line patterns `--repeat` groups runs by, and their histogram.
@Suite struct WirePatternTests {
    @Test func wirePatternsNameSizesAndCloses() {
        #expect(WirePattern.segments([5, 5, 5, 5]) == "four 5-byte segments")
        #expect(WirePattern.segments([1448, 1448, 1448, 817]) == "three 1448-byte segments, then one of 817")
        #expect(WirePattern.segments([5, 15]) == "2 segments of 5, 15 bytes (20 in all)")
        #expect(WirePattern.segments([]) == "no data")
        #expect(WirePattern.gloss(["client RST"]) == " (the client closed with data unread)")
        #expect(WirePattern.gloss(["client FIN", "client RST"]) == " (the client closed, then more data reached its closed socket)")
        #expect(WirePattern.gloss(["client FIN", "server FIN"]) == "")
        var histogram = PatternHistogram()
        let a = WirePattern(connections: [], port: nil)
        let first = histogram.add(a, attempt: 1, passed: true)
        let second = histogram.add(a, attempt: 2, passed: false)
        #expect(first && !second)
        #expect(histogram.lines("e", of: 2) == ["e: 1 pattern in 2 runs:", "  2× no connection (1 passed)"])
    }
}
