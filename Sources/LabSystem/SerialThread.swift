/// One OS thread that runs the jobs given to it one at a time, in order. A network namespace
/// made with `unshare` belongs to the thread that made it, so the runs that share one must all
/// be carried out on that thread.
public final class SerialThread: @unchecked Sendable {
    // Sendable: both properties are constants, and `State` locks what it holds.
    // Sendable: `job`, `finished` and `stopping` are read and written only with `condition` locked.
    private final class State: @unchecked Sendable {
        let condition = Condition()
        var job: (@Sendable () -> Void)?
        var finished = false
        var stopping = false
    }

    private let state: State
    private let thread: OSThread

    public init() throws(SystemError) {
        let state = State()
        self.state = state
        thread = try OSThread.spawn {
            state.condition.lock()
            while true {
                while state.job == nil && !state.stopping { state.condition.wait() }
                guard let job = state.job else { break }
                state.job = nil
                state.condition.unlock()
                job()
                state.condition.lock()
                state.finished = true
                state.condition.broadcast()
            }
            state.condition.unlock()
        }
    }

    /// Runs `body` on the thread and returns what it returned.
    public func run<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        let result = ResultBox<T>()
        state.condition.lock()
        state.finished = false
        state.job = { result.value = body() }
        state.condition.broadcast()
        while !state.finished { state.condition.wait() }
        state.condition.unlock()
        return result.value!
    }

    /// Ends the thread once its current job is done, and waits for it.
    public func stop() {
        state.condition.lock()
        state.stopping = true
        state.condition.broadcast()
        state.condition.unlock()
        thread.join()
    }
}

/// A value handed back from the serial thread.
private final class ResultBox<T>: @unchecked Sendable {
    // Sendable: written by the job on the serial thread before it sets `finished` under the lock,
    // read by the caller only after it has seen `finished` under the same lock.
    // Sendable: written there before `finished` is set under the lock, read here after, so the
    // lock orders the two.
    var value: T?
}
