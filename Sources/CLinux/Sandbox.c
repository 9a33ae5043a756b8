#define _GNU_SOURCE
#include "Sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

// Everything below runs in the keeper or the program after a raw clone: system calls and
// static buffers only, no malloc, no stdio, no locks.

static const struct clinux_box *box;
static struct clinux_box_report report;
static volatile sig_atomic_t stop_requested, grace_over;
static char path_buffer[3][4096];
static unsigned char copy_buffer[64 << 10];

static void finish(void) {
    ssize_t ignored = write(box->report_fd, &report, sizeof report);
    (void)ignored;
    _exit(0);
}

/// The report pipe's first message is the step that failed and its errno, or a 0 once the program runs.
static void fail(int step) {
    int32_t message[2] = {step, errno};
    ssize_t ignored = write(box->report_fd, message, sizeof message);
    (void)ignored;
    _exit(127);
}

static void started(void) {
    int32_t message = clinux_box_ok;
    ssize_t ignored = write(box->report_fd, &message, sizeof message);
    (void)ignored;
}

static volatile int box_counter;

int clinux_next_box_number(void) { return __sync_fetch_and_add(&box_counter, 1); }

static const char *join(int slot, const char *a, const char *b) {
    char *out = path_buffer[slot];
    size_t la = strlen(a), lb = strlen(b);
    if (la + lb + 1 >= sizeof path_buffer[slot]) { out[0] = 0; return out; }
    memcpy(out, a, la);
    memcpy(out + la, b, lb + 1);
    return out;
}

static int write_text(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, strlen(text));
    int saved = errno;
    close(fd);
    errno = saved;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int make_path(const char *path, mode_t mode) {
    char *copy = path_buffer[2];
    size_t length = strlen(path);
    if (length >= sizeof path_buffer[2]) { errno = ENAMETOOLONG; return -1; }
    memcpy(copy, path, length + 1);
    for (size_t i = 1; i <= length; i++) {
        if (copy[i] != '/' && copy[i] != 0) continue;
        char saved = copy[i];
        copy[i] = 0;
        if (mkdir(copy, mode) != 0 && errno != EEXIST) return -1;
        copy[i] = saved;
    }
    return 0;
}

/// A read-only bind that keeps the flags a user namespace may not clear (noexec, atime).
static int bind_read_only(const char *source, const char *target) {
    if (mount(source, target, NULL, MS_BIND | MS_REC, NULL) != 0) return -1;
    // statfs, not statvfs: glibc's statvfs may read /proc/mounts through stdio, which allocates.
    struct statfs info;
    unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV;
    if (statfs(target, &info) == 0) {
        if (info.f_flags & ST_NOEXEC) flags |= MS_NOEXEC;
        if (info.f_flags & ST_NOATIME) flags |= MS_NOATIME;
        if (info.f_flags & ST_NODIRATIME) flags |= MS_NODIRATIME;
        if (info.f_flags & ST_RELATIME) flags |= MS_RELATIME;
    }
    return mount(NULL, target, NULL, flags, NULL);
}

struct dirent64 { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type; char name[]; };

struct copy_rules { int keep_links; int chown; int max_depth; };

static int copy_file(int from, int to, const char *name, mode_t mode, const struct copy_rules *rules) {
    int in = openat(from, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (in < 0) return -1;
    struct stat info;
    if (fstat(in, &info) != 0 || !S_ISREG(info.st_mode)) { close(in); report.skipped_files++; return 0; }
    int out = openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (out < 0) { close(in); if (errno == EEXIST) { report.skipped_files++; return 0; } return -1; }
    int rc = 0;
    for (;;) {
        ssize_t n = read(in, copy_buffer, sizeof copy_buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) { rc = (int)n; break; }
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(out, copy_buffer + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) { rc = -1; break; }
            done += w;
        }
        if (rc != 0) break;
    }
    if (rules->chown) (void)fchown(out, box->uid, box->gid);
    int saved = errno;
    close(in);
    close(out);
    errno = saved;
    if (rc == 0) { report.copied_files++; report.copied_bytes += info.st_size; }
    return rc;
}

/// Copies a folder's plain files, folders and (when asked) symlinks, never following a link.
static int copy_tree(int from, int to, int depth, const struct copy_rules *rules) {
    char entries[4096];
    for (;;) {
        long n = syscall(SYS_getdents64, from, entries, sizeof entries);
        if (n < 0) return -1;
        if (n == 0) return 0;
        for (long at = 0; at < n;) {
            struct dirent64 *entry = (struct dirent64 *)(entries + at);
            at += entry->reclen;
            const char *name = entry->name;
            if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) continue;
            struct stat info;
            if (fstatat(from, name, &info, AT_SYMLINK_NOFOLLOW) != 0) return -1;
            mode_t mode = (info.st_mode & 0777) | S_IRUSR | S_IWUSR;
            if (S_ISREG(info.st_mode)) {
                if (copy_file(from, to, name, mode, rules) != 0) return -1;
            } else if (S_ISDIR(info.st_mode) && depth < rules->max_depth) {
                if (mkdirat(to, name, mode | S_IXUSR) != 0 && errno != EEXIST) return -1;
                int sub_from = openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                int sub_to = openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                int rc = sub_from >= 0 && sub_to >= 0 ? copy_tree(sub_from, sub_to, depth + 1, rules) : -1;
                if (rules->chown && sub_to >= 0) (void)fchown(sub_to, box->uid, box->gid);
                if (sub_from >= 0) close(sub_from);
                if (sub_to >= 0) close(sub_to);
                if (rc != 0) return -1;
            } else if (S_ISLNK(info.st_mode) && rules->keep_links) {
                char target[4096];
                ssize_t length = readlinkat(from, name, target, sizeof target - 1);
                if (length < 0) return -1;
                target[length] = 0;
                if (symlinkat(target, to, name) != 0 && errno != EEXIST) return -1;
                if (rules->chown) (void)fchownat(to, name, box->uid, box->gid, AT_SYMLINK_NOFOLLOW);
            } else {
                report.skipped_files++;
            }
        }
    }
}

/// The largest plain file under a folder, not following links.
static void measure_tree(int dir, int depth) {
    char entries[4096];
    long n;
    while (depth < 16 && (n = syscall(SYS_getdents64, dir, entries, sizeof entries)) > 0) {
        for (long at = 0; at < n;) {
            struct dirent64 *entry = (struct dirent64 *)(entries + at);
            at += entry->reclen;
            if (strcmp(entry->name, ".") == 0 || strcmp(entry->name, "..") == 0) continue;
            struct stat info;
            if (fstatat(dir, entry->name, &info, AT_SYMLINK_NOFOLLOW) != 0) continue;
            if (S_ISREG(info.st_mode) && info.st_size > report.largest_file) report.largest_file = info.st_size;
            if (!S_ISDIR(info.st_mode)) continue;
            int sub = openat(dir, entry->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0) { measure_tree(sub, depth + 1); close(sub); }
        }
    }
}

static void close_all_but(const int *keep, int count) {
    // A keeper holding tcplab's sockets would keep them open after tcplab closes them, and so
    // delay the FIN of another run's connection: it keeps only what it was given.
    int sorted[8], used = 0;
    for (int i = 0; i < count; i++) if (keep[i] > 2) sorted[used++] = keep[i];
    for (int i = 0; i < used; i++)
        for (int j = i + 1; j < used; j++)
            if (sorted[j] < sorted[i]) { int t = sorted[i]; sorted[i] = sorted[j]; sorted[j] = t; }
    unsigned int from = 3;
    for (int i = 0; i < used; i++) {
        if ((unsigned int)sorted[i] > from) syscall(SYS_close_range, from, (unsigned int)sorted[i] - 1, 0);
        from = (unsigned int)sorted[i] + 1;
    }
    syscall(SYS_close_range, from, ~0U, 0);
}


static void make_view(void) {
    const char *root = box->staging_root, *shm_source = box->staging_shm;
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) fail(clinux_box_step_mount_private);
    if (mount("tmpfs", box->staging, "tmpfs", MS_NOSUID | MS_NODEV, box->scratch_options) != 0) fail(clinux_box_step_scratch);
    if (mkdir(root, 0755) != 0 || mount(root, root, NULL, MS_BIND, NULL) != 0) fail(clinux_box_step_scratch);
    const char *scratch[] = {"/box", "/tmp", "/proc", "/dev"};
    for (int i = 0; i < 4; i++) if (mkdir(join(0, root, scratch[i]), 0755) != 0) fail(clinux_box_step_scratch);
    if (chmod(join(0, root, "/tmp"), 01777) != 0 || mkdir(shm_source, 01777) != 0 || chmod(shm_source, 01777) != 0)
        fail(clinux_box_step_scratch);
    if (box->set_identity && chown(join(0, root, "/box"), box->uid, box->gid) != 0) fail(clinux_box_step_scratch);
    // Separate mounts, so the root can be made read-only and these stay writable.
    if (mount(join(0, root, "/box"), join(1, root, "/box"), NULL, MS_BIND, NULL) != 0
        || mount(join(0, root, "/tmp"), join(1, root, "/tmp"), NULL, MS_BIND, NULL) != 0) fail(clinux_box_step_scratch);
    for (int i = 0; i < clinux_box_max_paths && box->system_dirs[i]; i++) {
        const char *target = join(0, root, box->system_dirs[i]);
        if (make_path(target, 0755) != 0 || bind_read_only(box->system_dirs[i], target) != 0) fail(clinux_box_step_system);
    }
    for (int i = 0; i < clinux_box_max_paths && box->system_links[i]; i++)
        if (symlink(box->system_link_targets[i], join(0, root, box->system_links[i])) != 0 && errno != EEXIST)
            fail(clinux_box_step_system);
    if (box->submission_path) {
        const char *target = join(0, root, box->submission_path);
        if (make_path(target, 0755) != 0 || bind_read_only(box->submission_path, target) != 0) fail(clinux_box_step_submission);
    }
    const char *proc = join(0, root, "/proc");
    if (mount("proc", proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) fail(clinux_box_step_proc);
    // The run's TCP settings are the namespace's /proc/sys/net: a program must not change them.
    const char *sys = join(1, root, "/proc/sys");
    if (bind_read_only(sys, sys) != 0) fail(clinux_box_step_proc);
    const char *dev = join(0, root, "/dev");
    if (mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755") != 0) fail(clinux_box_step_dev);
    const char *devices[] = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"};
    for (int i = 0; i < 5; i++) {
        const char *target = join(1, root, devices[i]);
        int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
        if (fd < 0) fail(clinux_box_step_dev);
        close(fd);
        if (mount(devices[i], target, NULL, MS_BIND, NULL) != 0) fail(clinux_box_step_dev);
    }
    const char *links[][2] = {{"/dev/fd", "/proc/self/fd"}, {"/dev/stdin", "/proc/self/fd/0"},
                              {"/dev/stdout", "/proc/self/fd/1"}, {"/dev/stderr", "/proc/self/fd/2"}};
    for (int i = 0; i < 4; i++) if (symlink(links[i][1], join(1, root, links[i][0])) != 0) fail(clinux_box_step_dev);
    const char *shm = join(1, root, "/dev/shm");
    if (mkdir(shm, 01777) != 0 || mount(shm_source, shm, NULL, MS_BIND, NULL) != 0) fail(clinux_box_step_dev);
    if (mount(NULL, dev, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755") != 0) fail(clinux_box_step_dev);
    if (chdir(root) != 0 || syscall(SYS_pivot_root, ".", ".") != 0 || umount2(".", MNT_DETACH) != 0 || chdir("/") != 0)
        fail(clinux_box_step_pivot);
    if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) != 0) fail(clinux_box_step_pivot);
}

static const char *scratch_path(void) { return box->namespaces ? "/box" : box->scratch_dir; }

static void copy_in(void) {
    if (box->submission_fd < 0) return;
    const char *from_path = box->namespaces ? box->submission_path : NULL;
    int from = from_path ? open(from_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                         : openat(box->submission_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int to = open(scratch_path(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct copy_rules rules = {.keep_links = 1, .chown = box->set_identity, .max_depth = 16};
    if (from < 0 || to < 0 || copy_tree(from, to, 0, &rules) != 0) fail(clinux_box_step_copy_in);
    close(from);
    close(to);
    // Only what the program writes is copied out, not its own code.
    report.copied_files = 0;
    report.copied_bytes = 0;
    report.skipped_files = 0;
}

static void make_out_folder(void) {
    if (box->out_fd < 0) return;
    int scratch = open(scratch_path(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (scratch < 0 || (mkdirat(scratch, "out", 0755) != 0 && errno != EEXIST)) fail(clinux_box_step_copy_in);
    if (box->set_identity) (void)fchownat(scratch, "out", box->uid, box->gid, 0);
    close(scratch);
}

static void copy_out(void) {
    if (box->out_fd < 0) return;
    int scratch = open(scratch_path(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int from = scratch >= 0 ? openat(scratch, "out", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
    struct copy_rules rules = {.keep_links = 0, .chown = 0, .max_depth = 8};
    if (from >= 0) (void)copy_tree(from, box->out_fd, 0, &rules);
    if (from >= 0) close(from);
    if (scratch >= 0) close(scratch);
}

static void drop_capabilities(void) {
    for (int cap = 0; cap <= 63; cap++) {
        // EPERM: tcplab has no CAP_SETPCAP, so it has no capability to pass on either, and
        // no-new-privileges keeps a setuid binary from gaining what the bounding set still allows.
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL && errno != EPERM) fail(clinux_box_step_capabilities);
    }
    (void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
}

static void set_limit(int resource, uint64_t value) {
    if (value == 0) return;
    struct rlimit limit = {.rlim_cur = value, .rlim_max = value};
    if (setrlimit(resource, &limit) != 0) fail(clinux_box_step_limits);
}

static void become_program(int exec_error_fd) {
    setsid();
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0) fail(clinux_box_step_start);
    dup2(null, 0);
    dup2(box->stdout_fd >= 0 ? box->stdout_fd : null, 1);
    dup2(box->stderr_fd >= 0 ? box->stderr_fd : null, 2);
    if (chdir(scratch_path()) != 0) fail(clinux_box_step_start);
    set_limit(RLIMIT_CPU, box->cpu_seconds);
    set_limit(RLIMIT_FSIZE, box->file_bytes);
    set_limit(RLIMIT_NOFILE, box->open_files);
    set_limit(RLIMIT_NPROC, box->processes);
    set_limit(RLIMIT_AS, box->address_space);
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    drop_capabilities();
    if (box->set_identity) {
        // Raw calls: glibc's wrappers signal every thread the parent had, which this clone lacks, and wait forever.
        if (syscall(SYS_setgroups, 0, NULL) != 0 || syscall(SYS_setresgid, box->gid, box->gid, box->gid) != 0
            || syscall(SYS_setresuid, box->uid, box->uid, box->uid) != 0) fail(clinux_box_step_identity);
    } else {
        // Root of a user namespace (its own, or tcplab's at the container level) keeps its
        // capabilities there across exec unless they are cleared.
        struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
        struct __user_cap_data_struct none[2];
        memset(none, 0, sizeof none);
        if (syscall(SYS_capset, &header, none) != 0) fail(clinux_box_step_capabilities);
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(clinux_box_step_capabilities);
    if (!box->namespaces) (void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    // Every descriptor above 2 is closed by the exec, the error pipe with them.
    syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
    execve(box->path, box->argv, box->envp);
    int code = errno;
    ssize_t ignored = write(exec_error_fd, &code, sizeof code);
    (void)ignored;
    _exit(127);
}

static void on_stop(int sig, siginfo_t *info, void *context) {
    (void)sig; (void)context;
    // In the sandbox only tcplab, outside the namespace, is seen with pid 0: the program's own
    // signals to its parent are not a request to stop.
    if (!box->namespaces || info->si_pid == 0) stop_requested = 1;
}

static void on_alarm(int sig) { (void)sig; grace_over = 1; }

static void kill_rest(pid_t program, int sig) {
    if (box->namespaces) kill(-1, sig);
    else kill(-program, sig);
}

/// Container level: no namespace holds the program's helpers, so every process of its own uid is
/// killed, from a process that takes that uid (kill(-1) as a user reaches only that user's).
static void kill_identity(void) {
    if (box->namespaces || !box->set_identity) return;
    long pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) {
        if (syscall(SYS_setresgid, box->gid, box->gid, box->gid) == 0 && syscall(SYS_setresuid, box->uid, box->uid, box->uid) == 0)
            kill(-1, SIGKILL);
        _exit(0);
    }
    if (pid > 0) { int ignored; waitpid((pid_t)pid, &ignored, 0); }
}

static void on_child(int sig) { (void)sig; }

/// Reaps until nothing is left. Signals stay blocked except inside ppoll, so a stop request
/// that arrives between two looks is seen at the next one, never lost.
static void supervise(pid_t program, const sigset_t *waiting) {
    int program_done = 0, forwarded = 0, killed = 0;
    for (;;) {
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, __WALL | WNOHANG)) > 0) {
            if (pid != program) continue;
            report.wait_status = status;
            program_done = 1;
            kill_rest(program, SIGKILL);
            kill_identity();
        }
        if (pid < 0 && errno == ECHILD) return;
        if (stop_requested && !forwarded && !program_done) {
            forwarded = 1;
            kill_rest(program, SIGTERM);
            struct itimerval grace = {.it_value = {.tv_sec = box->grace_ms / 1000, .tv_usec = (box->grace_ms % 1000) * 1000}};
            setitimer(ITIMER_REAL, &grace, NULL);
        }
        if (grace_over && !killed) { killed = 1; kill_rest(program, SIGKILL); kill_identity(); }
        ppoll(NULL, 0, NULL, waiting);
    }
}

static void copy_log(void) {
    if (box->log_fd < 0 || !box->log_path) return;
    int in = open(box->log_path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (in < 0) return;
    for (;;) {
        ssize_t n = read(in, copy_buffer, sizeof copy_buffer);
        if (n <= 0) break;
        if (write(box->log_fd, copy_buffer, (size_t)n) != n) break;
    }
    close(in);
}

static void account(void) {
    struct rusage usage;
    if (getrusage(RUSAGE_CHILDREN, &usage) == 0) {
        report.cpu_us = (int64_t)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000
            + usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
        report.max_rss_kb = usage.ru_maxrss;
    }
    report.processes = -1;
    if (box->namespaces) {
        char text[32] = {0};
        int fd = open("/proc/sys/kernel/ns_last_pid", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            ssize_t n = read(fd, text, sizeof text - 1);
            close(fd);
            int last = 0;
            for (ssize_t i = 0; i < n && text[i] >= '0' && text[i] <= '9'; i++) last = last * 10 + (text[i] - '0');
            // The keeper is pid 1; every pid after it is a process the program started, itself included.
            if (last > 1) report.processes = last - 1;
        }
    }
    int scratch = open(scratch_path(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (scratch >= 0) {
        measure_tree(scratch, 0);
        struct statfs space;
        if (box->namespaces && fstatfs(scratch, &space) == 0) report.scratch_full = space.f_bavail == 0;
        close(scratch);
    }
    if (box->namespaces) {
        int tmp = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (tmp >= 0) { measure_tree(tmp, 0); close(tmp); }
    }
}

static void keeper(void) {
    int keep[] = {box->report_fd, box->stdout_fd, box->stderr_fd, box->log_fd, box->submission_fd, box->out_fd};
    close_all_but(keep, 6);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &action, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (box->user_namespace) {
        // Root of the new user namespace is tcplab's own uid outside it, and nothing more.
        if (write_text("/proc/self/setgroups", "deny") != 0 || write_text("/proc/self/uid_map", "0 0 1") != 0
            || write_text("/proc/self/gid_map", "0 0 1") != 0) fail(clinux_box_step_user_map);
    }
    for (int i = 0; i < clinux_box_max_cgroups && box->cgroup_procs[i]; i++)
        if (write_text(box->cgroup_procs[i], "0") != 0) fail(clinux_box_step_cgroup);
    if (box->namespaces) make_view();
    copy_in();
    make_out_folder();
    sigset_t handled, waiting;
    sigemptyset(&handled);
    sigaddset(&handled, SIGTERM);
    sigaddset(&handled, SIGALRM);
    sigaddset(&handled, SIGCHLD);
    sigprocmask(SIG_BLOCK, &handled, &waiting);
    struct sigaction stop;
    memset(&stop, 0, sizeof stop);
    stop.sa_sigaction = on_stop;
    stop.sa_flags = SA_SIGINFO;
    sigaction(SIGTERM, &stop, NULL);
    struct sigaction other;
    memset(&other, 0, sizeof other);
    other.sa_handler = on_alarm;
    sigaction(SIGALRM, &other, NULL);
    other.sa_handler = on_child;
    sigaction(SIGCHLD, &other, NULL);
    int exec_error[2];
    if (pipe2(exec_error, O_CLOEXEC) != 0) fail(clinux_box_step_start);
    long program = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (program < 0) fail(clinux_box_step_start);
    if (program == 0) { close(exec_error[0]); become_program(exec_error[1]); }
    close(exec_error[1]);
    if (box->stdout_fd >= 0) close(box->stdout_fd);
    if (box->stderr_fd >= 0) close(box->stderr_fd);
    int code = 0;
    ssize_t n;
    do { n = read(exec_error[0], &code, sizeof code); } while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof code) started();
    supervise((pid_t)program, &waiting);
    if (n == (ssize_t)sizeof code) { errno = code; fail(clinux_box_step_exec); }
    account();
    copy_log();
    copy_out();
    finish();
}

pid_t clinux_box_start(const struct clinux_box *request) {
    int flags = SIGCHLD;
    if (request->namespaces) {
        flags |= CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS;
        if (request->user_namespace) flags |= CLONE_NEWUSER;
    }
    long pid = syscall(SYS_clone, flags, 0, 0, 0, 0);
    if (pid != 0) return (pid_t)pid;
    box = request;
    memset(&report, 0, sizeof report);
    keeper();
    _exit(127);
}

int clinux_open_beneath(int dirfd, const char *path, int flags) {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (uint64_t)(flags | O_CLOEXEC);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

#include <ftw.h>
#include <stdio.h>

static int remove_entry(const char *path, const struct stat *info, int type, struct FTW *walk) {
    (void)info; (void)type; (void)walk;
    remove(path);
    return 0;
}

int clinux_remove_tree(const char *path) { return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS); }
