import LabPackets
import LabSystem

extension CaptureFileReader {
    /// Segments per batch: enough that handing one over costs nothing per segment, few enough
    /// that the batches in flight (three, recycled) stay a few megabytes.
    static let batchSize = 16_384

    /// Calls `body` with the TCP segments of the whole file in order, a batch at a time, while a
    /// thread of its own reads, decodes and numbers the 4-tuples ahead: on two cores the
    /// analysis no longer waits for any of that. With one CPU to run on, this thread does it all. A file error is thrown after every batch before
    /// it was delivered; an error from `body` stops the reading.
    public static func scanSegments(_ path: String, _ body: (SegmentBatch) throws -> Void) throws {
        let file: FileReader
        do { file = try FileReader(path: path) } catch { throw CaptureFileError.unreadable(path: path, error) }
        let queue = BatchQueue<SegmentBatch>(batches: 3, capacity: batchSize)
        guard OSThread.allowedProcessors > 1, let reader = try? OSThread.spawn({ decode(file, into: queue) }) else {
            // One CPU to run on, or no thread to be had: decode on this thread, between batches.
            try decode(file, into: SegmentBatch(capacity: batchSize)) { batch in try body(batch) }
            return
        }
        defer {
            queue.cancel()
            reader.join()
        }
        while let batch = try queue.receive() {
            try body(batch)
            queue.recycle(consume batch)  // the last reference, so its storage is reused
        }
    }

    /// The reading thread: fills batches until the file ends, fails or the consumer cancels.
    private static func decode(_ file: FileReader, into queue: BatchQueue<SegmentBatch>) {
        guard let batch = queue.emptyBatch() else { return }
        do {
            try decode(file, into: batch) { full in
                queue.send(full)
                guard let next = queue.emptyBatch() else { throw CancellationError() }
                full = next
            }
            queue.finish(nil)
        } catch is CancellationError {
            queue.finish(nil)
        } catch {
            queue.finish(error)
        }
    }

    /// Reads and decodes the whole file into `batch`, handing it to `deliver` when it is full and
    /// once more at the end, also after a file error. `deliver` may swap in another batch (the
    /// queue's next empty one); either way the batch is emptied before it is filled again.
    private static func decode(_ file: FileReader, into batch: consuming SegmentBatch,
                               _ deliver: (inout SegmentBatch) throws -> Void) throws {
        var flows = FlowIndex()
        var frameNumber = 0
        do {
            try read(file) { parser in
                while true {
                    try parser.decodeSegments(into: &batch, limit: batchSize, flows: &flows, frameNumber: &frameNumber)
                    guard batch.segments.count == batchSize else { return }
                    try deliver(&batch)
                    batch.removeAll()
                }
            }
        } catch let error as CaptureFileError {
            try deliver(&batch)  // the frames before the error still count
            throw error
        }
        try deliver(&batch)
    }
}

extension SegmentBatch: Refillable {}

/// The consumer stopped listening: the reader just ends.
private struct CancellationError: Error {}
