import LabCapture
import LabPackets
import LabReport
import LabSystem

extension ShowPipeline {
    /// Rows per batch: enough that handing one to the printing thread costs nothing per row,
    /// few enough that the batches in flight (four, recycled, about 100 KB of rows each with
    /// their segments' bytes) stay in the cache. 2,048 measured no faster.
    static let listingBatchSize = 512

    /// The packet list, as text or as `show --json`'s array. This thread reads, decodes in place and analyses each frame and
    /// makes its row as plain values (`ListingRowMaker`); a thread of its own prints the rows
    /// (`ListingPrinter`) and writes them, a batch at a time, so on two cores the formatting
    /// costs no time here. With one CPU this thread prints them between batches. Prints what
    /// `list` prints for the same request, without a `Packet` per frame.
    static func listText(_ request: ShowRequest, _ analyzer: inout ConversationAnalyzer,
                         into output: inout StandardOutputBuffer) throws -> (frames: Int, segments: Int) {
        var filters = request.filter.map(PacketFilters.init)
        let json = request.json
        var rows = ListingRowMaker(json: json)
        var frames = 0, segments = 0
        var printing = ListingPrinting(after: &output, rowsPerBatch: listingBatchSize, json: json)
        var batch = ListingBlock(capacity: listingBatchSize)
        var firstRow = true
        // The rows made before an error are printed before it is thrown.
        defer { printing.finish(&batch, into: &output) }
        try CaptureFileReader.scan(request.file) { record in
            frames += 1
            let view = PacketView(record, number: frames)
            let placement = analyzer.add(view.headers, number: frames, timestamp: view.timestamp)
            if placement != nil { segments += 1 }
            if try filters?.pass(record) == false {
                rows.hide(view, placement, into: &batch.rows)
                if batch.rows.count >= listingBatchSize { printing.deliver(&batch, into: &output) }
                return
            }
            // The header goes out with the first row, so a file that is not a capture prints only its error.
            if firstRow { json ? rows.addRaw(request.jsonOpening, into: &batch.rows) : rows.addLine(PacketRow.header, into: &batch.rows) }
            firstRow = false
            rows.add(view, placement, into: &batch.rows)
            if batch.rows.count >= listingBatchSize { printing.deliver(&batch, into: &output) }
        }
        printing.finish(&batch, into: &output)
        if json {
            output.append((firstRow ? request.jsonOpening : "\n") + (request.wrapsJSON ? "]" : "]\n"))
        } else if firstRow {
            output.append(PacketRow.header + "\n")
        }
        return (frames, segments)
    }
}

/// A `ListingBatch` the printing thread's queue can recycle.
struct ListingBlock: Refillable {
    var rows: ListingBatch

    init(capacity: Int) { rows = ListingBatch(capacity: capacity) }

    mutating func removeAll() { rows.removeAll() }
}

/// Where the listing's batches are printed: by a thread that writes standard output itself,
/// when there is a second CPU to run it on, else here into the output buffer.
struct ListingPrinting: ~Copyable {
    private var queue: BatchQueue<ListingBlock>?
    private var thread: OSThread?
    private var printer: ListingPrinter
    private let json: Bool

    /// Starts the printing thread, when there is a CPU for it. Everything in `output` is written
    /// first: from now on the thread writes standard output until `finish`.
    init(after output: inout StandardOutputBuffer, rowsPerBatch: Int, json: Bool = false) {
        printer = ListingPrinter(json: json)
        self.json = json
        guard OSThread.allowedProcessors > 1 else { return }
        let queue = BatchQueue<ListingBlock>(batches: 4, capacity: rowsPerBatch)
        output.flush()
        guard let thread = try? OSThread.spawn({ Self.printBatches(from: queue, json: json) }) else { return }
        (self.queue, self.thread) = (queue, thread)
    }

    /// Prints `batch`, or hands it to the thread and takes an empty one back.
    mutating func deliver(_ batch: inout ListingBlock, into output: inout StandardOutputBuffer) {
        guard let queue, let next = queue.emptyBatch() else {
            printer.write(batch.rows, into: &output.bytes)
            batch.removeAll()
            output.flushIfFull()
            return
        }
        queue.send(batch)
        batch = next
    }

    /// Prints what is left, and waits until the thread has written every row.
    mutating func finish(_ batch: inout ListingBlock, into output: inout StandardOutputBuffer) {
        if batch.rows.count > 0 { deliver(&batch, into: &output) }
        guard let queue, let thread else { return }
        queue.finish(nil)
        thread.join()
        (self.queue, self.thread) = (nil, nil)
    }

    /// The printing thread: prints and writes each batch in order until the rows end.
    private static func printBatches(from queue: BatchQueue<ListingBlock>, json: Bool) {
        var printer = ListingPrinter(json: json)
        var output = StandardOutputBuffer()
        while let block = try? queue.receive() {
            printer.write(block.rows, into: &output.bytes)
            queue.recycle(block)
            output.flushIfFull()
        }
        output.flush()
    }
}
