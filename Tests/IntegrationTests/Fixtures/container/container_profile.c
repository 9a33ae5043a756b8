// Emulates a container runtime's default profile around a command, for the tests of tcplab in a
// container (issue 29): run it inside `unshare -n -m` with lo up and /proc/sys remounted read-only.
// It refuses unshare, setns and namespace clones with EPERM and answers clone3 with ENOSYS (seccomp
// cannot read clone3's flags, so runtimes make glibc fall back to clone), keeps only Docker's
// default capabilities, then execs the command.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NAMESPACE_FLAGS (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)

static const int kept[] = { CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD, CAP_NET_RAW, CAP_SETGID,
    CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE };

static int is_kept(int cap) {
    for (unsigned i = 0; i < sizeof kept / sizeof kept[0]; i++) if (kept[i] == cap) return 1;
    return 0;
}

static int drop_capabilities(void) {
    for (int cap = 0; prctl(PR_CAPBSET_READ, cap) >= 0; cap++) {
        if (!is_kept(cap) && prctl(PR_CAPBSET_DROP, cap) != 0) { perror("PR_CAPBSET_DROP"); return -1; }
    }
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2] = { { 0 }, { 0 } };
    for (unsigned i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        data[kept[i] / 32].effective |= 1u << (kept[i] % 32);
        data[kept[i] / 32].permitted |= 1u << (kept[i] % 32);
    }
    if (syscall(SYS_capset, &header, data) != 0) { perror("capset"); return -1; }
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    return 0;
}

static int install_filter(void) {
    struct sock_filter program[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_unshare, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_setns, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 3),
        // clone's flags are its first argument; the namespace flags are all in its low 32 bits.
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, NAMESPACE_FLAGS, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog fprog = { sizeof program / sizeof program[0], program };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) { perror("PR_SET_NO_NEW_PRIVS"); return -1; }
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) != 0) { perror("PR_SET_SECCOMP"); return -1; }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: container_profile COMMAND [ARG...]\n"); return 64; }
    // Capabilities first: capset and PR_CAPBSET_DROP are not filtered, but dropping needs CAP_SETPCAP.
    if (drop_capabilities() != 0 || install_filter() != 0) return 71;
    execvp(argv[1], argv + 1);
    perror(argv[1]);
    return 127;
}
