#if canImport(Glibc)
import Glibc
#endif
import CLinux

/// A joinable POSIX thread. Endpoints need their own kernel threads: their blocking calls
/// and sleeps are the experiment, and they must never borrow a cooperative pool.
public final class OSThread: @unchecked Sendable {
    // Sendable: `handle` is written once before `spawn` returns and read only by `join`.
    private var handle = pthread_t()

    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    private init() {}

    public static func spawn(_ body: @escaping @Sendable () -> Void) throws(SystemError) -> OSThread {
        let thread = OSThread()
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let rc = pthread_create(&thread.handle, nil, { raw in
            guard let raw else { return nil }  // always the box passed below
            let box = Unmanaged<Box>.fromOpaque(raw).takeRetainedValue()
            box.body()
            return nil
        }, box)
        if rc != 0 {
            Unmanaged<Box>.fromOpaque(box).release()
            throw SystemError(call: "pthread_create", errno: rc)
        }
        return thread
    }

    public func join() { pthread_join(handle, nil) }

    /// Lets the thread's resources go when it ends, for threads nobody will join.
    public func detach() { pthread_detach(handle) }

    /// How many CPUs the calling thread may run on: fewer than the machine has under `taskset`
    /// or a cpuset. At least 1. The corresponding C function is `sched_getaffinity`.
    public static var allowedProcessors: Int { max(1, Int(clinux_cpus_allowed())) }
}
