import Synchronization

/// Hands out the indices 0..<count to `jobs` threads, each taking the next index when it is free.
public enum ParallelWork {
    /// Returns when every index has been done. With one job (or no thread to be had), the
    /// calling thread does them all, in order.
    public static func forEach(_ count: Int, jobs: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let next = Mutex(0)
        let work: @Sendable () -> Void = {
            while true {
                let i = next.withLock { n -> Int in defer { n += 1 }; return n }
                guard i < count else { return }
                body(i)
            }
        }
        let threads = jobs <= 1 ? [] : (0..<min(jobs, count)).compactMap { _ in try? OSThread.spawn(work) }
        if threads.isEmpty { work() }
        threads.forEach { $0.join() }
    }
}
