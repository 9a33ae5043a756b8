import LabSystem

/// A batch a `BatchQueue` can recycle: emptied, it keeps its storage for the next fill.
public protocol Refillable: Sendable {
    init(capacity: Int)
    mutating func removeAll()
}

/// Hands batches from one producer thread to one consumer, and the empty ones back, so a fixed
/// number of batches is ever allocated. The producer stops early when the consumer cancels.
public final class BatchQueue<Batch: Refillable>: @unchecked Sendable {
    // Sendable: every field below is read and written only with `condition` locked.
    private let condition = Condition()
    private var full: [Batch] = []
    private var empty: [Batch]
    private var finished = false
    private var failure: (any Error)?
    private var cancelled = false

    public init(batches: Int, capacity: Int) {
        empty = (0..<batches).map { _ in Batch(capacity: capacity) }
    }

    /// An empty batch to fill; nil once the consumer has cancelled.
    public func emptyBatch() -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while empty.isEmpty && !cancelled { condition.wait() }
        return cancelled ? nil : empty.removeLast()
    }

    public func send(_ batch: Batch) {
        condition.lock()
        full.append(batch)
        condition.broadcast()
        condition.unlock()
    }

    /// The producer is done; `error` says why it stopped early, if it did.
    public func finish(_ error: (any Error)?) {
        condition.lock()
        (finished, failure) = (true, error)
        condition.broadcast()
        condition.unlock()
    }

    /// The next full batch in order; nil at the end. The producer's error, if any, is thrown
    /// after every batch it sent before it.
    public func receive() throws -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while full.isEmpty && !finished { condition.wait() }
        if !full.isEmpty { return full.removeFirst() }
        if let failure { throw failure }
        return nil
    }

    public func recycle(_ batch: consuming Batch) {
        batch.removeAll()
        condition.lock()
        empty.append(batch)
        condition.broadcast()
        condition.unlock()
    }

    /// Tells the producer to stop at its next batch.
    public func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
