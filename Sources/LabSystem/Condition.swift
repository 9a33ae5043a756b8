#if canImport(Glibc)
import Glibc
#endif

/// A mutex with a condition variable whose timed waits use CLOCK_MONOTONIC, so a change of
/// the wall clock cannot stretch or cut a barrier's deadline.
public final class Condition: @unchecked Sendable {
    // Sendable: the pthread mutex and condition are made for use from many threads; the pointers never change.
    // Sendable: the pthread objects are the synchronisation; they never move (heap allocated).
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    public init() {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }
    public func broadcast() { pthread_cond_broadcast(condition) }

    /// Waits, with the lock held, for a broadcast.
    public func wait() { pthread_cond_wait(condition, mutex) }

    /// Waits, with the lock held, for a broadcast or the deadline; false once the deadline passed.
    public func wait(until deadline: ContinuousClock.Instant) -> Bool {
        let left = deadline - ContinuousClock.now
        if left <= .zero { return false }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let total = Int64(now.tv_nsec) + left.components.attoseconds / 1_000_000_000
        var until = timespec(tv_sec: now.tv_sec + Int(left.components.seconds) + Int(total / 1_000_000_000),
                             tv_nsec: Int(total % 1_000_000_000))
        return pthread_cond_timedwait(condition, mutex, &until) != ETIMEDOUT
    }
}
