import Foundation
import LabPackets
import LabReport
import LabSystem
import LabTestSupport
import Synchronization
import Testing
@testable import LabCapture

/// `CaptureFileReader.scanSegments`, which reads and decodes on a thread of its own, must hand
/// over exactly what the plain reader reads, in order, and stop cleanly when told to.
@Suite struct SegmentScanTests {
    static let corpus = Repository.root + "/Tests/IntegrationTests/Fixtures/corpus"

    static var captures: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: corpus)) ?? [])
            .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
    }

    /// Frames, TCP segments and the connection table, read ahead in batches.
    static func ahead(_ path: String) throws -> (frames: Int, segments: Int, table: String) {
        var analyzer = ConversationAnalyzer(retainSegments: false)
        var frames = 0, segments = 0
        try CaptureFileReader.scanSegments(path) { batch in
            analyzer.add(batch)
            frames += batch.frames
            segments += batch.segments.count
        }
        return (frames, segments, ConversationTable.render(analyzer.connections))
    }

    /// The same, packet by packet on this thread.
    static func inline(_ path: String) throws -> (frames: Int, segments: Int, table: String) {
        var analyzer = ConversationAnalyzer(retainSegments: false)
        var frames = 0, segments = 0
        try CaptureFileReader.read(path) { record in
            frames += 1
            if analyzer.add(Packet.decode(record.frame, number: frames, linkType: record.linkType), index: frames - 1) != nil {
                segments += 1
            }
        }
        return (frames, segments, ConversationTable.render(analyzer.connections))
    }

    /// A capture of `connections` interleaved exchanges, written to a temporary file.
    static func bigCapture(connections: Int) throws -> String {
        let path = try Repository.temporaryDirectory() + "/big.pcap"
        try Data(FrameBuilder.pcapFile(FrameBuilder.interleaved(connections: connections))).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(arguments: captures.filter { !$0.hasPrefix("truncated") })
    func readingAheadSeesWhatTheReaderSees(name: String) throws {
        let ahead = try Self.ahead(Self.corpus + "/" + name), inline = try Self.inline(Self.corpus + "/" + name)
        #expect(ahead.frames == inline.frames && ahead.segments == inline.segments)
        #expect(ahead.table == inline.table)
    }

    @Test func aCaptureOfManyBatchesArrivesWholeAndInOrder() throws {
        let path = try Self.bigCapture(connections: 9000)  // 72,000 frames: five batches
        var times: [Int64] = []
        try CaptureFileReader.scanSegments(path) { batch in times += batch.segments.map(\.timestamp) }
        var expected: [Int64] = []
        try CaptureFileReader.read(path) { expected.append($0.frame.timestamp) }
        #expect(times.count == 72_000 && times == expected)
        let ahead = try Self.ahead(path), inline = try Self.inline(path)
        #expect(ahead.table == inline.table && ahead.segments == 72_000)
    }

    @Test(arguments: ["truncated.pcap", "truncated.pcapng"])
    func aFileErrorComesAfterEveryFrameBeforeIt(name: String) throws {
        var inline = 0
        #expect(throws: CaptureFileError.self) { try CaptureFileReader.read(Self.corpus + "/" + name) { _ in inline += 1 } }
        var ahead = 0
        do {
            try CaptureFileReader.scanSegments(Self.corpus + "/" + name) { ahead += $0.frames }
            Issue.record("no error from a truncated file")
        } catch let error as CaptureFileError {
            #expect(error.exitCode == 2)
        }
        #expect(ahead == inline && ahead > 0)
    }

    @Test func anErrorFromTheConsumerStopsTheReader() throws {
        struct Enough: Error {}
        let path = try Self.bigCapture(connections: 9000)
        var batches = 0
        #expect(throws: Enough.self) {
            try CaptureFileReader.scanSegments(path) { _ in
                batches += 1
                throw Enough()
            }
        }
        #expect(batches == 1)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/taskset"), "needs taskset (util-linux)"))
    func onOneCPUTheReadingIsDoneInlineWithTheSameResult() throws {
        let path = try Self.bigCapture(connections: 5000)
        for mode in ["--count-only", "--conversations"] {
            let pinned = try execute("/usr/bin/taskset", ["-c", "0", Repository.binary, "show", mode, path])
            let free = try execute(Repository.binary, ["show", mode, path])
            #expect(pinned.status == 0 && free.status == 0)
            #expect(pinned.output == free.output && !free.output.isEmpty)
        }
    }

    @Test func aMissingFileIsUnreadable() {
        #expect(throws: CaptureFileError.self) { try CaptureFileReader.scanSegments("/nonexistent.pcap") { _ in } }
    }

    @Test func cancellingReleasesAProducerWaitingForAnEmptyBatch() throws {
        let queue = BatchQueue<Numbers>(batches: 1, capacity: 1)
        var taken = try #require(queue.emptyBatch())
        taken.values.append(1)
        queue.send(taken)
        let released = Mutex<Bool?>(nil)
        // Blocks, no empty batch being left, until the cancel (or sees it at once if it came first).
        let producer = try OSThread.spawn { released.withLock { $0 = queue.emptyBatch() == nil } }
        queue.cancel()
        producer.join()
        #expect(released.withLock { $0 } == true)
        #expect(try queue.receive()?.values == [1])
    }

    @Test func theProducersErrorFollowsItsBatches() throws {
        struct Broken: Error {}
        let queue = BatchQueue<Numbers>(batches: 2, capacity: 1)
        queue.send(Numbers(values: [1]))
        queue.send(Numbers(values: [2]))
        queue.finish(Broken())
        #expect(try queue.receive()?.values == [1])
        #expect(try queue.receive()?.values == [2])
        #expect(throws: Broken.self) { _ = try queue.receive() }
    }
}

/// The simplest batch, for the queue's own tests.
struct Numbers: Refillable {
    var values: [Int] = []
    init(values: [Int]) { self.values = values }
    init(capacity: Int) { values.reserveCapacity(capacity) }
    mutating func removeAll() { values.removeAll(keepingCapacity: true) }
}
