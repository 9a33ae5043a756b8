import LabPackets
import LabSystem

extension CaptureFileReader {
    /// Frames per batch: enough that handing one over costs nothing per frame, few enough that
    /// the batches in flight (three, recycled) stay a few megabytes.
    static let batchSize = 16_384

    /// Calls `body` with the headers of every frame in file order, a batch at a time, while a
    /// thread of its own reads, decodes and looks up the 4-tuples ahead: on two cores the
    /// analysis no longer waits for any of that. Frames that do not decode come with the layers
    /// that did. A file error is thrown after every frame before it was delivered; an error
    /// from `body` stops the reading.
    public static func scanHeaders(_ path: String, _ body: (UnsafeBufferPointer<DecodedFrame>) throws -> Void) throws {
        let file: FileReader
        do { file = try FileReader(path: path) } catch { throw CaptureFileError.unreadable(path: path, error) }
        let queue = BatchQueue<DecodedFrame>(batches: 3, capacity: batchSize)
        guard let reader = try? OSThread.spawn({ decode(file, into: queue) }) else {
            // No thread to be had: decode on this one, which is only slower.
            var batch: [DecodedFrame] = []
            batch.reserveCapacity(batchSize)
            try decode(file, into: batch) { (full: inout [DecodedFrame]) in
                try full.withUnsafeBufferPointer(body)
                full.removeAll(keepingCapacity: true)
            }
            return
        }
        defer {
            queue.cancel()
            reader.join()
        }
        while let batch = try queue.receive() {
            try batch.withUnsafeBufferPointer(body)
            queue.recycle(batch)
        }
    }

    /// The reading thread: fills batches until the file ends, fails or the consumer cancels.
    private static func decode(_ file: FileReader, into queue: BatchQueue<DecodedFrame>) {
        guard let batch = queue.emptyBatch() else { return }
        do {
            try decode(file, into: batch) { (full: inout [DecodedFrame]) in
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
    /// once more at the end, also after a file error; `deliver` leaves an empty batch in its place.
    private static func decode(_ file: FileReader, into batch: consuming [DecodedFrame],
                               _ deliver: (inout [DecodedFrame]) throws -> Void) throws {
        var flows = FlowIndex()
        do {
            try read(file) { parser in
                while true {
                    try parser.decodeRecords(into: &batch, limit: batchSize, flows: &flows)
                    guard batch.count == batchSize else { return }
                    try deliver(&batch)
                }
            }
        } catch let error as CaptureFileError {
            try deliver(&batch)  // the frames before the error still count
            throw error
        }
        try deliver(&batch)
    }
}

/// The consumer stopped listening: the reader just ends.
private struct CancellationError: Error {}
