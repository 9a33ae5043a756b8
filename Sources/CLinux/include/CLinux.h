#ifndef TCPLAB_CLINUX_H
#define TCPLAB_CLINUX_H

#include <stdint.h>
#include <sys/types.h>

/// Thin wrappers over calls that need _GNU_SOURCE or ioctl structs that Swift
/// cannot build itself. Each returns what the kernel returned; errors leave errno set.

int clinux_unshare_net(void);
int clinux_unshare_user_and_net(void);
int clinux_setns_net(int fd);
/* How many CPUs this thread may run on (taskset and cpusets narrow it); -1 on error. */
int clinux_cpus_allowed(void);
int clinux_accept_cloexec(int fd);
int clinux_eventfd(void);
/// pidfd_open(2): a descriptor that polls readable once the process has exited.
int clinux_pidfd_open(pid_t pid);
/// pipe2(O_CLOEXEC); the read end is also O_NONBLOCK.
int clinux_output_pipe(int fds[2]);
/// posix_spawn_file_actions_addchdir_np, which needs _GNU_SOURCE.
#include <spawn.h>
int clinux_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);
void clinux_line_buffer_stdout(void);

/// Interrupt cleanup. SIGINT or SIGTERM kills every tracked child process group and removes
/// every tracked partial file, then exits 128+signal. Async-signal-safe: fixed tables, kill,
/// unlink, _exit.
void clinux_install_interrupt_cleanup(void);
/// Tells the interrupt handler to erase the terminal's status line before it exits.
void clinux_set_status_line_shown(int shown);
void clinux_track_child_group(pid_t group);
/// Brackets starting a child and tracking its group: an interrupt meanwhile waits for the end.
void clinux_spawn_begin(void);
void clinux_spawn_end(void);
/// True once the child has exited; it is left unreaped (a zombie), so its pid is not reused.
int clinux_child_exited(pid_t pid);
void clinux_untrack_child_group(pid_t group);
/// A container-level sandbox's uid, whose every process an interrupt kills.
void clinux_track_identity(uid_t uid);
void clinux_untrack_identity(uid_t uid);
/// A number no earlier call returned, for unique partial-file names.
unsigned long clinux_next_partial_serial(void);
void clinux_track_partial_file(const char *path);
void clinux_untrack_partial_file(const char *path);
/// True when `path` is in the table, ready for the handler to remove.
int clinux_partial_file_tracked(const char *path);
/// Creates (or empties) a tracked partial file and opens it for writing; -1 with errno on failure.
/// Once an interrupt is being handled no thread creates one any more (it waits for the exit), and
/// the handler waits for those already creating one: every partial file on disk is then tracked
/// when the handler removes them, so none outlives an interrupt.
int clinux_create_partial_file(const char *path, int mode);

/// Sets IFF_UP on the named interface (SIOCGIFFLAGS, then SIOCSIFFLAGS).
int clinux_interface_up(const char *name);
/// SIOCSIFMTU.
int clinux_interface_set_mtu(const char *name, int mtu);
/// ETHTOOL_STSO / ETHTOOL_SGSO / ETHTOOL_SGRO through SIOCETHTOOL; each enabled is 0 or 1.
int clinux_interface_set_offloads(const char *name, int enabled);
/// SIOCGIFFLAGS: the interface's flags (IFF_UP, ...) into `*flags`.
int clinux_interface_flags(const char *name, int *flags);
/// SIOCGIFMTU into `*mtu`.
int clinux_interface_mtu(const char *name, int *mtu);
/// ETHTOOL_GTSO / ETHTOOL_GGSO / ETHTOOL_GGRO into `states[0..2]`, each 0 or 1. Reading needs no capability.
int clinux_interface_offloads(const char *name, int states[3]);
/// Creates a veth pair: `name` here, `peer` in the namespace `peer_netns_fd`. 0, or -1 and errno.
int clinux_veth_create(const char *name, const char *peer, int peer_netns_fd);
/// Finds the kernel's acknowledgement of request `seq` from port `port` in a netlink reply:
/// 1 with `*error` set to its errno (0 for success), 0 when the reply holds none, -1 when the
/// acknowledgement is malformed. Reads only within `length`.
int clinux_netlink_acknowledgement(const void *reply, size_t length, uint32_t seq, uint32_t port, int *error);
/// Gives `name` the address `local` with `peer` (both network order) as its only neighbour.
int clinux_address_add(const char *name, uint32_t local, uint32_t peer);

#include "Sandbox.h"

#endif
