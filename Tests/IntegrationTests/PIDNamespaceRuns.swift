import Testing

/// The suites whose runs each start tcplab in a PID namespace of its own, one at a time: two
/// tcplab processes in fresh PID namespaces both see themselves as pid 1, and the sandbox derives
/// its uids and cgroup names from the pid, so concurrent ones would take each other's.
@Suite(.serialized) enum PIDNamespaceRuns {}
