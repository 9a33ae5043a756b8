#define _GNU_SOURCE
#include "CLinux.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <net/if.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int clinux_unshare_net(void) { return unshare(CLONE_NEWNET); }

int clinux_unshare_user_and_net(void) { return unshare(CLONE_NEWUSER | CLONE_NEWNET); }

int clinux_setns_net(int fd) { return setns(fd, CLONE_NEWNET); }

int clinux_cpus_allowed(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return -1;
    return CPU_COUNT(&set);
}

int clinux_accept_cloexec(int fd) { return accept4(fd, NULL, NULL, SOCK_CLOEXEC); }

int clinux_eventfd(void) { return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); }

int clinux_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

int clinux_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

int clinux_output_pipe(int fds[2]) {
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    int flags = fcntl(fds[0], F_GETFL);
    return fcntl(fds[0], F_SETFL, flags | O_NONBLOCK);
}

static int with_ifreq(const char *name, int (*body)(int fd, struct ifreq *ifr, void *ctx), void *ctx) {
    if (strlen(name) >= IFNAMSIZ) { errno = ENAMETOOLONG; return -1; }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
    int rc = body(fd, &ifr, ctx);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

static int up_body(int fd, struct ifreq *ifr, void *ctx) {
    (void)ctx;
    if (ioctl(fd, SIOCGIFFLAGS, ifr) < 0) return -1;
    ifr->ifr_flags |= IFF_UP;
    return ioctl(fd, SIOCSIFFLAGS, ifr);
}

int clinux_interface_up(const char *name) { return with_ifreq(name, up_body, NULL); }

static int mtu_body(int fd, struct ifreq *ifr, void *ctx) {
    ifr->ifr_mtu = *(int *)ctx;
    return ioctl(fd, SIOCSIFMTU, ifr);
}

int clinux_interface_set_mtu(const char *name, int mtu) { return with_ifreq(name, mtu_body, &mtu); }

static int offload_body(int fd, struct ifreq *ifr, void *ctx) {
    // The order matters: the kernel refuses TSO on while SG is off, so TSO goes first when disabling.
    const __u32 commands[] = { ETHTOOL_STSO, ETHTOOL_SGSO, ETHTOOL_SGRO };
    for (unsigned i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        struct ethtool_value value = { .cmd = commands[i], .data = (__u32)*(int *)ctx };
        ifr->ifr_data = (char *)&value;
        if (ioctl(fd, SIOCETHTOOL, ifr) < 0) return -1;
    }
    return 0;
}

int clinux_interface_set_offloads(const char *name, int enabled) {
    return with_ifreq(name, offload_body, &enabled);
}

static int flags_get_body(int fd, struct ifreq *ifr, void *ctx) {
    if (ioctl(fd, SIOCGIFFLAGS, ifr) < 0) return -1;
    *(int *)ctx = ifr->ifr_flags;
    return 0;
}

int clinux_interface_flags(const char *name, int *flags) { return with_ifreq(name, flags_get_body, flags); }

static int mtu_get_body(int fd, struct ifreq *ifr, void *ctx) {
    if (ioctl(fd, SIOCGIFMTU, ifr) < 0) return -1;
    *(int *)ctx = ifr->ifr_mtu;
    return 0;
}

int clinux_interface_mtu(const char *name, int *mtu) { return with_ifreq(name, mtu_get_body, mtu); }

static int offload_get_body(int fd, struct ifreq *ifr, void *ctx) {
    const __u32 commands[] = { ETHTOOL_GTSO, ETHTOOL_GGSO, ETHTOOL_GGRO };
    int *states = ctx;
    for (unsigned i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        struct ethtool_value value = { .cmd = commands[i] };
        ifr->ifr_data = (char *)&value;
        if (ioctl(fd, SIOCETHTOOL, ifr) < 0) return -1;
        states[i] = value.data ? 1 : 0;
    }
    return 0;
}

int clinux_interface_offloads(const char *name, int states[3]) { return with_ifreq(name, offload_get_body, states); }

void clinux_line_buffer_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }

enum { max_tracked = 64, max_path = 4096 };
static volatile pid_t tracked_groups[max_tracked];
static char tracked_paths[max_tracked][max_path];
static volatile sig_atomic_t tracked_path_used[max_tracked];

static volatile sig_atomic_t status_line_shown;
// Uids of sandboxes at the container level: no namespace holds their programs' helpers, so an
// interrupt kills every process of each, from a child that takes that uid.
static volatile uid_t tracked_uids[max_tracked];

static void kill_tracked_uids(void) {
    for (int i = 0; i < max_tracked; i++) {
        uid_t uid = tracked_uids[i];
        if (uid == 0) continue;
        long pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
        if (pid == 0) {
            if (syscall(SYS_setresgid, uid, uid, uid) == 0 && syscall(SYS_setresuid, uid, uid, uid) == 0) kill(-1, SIGKILL);
            _exit(0);
        }
        if (pid > 0) { int ignored; waitpid((pid_t)pid, &ignored, 0); }
    }
}

void clinux_track_identity(uid_t uid) {
    for (int i = 0; i < max_tracked; i++) {
        if (__sync_bool_compare_and_swap(&tracked_uids[i], 0, uid)) return;
    }
}

void clinux_untrack_identity(uid_t uid) {
    for (int i = 0; i < max_tracked; i++) __sync_bool_compare_and_swap(&tracked_uids[i], uid, 0);
}

void clinux_set_status_line_shown(int shown) { status_line_shown = shown; }

// The number of threads starting a child and recording its group: an interrupt then is held
// until the last of them has recorded its group, or a child would outlive us untracked. The
// handler publishes the signal before it looks at the count, and spawn_end lowers the count
// before it looks for a signal, so one of the two always sees the other.
static volatile int spawning;
static volatile sig_atomic_t pending_signal;
// Set once an interrupt is being handled: the handler runs on whichever thread the kernel picked,
// and the main thread, seeing its programs killed, must not exit with the run's verdict first.
static volatile sig_atomic_t interrupting;
// Threads between deciding to create a partial file and having it open (tracked already).
static volatile int creating_partial;

static void interrupt_cleanup(int sig) {
    interrupting = 1;
    pending_signal = sig;
    __sync_synchronize();
    if (spawning) return;
    // A live status line would otherwise stay on the terminal above the shell's prompt.
    if (status_line_shown) {
        // Other threads run on while the groups are killed below and may redraw the line: point
        // their stderr at /dev/null first, then erase through a copy of the terminal's descriptor.
        int terminal = dup(2), null = open("/dev/null", O_WRONLY);
        if (null >= 0) dup2(null, 2);
        ssize_t ignored = write(terminal >= 0 ? terminal : 2, "\r\033[K", 4);
        (void)ignored;
    }
    // A browser forks helpers while it starts: one forked as the first SIGKILL went out joins the
    // group after it, so the group is killed again once it has had time to appear.
    for (int pass = 0; pass < 3; pass++) {
        for (int i = 0; i < max_tracked; i++) {
            if (tracked_groups[i] > 0) kill(-tracked_groups[i], SIGKILL);
        }
        kill_tracked_uids();
        struct timespec pause = { 0, 20 * 1000 * 1000 };
        if (pass < 2) nanosleep(&pause, NULL);
    }
    // A thread that was creating a partial file when the interrupt came gets to finish (its file
    // is tracked before it is created); none starts now. Bounded: this handler may be running on
    // that very thread.
    for (int waited = 0; creating_partial > 0 && waited < 100; waited++) {
        struct timespec tick = { 0, 1000 * 1000 };
        nanosleep(&tick, NULL);
    }
    for (int i = 0; i < max_tracked; i++) {
        if (tracked_path_used[i] == 2) unlink(tracked_paths[i]);
    }
    _exit(128 + sig);
}

void clinux_spawn_begin(void) { __sync_fetch_and_add(&spawning, 1); }

void clinux_spawn_end(void) {
    if (__sync_sub_and_fetch(&spawning, 1) == 0 && pending_signal) interrupt_cleanup(pending_signal);
}

// exit() from any thread while the handler works would end the process with the run's own
// status; held here, the handler's _exit(128 + signal) ends it instead.
static void hold_exit_while_interrupting(void) {
    while (interrupting) pause();
}

int clinux_child_exited(pid_t pid) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    // WNOWAIT: the child stays a zombie, so its pid, and with it its group's id, stays ours.
    if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0) return errno == ECHILD;
    return info.si_pid == pid;
}

void clinux_install_interrupt_cleanup(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = interrupt_cleanup;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    atexit(hold_exit_while_interrupting);
    // A parent may have started us with these blocked (test runners do); they must arrive.
    sigset_t wanted;
    sigemptyset(&wanted);
    sigaddset(&wanted, SIGINT);
    sigaddset(&wanted, SIGTERM);
    sigprocmask(SIG_UNBLOCK, &wanted, NULL);
}

void clinux_track_child_group(pid_t group) {
    for (int i = 0; i < max_tracked; i++) {
        if (__sync_bool_compare_and_swap(&tracked_groups[i], 0, group)) return;
    }
}

void clinux_untrack_child_group(pid_t group) {
    for (int i = 0; i < max_tracked; i++) __sync_bool_compare_and_swap(&tracked_groups[i], group, 0);
}

static unsigned long partial_serial;

unsigned long clinux_next_partial_serial(void) { return __sync_add_and_fetch(&partial_serial, 1); }

// A slot is free (0), being filled by one thread (1), or holds a path the handler may remove (2).
// Claiming is a compare-and-swap, so two writers never share a slot.
void clinux_track_partial_file(const char *path) {
    if (strlen(path) >= max_path) return;
    for (int i = 0; i < max_tracked; i++) {
        if (__sync_bool_compare_and_swap(&tracked_path_used[i], 0, 1)) {
            strcpy(tracked_paths[i], path);
            __sync_synchronize();
            tracked_path_used[i] = 2;
            return;
        }
    }
}

void clinux_untrack_partial_file(const char *path) {
    for (int i = 0; i < max_tracked; i++) {
        if (tracked_path_used[i] == 2 && strcmp(tracked_paths[i], path) == 0) __sync_bool_compare_and_swap(&tracked_path_used[i], 2, 0);
    }
}

int clinux_create_partial_file(const char *path, int mode) {
    __sync_fetch_and_add(&creating_partial, 1);
    if (interrupting) {
        __sync_fetch_and_sub(&creating_partial, 1);
        for (;;) pause();  // the handler is removing partial files and will end the process
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
    int saved = errno;
    __sync_fetch_and_sub(&creating_partial, 1);
    errno = saved;
    return fd;
}

int clinux_partial_file_tracked(const char *path) {
    for (int i = 0; i < max_tracked; i++) {
        if (tracked_path_used[i] == 2 && strcmp(tracked_paths[i], path) == 0) return 1;
    }
    return 0;
}

// rtnetlink by hand: iproute2 may not be installed, and no library on this machine wraps it.
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/veth.h>

struct netlink_request {
    struct nlmsghdr header;
    char body[1024];
};

static struct rtattr *attribute_add(struct netlink_request *request, unsigned short type, const void *data, size_t length) {
    size_t offset = NLMSG_ALIGN(request->header.nlmsg_len);
    size_t total = RTA_LENGTH(length);
    if (offset + RTA_ALIGN(total) > sizeof(*request)) return NULL;
    struct rtattr *attribute = (struct rtattr *)((char *)request + offset);
    attribute->rta_type = type;
    attribute->rta_len = (unsigned short)total;
    if (length) memcpy(RTA_DATA(attribute), data, length);
    request->header.nlmsg_len = (unsigned int)(offset + RTA_ALIGN(total));
    return attribute;
}

static void nest_end(struct netlink_request *request, struct rtattr *nest) {
    nest->rta_len = (unsigned short)((char *)request + request->header.nlmsg_len - (char *)nest);
}

int clinux_netlink_acknowledgement(const void *reply, size_t length, uint32_t seq, uint32_t port, int *error) {
    // NLMSG_OK and NLMSG_NEXT bound every header by what is left, so a short or lying
    // nlmsg_len ends the walk instead of reading past the reply.
    int left = length > (size_t)INT32_MAX ? INT32_MAX : (int)length;
    for (const struct nlmsghdr *h = reply; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
        // A message for another request (an old sequence number, another socket) is not ours.
        if (h->nlmsg_seq != seq || h->nlmsg_pid != port) continue;
        if (h->nlmsg_type != NLMSG_ERROR) continue;
        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr))) return -1;
        const struct nlmsgerr *ack = NLMSG_DATA(h);
        *error = -ack->error;
        return 1;
    }
    return 0;
}

// How long the kernel may take to acknowledge: it answers at once, so a silent socket means
// something is wrong, and a run must fail with a message rather than hang.
static const struct timeval netlink_reply_timeout = { .tv_sec = 10, .tv_usec = 0 };

// Each request its own sequence number, so a late reply to an earlier one is never taken
// for this one's.
static uint32_t netlink_sequence = 0;

static int netlink_fail(int fd, int code) {
    close(fd);
    errno = code;
    return -1;
}

// Sends one request and reads the kernel's acknowledgement of it: 0, or -1 with errno set
// (ETIMEDOUT when none came in time, EPROTO when the acknowledgement was malformed).
static int netlink_transact(struct netlink_request *request) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) return -1;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &netlink_reply_timeout, sizeof(netlink_reply_timeout)) < 0) return netlink_fail(fd, errno);
    // Binding with nl_pid 0 lets the kernel pick this socket's port ID; replies carry it.
    struct sockaddr_nl local = { .nl_family = AF_NETLINK };
    socklen_t local_length = sizeof(local);
    if (bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0) return netlink_fail(fd, errno);
    if (getsockname(fd, (struct sockaddr *)&local, &local_length) < 0) return netlink_fail(fd, errno);
    request->header.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
    request->header.nlmsg_seq = __sync_add_and_fetch(&netlink_sequence, 1);
    request->header.nlmsg_pid = local.nl_pid;
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    if (sendto(fd, request, request->header.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) return netlink_fail(fd, errno);
    char reply[8192];
    for (;;) {
        struct sockaddr_nl from;
        socklen_t from_length = sizeof(from);
        ssize_t n = recvfrom(fd, reply, sizeof(reply), 0, (struct sockaddr *)&from, &from_length);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return netlink_fail(fd, errno == EAGAIN || errno == EWOULDBLOCK ? ETIMEDOUT : errno);
        if (from.nl_pid != 0) continue;  // only the kernel answers a request
        int error = 0;
        int found = clinux_netlink_acknowledgement(reply, (size_t)n, request->header.nlmsg_seq, local.nl_pid, &error);
        if (found < 0) return netlink_fail(fd, EPROTO);
        if (found == 0) continue;
        close(fd);
        if (error == 0) return 0;
        errno = error;
        return -1;
    }
}

int clinux_veth_create(const char *name, const char *peer, int peer_netns_fd) {
    struct netlink_request request;
    memset(&request, 0, sizeof(request));
    request.header.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
    request.header.nlmsg_type = RTM_NEWLINK;
    request.header.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
    if (!attribute_add(&request, IFLA_IFNAME, name, strlen(name) + 1)) goto too_long;
    struct rtattr *info = attribute_add(&request, IFLA_LINKINFO, NULL, 0);
    if (!info || !attribute_add(&request, IFLA_INFO_KIND, "veth", 4)) goto too_long;
    struct rtattr *data = attribute_add(&request, IFLA_INFO_DATA, NULL, 0);
    struct rtattr *peer_info = data ? attribute_add(&request, VETH_INFO_PEER, NULL, 0) : NULL;
    if (!peer_info) goto too_long;
    // The peer's own ifinfomsg comes first inside VETH_INFO_PEER.
    struct ifinfomsg peer_header = { .ifi_family = AF_UNSPEC };
    size_t offset = NLMSG_ALIGN(request.header.nlmsg_len);
    if (offset + NLMSG_ALIGN(sizeof(peer_header)) > sizeof(request)) goto too_long;
    memcpy((char *)&request + offset, &peer_header, sizeof(peer_header));
    request.header.nlmsg_len = (unsigned int)(offset + NLMSG_ALIGN(sizeof(peer_header)));
    uint32_t ns = (uint32_t)peer_netns_fd;
    if (!attribute_add(&request, IFLA_IFNAME, peer, strlen(peer) + 1)) goto too_long;
    if (!attribute_add(&request, IFLA_NET_NS_FD, &ns, sizeof(ns))) goto too_long;
    nest_end(&request, peer_info);
    nest_end(&request, data);
    nest_end(&request, info);
    return netlink_transact(&request);
too_long:
    errno = ENAMETOOLONG;
    return -1;
}

int clinux_address_add(const char *name, uint32_t local, uint32_t peer) {
    unsigned int index = if_nametoindex(name);
    if (index == 0) return -1;
    struct netlink_request request;
    memset(&request, 0, sizeof(request));
    request.header.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
    request.header.nlmsg_type = RTM_NEWADDR;
    request.header.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
    struct ifaddrmsg *address = NLMSG_DATA(&request.header);
    address->ifa_family = AF_INET;
    address->ifa_prefixlen = 32;
    address->ifa_scope = RT_SCOPE_UNIVERSE;
    address->ifa_index = index;
    // IFA_ADDRESS unlike IFA_LOCAL makes it point-to-point: the kernel adds a route to the
    // peer alone, so the namespace has no default route and no other destination.
    if (!attribute_add(&request, IFA_LOCAL, &local, 4) || !attribute_add(&request, IFA_ADDRESS, &peer, 4)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return netlink_transact(&request);
}
