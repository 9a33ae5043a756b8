import LabTestSupport
import Testing
@testable import LabPackets

@Suite struct FlowIndexTests {
    /// The headers of a TCP segment between two endpoints.
    static func headers(_ source: IPAddress, _ sourcePort: UInt16, _ destination: IPAddress, _ destinationPort: UInt16) -> FrameHeaders {
        var headers = FrameHeaders()
        headers.source = source
        headers.destination = destination
        headers.ipProtocol = 6
        headers.tcp = TCPHeader(sourcePort: sourcePort, destinationPort: destinationPort, sequence: 0, acknowledgment: 0,
                                headerLength: 20, flags: .ack, window: 0, urgentPointer: 0, payloadLength: 0, synWindowScale: nil)
        return headers
    }

    @Test func bothDirectionsOfATupleShareItsNumberAndDifferInDirection() throws {
        var index = FlowIndex()
        let there = index.flow(of: Self.headers(.v4(1), 40000, .v4(2), 80))
        let back = index.flow(of: Self.headers(.v4(2), 80, .v4(1), 40000))
        let (a, b) = (try #require(there), try #require(back))
        #expect(a.index == 0 && b.index == 0)
        #expect(a.fromLow != b.fromLow)
        #expect(index.count == 1)
    }

    @Test func tuplesAreNumberedInOrderOfFirstAppearance() {
        var index = FlowIndex()
        let ports: [UInt16] = [5, 9, 5, 7, 9, 7, 11]
        let numbers = ports.map { index.flow(of: Self.headers(.v4(1), $0, .v4(2), 80))?.index }
        #expect(numbers == [0, 1, 0, 2, 1, 2, 3])
    }

    @Test func anIPv4TupleAndAnIPv6TupleWithTheSameLowWordsStayApart() {
        var index = FlowIndex()
        let v4 = index.flow(of: Self.headers(.v4(0x0a00_0001), 1, .v4(0x0a00_0002), 2))
        let v6 = index.flow(of: Self.headers(.v6(high: 0, low: 0x0a00_0001), 1, .v6(high: 0, low: 0x0a00_0002), 2))
        #expect(v4?.index == 0 && v6?.index == 1)
    }

    @Test func numbersSurviveTheTableGrowing() {
        var index = FlowIndex()
        let tuples = (0..<20_000).map { Self.headers(.v4(UInt32($0 / 300)), UInt16($0 % 300), .v4(0xffff), 443) }
        let first = tuples.map { index.flow(of: $0)?.index }
        let again = tuples.map { index.flow(of: $0)?.index }
        #expect(first == Array(0..<20_000))
        #expect(again == first)
        #expect(index.count == 20_000)
    }

    @Test func aFrameWithoutTCPHasNoFlow() {
        var index = FlowIndex()
        var udp = Self.headers(.v4(1), 53, .v4(2), 53)
        udp.tcp = nil
        #expect(index.flow(of: udp) == nil)
        #expect(index.count == 0)
    }
}
