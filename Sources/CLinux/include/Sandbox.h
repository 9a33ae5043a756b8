#ifndef TCPLAB_SANDBOX_H
#define TCPLAB_SANDBOX_H

#include <stdint.h>
#include <sys/types.h>

/// A sandbox for one untrusted program, built the way isolate and nsjail build theirs: a keeper
/// process that is PID 1 of a fresh PID namespace (with its own mount, IPC and UTS namespaces,
/// and a user namespace when tcplab is not root), which makes the program's filesystem view,
/// starts it under its own identity with limits, reaps everything it started, kills whatever
/// outlives it, copies `{out}` back and reports through a pipe.
///
/// Everything is prepared by the caller before the clone: the keeper and the program only make
/// system calls on memory the caller built, because a raw clone of a multi-threaded process
/// may not take a lock (malloc's included) that another thread held.

enum { clinux_box_max_paths = 16, clinux_box_max_cgroups = 2 };

/// What the caller decides; every pointer stays valid until clinux_box_start returns.
struct clinux_box {
    const char *path;
    char *const *argv;
    char *const *envp;
    /// Write ends for the program's stdout and stderr; -1 sends the stream to /dev/null.
    int stdout_fd, stderr_fd;
    /// Where strace's log is copied once the program ends, from `log_path` inside the box; -1 for none.
    int log_fd;
    const char *log_path;
    /// Write end of the keeper's report pipe.
    int report_fd;
    /// 1: namespaces and a filesystem view of its own (sandbox); 0: only identity, limits,
    /// descriptors and environment (container), in `scratch_dir` on disk.
    int namespaces;
    /// 1 when tcplab is not root: the keeper makes a user namespace and stays its root.
    int user_namespace;
    /// 1: the program runs as uid/gid (tcplab is root).
    int set_identity;
    uid_t uid;
    gid_t gid;
    /// Host folders bound read-only at the same path (/usr, /etc, …), NULL-terminated.
    const char *system_dirs[clinux_box_max_paths];
    /// Top-level symlinks of the host's root recreated as they are (/bin -> usr/bin), with targets.
    const char *system_links[clinux_box_max_paths];
    const char *system_link_targets[clinux_box_max_paths];
    /// O_PATH descriptor of the program's folder and the absolute path it keeps inside; -1 for none.
    int submission_fd;
    const char *submission_path;
    /// The host's output folder, where the program's `out` folder is copied when it ends; -1 for none.
    int out_fd;
    /// Where the scratch tmpfs is mounted in the keeper's mount namespace, an existing folder that
    /// holds neither the program's folder nor the system's, and the new root and /dev/shm in it.
    const char *staging, *staging_root, *staging_shm;
    /// tmpfs options of the scratch ("size=…,mode=0755").
    const char *scratch_options;
    /// Container level: the scratch folder on disk, made empty by the caller.
    const char *scratch_dir;
    /// cgroup.procs files the keeper joins before it starts anything, NULL-terminated.
    const char *cgroup_procs[clinux_box_max_cgroups + 1];
    /// 0 for none.
    uint64_t cpu_seconds, file_bytes, open_files, processes, address_space;
    /// How long the program has between the keeper's SIGTERM and its SIGKILL.
    int grace_ms;
};

/// The steps a sandbox is made in, named in a failure.
enum clinux_box_step {
    clinux_box_ok = 0,
    clinux_box_step_user_map,
    clinux_box_step_cgroup,
    clinux_box_step_mount_private,
    clinux_box_step_scratch,
    clinux_box_step_system,
    clinux_box_step_submission,
    clinux_box_step_proc,
    clinux_box_step_dev,
    clinux_box_step_pivot,
    clinux_box_step_copy_in,
    clinux_box_step_start,
    clinux_box_step_limits,
    clinux_box_step_identity,
    clinux_box_step_capabilities,
    clinux_box_step_exec,
};

/// What the keeper reports once everything in the box has ended. Before it, the report pipe holds
/// an int32: 0 once the program has been executed, or a failed step followed by its errno.
struct clinux_box_report {
    /// The program's wait status.
    int32_t wait_status;
    /// Processes the box started, the program included (from its PID namespace's last pid).
    int32_t processes;
    /// User + system time of every process the box ran, in microseconds.
    int64_t cpu_us;
    /// The largest resident set of any one of them, in KiB.
    int64_t max_rss_kb;
    /// The largest file left in the scratch, in bytes, and whether the scratch was full.
    int64_t largest_file;
    int32_t scratch_full;
    /// What was copied from the program's `out` folder, and what was not (too deep, not a plain file).
    int32_t copied_files;
    int64_t copied_bytes;
    int32_t skipped_files;
};

/// Starts the keeper; its pid (the host's view), or -1 with errno.
pid_t clinux_box_start(const struct clinux_box *box);

/// A number no other sandbox of this process has had.
int clinux_next_box_number(void);

/// rm -rf, never following a symlink (nftw with FTW_PHYS).
int clinux_remove_tree(const char *path);

/// openat2 with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS.
int clinux_open_beneath(int dirfd, const char *path, int flags);

#endif
