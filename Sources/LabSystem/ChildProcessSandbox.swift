import CLinux
#if canImport(Glibc)
import Glibc
#endif

extension ChildProcess {
    /// Starts `path` inside `sandbox` through its keeper, and waits until the program has been
    /// executed or the sandbox could not be made, so a failure is an error here, not an exit later.
    static func spawn(_ path: String, _ arguments: [String], options: Options, in sandbox: Sandbox) throws(SystemError) -> ChildProcess {
        var descriptors = BoxDescriptors()
        defer { descriptors.closeAll() }
        try descriptors.open(options: options, sandbox: sandbox)
        var strings = CStrings()
        defer { strings.free() }
        var box = clinux_box()
        box.path = strings.add(path)
        let argv = strings.array([path] + arguments)
        let envp = strings.array(options.environment ?? [])
        box.argv = argv
        box.envp = envp
        box.stdout_fd = descriptors.outputWriteEnds.first ?? -1
        box.stderr_fd = descriptors.outputWriteEnds.last ?? -1
        box.report_fd = descriptors.reportWrite
        box.log_fd = descriptors.log
        box.log_path = descriptors.log >= 0 ? strings.add(sandbox.traceLog) : nil
        box.namespaces = sandbox.level == .sandbox ? 1 : 0
        // Only the sandbox level makes namespaces; at the container level the program stays in tcplab's.
        box.user_namespace = sandbox.level == .sandbox && !Sandbox.isRealRoot ? 1 : 0
        if let identity = sandbox.identity {
            box.set_identity = 1
            box.uid = identity.uid
            box.gid = identity.gid
        }
        let system = Sandbox.systemEntries
        strings.fill(&box.system_dirs, system.folders)
        strings.fill(&box.system_links, system.links.map(\.0))
        strings.fill(&box.system_link_targets, system.links.map(\.1))
        box.submission_fd = descriptors.submission
        box.submission_path = options.directory.map { strings.add($0) }
        box.out_fd = descriptors.out
        let staging = Sandbox.staging(avoiding: options.directory)
        box.staging = strings.add(staging)
        box.staging_root = strings.add(staging + "/r")
        box.staging_shm = strings.add(staging + "/shm")
        box.scratch_options = strings.add("size=\(sandbox.limits.scratch),mode=0755")
        box.scratch_dir = strings.add(sandbox.scratch)
        strings.fill(&box.cgroup_procs, sandbox.cgroups?.procsFiles ?? [])
        let limits = sandbox.limits
        box.cpu_seconds = UInt64(limits.cpuSeconds)
        box.file_bytes = UInt64(limits.fileSize)
        box.open_files = UInt64(limits.openFiles)
        box.processes = UInt64(limits.processes)
        // Without a memory cgroup the address space is the only memory limit there is.
        box.address_space = sandbox.cgroups?.memory == nil && sandbox.boundsAddressSpace ? UInt64(limits.memory) : 0
        box.grace_ms = 500
        clinux_spawn_begin()
        let pid = clinux_box_start(&box)
        let code = errno
        if pid > 0 { clinux_track_child_group(pid) }
        if pid > 0, sandbox.level == .container, let identity = sandbox.identity { clinux_track_identity(identity.uid) }
        clinux_spawn_end()
        guard pid > 0 else {
            descriptors.closeReadEnds()
            throw SystemError(call: Self.cloneCall(sandbox.level), subject: path, errno: code)
        }
        descriptors.closeParentEnds()
        if let failure = Self.awaitExec(pid: pid, report: descriptors.reportRead) {
            if let identity = sandbox.identity { clinux_untrack_identity(identity.uid) }
            descriptors.closeReadEnds()
            throw SystemError(call: "sandbox: " + failure.step, subject: path, errno: failure.errno)
        }
        let pidfd = clinux_pidfd_open(pid)
        let child = ChildProcess(pid: pid, pidfd: pidfd, pipes: descriptors.outputReadEnds, limit: options.outputLimit,
                                 sandbox: sandbox, reportFD: descriptors.reportRead)
        descriptors.handedOver()
        return child
    }

    private static func cloneCall(_ level: IsolationLevel) -> String {
        level == .sandbox ? (Sandbox.isRealRoot ? "clone(CLONE_NEWPID|CLONE_NEWNS|CLONE_NEWIPC|CLONE_NEWUTS)"
            : "clone(CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNS|CLONE_NEWIPC|CLONE_NEWUTS)") : "clone"
    }

    /// The keeper's first message: nil once the program runs, else the step that failed. A
    /// keeper that failed has exited; it is reaped here.
    private static func awaitExec(pid: pid_t, report: Int32) -> (step: String, errno: Int32)? {
        var message: (Int32, Int32) = (0, 0)
        let first = readFully(report, &message.0)
        if first && message.0 == 0 { return nil }
        let known = first && readFully(report, &message.1)
        var raw: Int32 = 0
        kill(-pid, SIGKILL)
        clinux_untrack_child_group(pid)
        waitpid(pid, &raw, 0)
        guard known else { return ("its keeper ended before the program started", ECHILD) }
        return (Self.stepNames[UInt32(bitPattern: message.0)] ?? "step \(message.0)", message.1)
    }

    private static func readFully(_ fd: Int32, _ value: inout Int32) -> Bool {
        withUnsafeMutableBytes(of: &value) { buffer in
            var done = 0
            while done < buffer.count {
                let n = read(fd, buffer.baseAddress! + done, buffer.count - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                done += n
            }
            return true
        }
    }

    static let stepNames: [UInt32: String] = [
        clinux_box_step_user_map.rawValue: "writing its user namespace's uid map",
        clinux_box_step_cgroup.rawValue: "joining its cgroups",
        clinux_box_step_mount_private.rawValue: "making its mounts private",
        clinux_box_step_scratch.rawValue: "mounting its scratch",
        clinux_box_step_system.rawValue: "binding the system read-only",
        clinux_box_step_submission.rawValue: "binding the program's folder read-only",
        clinux_box_step_proc.rawValue: "mounting its /proc",
        clinux_box_step_dev.rawValue: "making its /dev",
        clinux_box_step_pivot.rawValue: "pivot_root into its view",
        clinux_box_step_copy_in.rawValue: "copying the program's folder into its scratch",
        clinux_box_step_start.rawValue: "starting the program",
        clinux_box_step_limits.rawValue: "setting its limits",
        clinux_box_step_identity.rawValue: "taking its own uid",
        clinux_box_step_capabilities.rawValue: "dropping its capabilities",
        clinux_box_step_exec.rawValue: "execve",
    ]

    /// Reads the keeper's final report into `usage`, removes the sandbox, and returns how the
    /// program itself ended (the keeper's own status when it left no report).
    func finishSandbox(keeperStatus: ExitStatus) -> ExitStatus {
        guard let sandbox else { return keeperStatus }
        defer {
            if let identity = sandbox.identity { clinux_untrack_identity(identity.uid) }
            sandbox.remove()
            if reportFD >= 0 { _ = Glibc.close(reportFD) }
            reportFD = -1
        }
        var report = clinux_box_report()
        let complete = withUnsafeMutableBytes(of: &report) { buffer in
            read(reportFD, buffer.baseAddress, buffer.count) == buffer.count
        }
        var usage = SandboxUsage(level: sandbox.level)
        usage.uid = sandbox.identity?.uid
        let ended = complete ? ExitStatus(waitStatus: report.wait_status) : keeperStatus
        if complete {
            usage.cpuMicroseconds = report.cpu_us
            usage.processes = report.processes >= 0 ? Int(report.processes) : nil
            usage.copiedFiles = Int(report.copied_files)
            usage.skippedFiles = Int(report.skipped_files)
        }
        let counters = sandbox.cgroups?.counters()
        if let peak = counters?.peakMemory { usage.peakMemory = peak }
        usage.limitHit = SandboxVerdict.limitHit(report: complete ? report : nil, counters: counters, status: ended,
                                                limits: sandbox.limits, usage: usage)
        self.usage = usage
        return ended
    }
}

/// Which limit a program reached, from what can be seen of it: a cgroup's counters, the signal
/// an rlimit sends, a file at the size limit, a full scratch.
enum SandboxVerdict {
    static func limitHit(report: clinux_box_report?, counters: (peakMemory: Int64?, memoryRefused: Bool, peakProcesses: Int?, processesRefused: Int)?,
                         status: ChildProcess.ExitStatus, limits: SandboxLimits, usage: SandboxUsage) -> LimitHit? {
        let peak = SandboxLimits.bytes(Int(usage.peakMemory))
        if let counters, counters.memoryRefused {
            return LimitHit(limit: "memory", value: SandboxLimits.bytes(limits.memory), reached: "peak \(peak), \(status)")
        }
        if let counters, counters.processesRefused > 0 {
            return LimitHit(limit: "processes", value: "\(limits.processes)",
                            reached: "\(counters.peakProcesses ?? limits.processes) at once, \(counters.processesRefused) more refused")
        }
        let cpuSeconds = Double(usage.cpuMicroseconds) / 1_000_000
        if status == .signalled(SIGXCPU) || (status == .signalled(SIGKILL) && cpuSeconds >= Double(limits.cpuSeconds)) {
            return LimitHit(limit: "CPU time", value: "\(limits.cpuSeconds) s", reached: "\(String(format1: cpuSeconds)) s, \(status)")
        }
        guard let report else { return nil }
        if status == .signalled(SIGXFSZ) || report.largest_file >= Int64(limits.fileSize) {
            return LimitHit(limit: "file size", value: SandboxLimits.bytes(limits.fileSize),
                            reached: "a file of \(SandboxLimits.bytes(Int(report.largest_file)))")
        }
        if report.scratch_full != 0 {
            return LimitHit(limit: "scratch", value: SandboxLimits.bytes(limits.scratch), reached: "its scratch was full")
        }
        return nil
    }
}
