#define _GNU_SOURCE
#include "CLinux.h"

#include <errno.h>
#include <net/if.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int clinux_unshare_net(void) { return unshare(CLONE_NEWNET); }

int clinux_unshare_user_and_net(void) { return unshare(CLONE_NEWUSER | CLONE_NEWNET); }

int clinux_setns_net(int fd) { return setns(fd, CLONE_NEWNET); }

pid_t clinux_gettid(void) { return (pid_t)syscall(SYS_gettid); }

int clinux_accept_cloexec(int fd) { return accept4(fd, NULL, NULL, SOCK_CLOEXEC); }

int clinux_eventfd(void) { return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); }

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

void clinux_line_buffer_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }
