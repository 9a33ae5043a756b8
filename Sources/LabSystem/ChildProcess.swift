#if canImport(Glibc)
import Glibc
#endif
import CLinux

/// A program started in its own process group, from the calling thread, so it inherits that
/// thread's network namespace (a headless browser inside a run's private `lo`).
public final class ChildProcess: @unchecked Sendable {
    // Sendable: `pid` is fixed at spawn; `reaped` is touched only by the owning thread.
    public let pid: pid_t
    private var reaped = false

    private init(pid: pid_t) { self.pid = pid }

    /// Starts `path` with `arguments`; its output goes to `/dev/null`.
    public static func spawn(_ path: String, _ arguments: [String]) throws(SystemError) -> ChildProcess {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, so one signal reaches every helper process it starts.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        // An interrupt between the spawn and the tracking would leave the child running.
        clinux_spawn_begin()
        let rc = posix_spawn(&pid, path, &actions, &attributes, &argv, environ)
        if rc == 0 { clinux_track_child_group(pid) }
        clinux_spawn_end()
        guard rc == 0 else { throw SystemError(call: "posix_spawn", subject: path, errno: rc) }
        return ChildProcess(pid: pid)
    }

    /// SIGTERM to the whole group, then waits for the main process; SIGKILL if it ignores that.
    ///
    /// The main process is reaped last, after the group's final SIGKILL and after it is no longer
    /// tracked: until it is reaped its pid, which is the group's id, cannot be given to another
    /// process, so no signal meant for this group can reach someone else's (pids wrap at 32768).
    public func terminate() {
        guard !reaped else { return }
        kill(-pid, SIGTERM)
        for _ in 0..<50 {
            if clinux_child_exited(pid) != 0 { break }
            var pause = timespec(tv_sec: 0, tv_nsec: 100_000_000)
            nanosleep(&pause, nil)  // polling a dying child's exit, not synchronising the experiment
        }
        kill(-pid, SIGKILL)  // the main process if it ignored SIGTERM, and helpers that outlived it
        clinux_untrack_child_group(pid)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        reaped = true
    }

    deinit { terminate() }
}
