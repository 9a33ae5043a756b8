import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// The descriptors a keeper is given: the output pipes, its report pipe, the program's folder,
/// the output folder and strace's log. The parent's copies are closed once the keeper has its own.
struct BoxDescriptors {
    var outputReadEnds: [Int32] = []
    var outputWriteEnds: [Int32] = []
    var reportRead: Int32 = -1
    var reportWrite: Int32 = -1
    var submission: Int32 = -1
    var out: Int32 = -1
    var log: Int32 = -1
    private var owned = true

    mutating func open(options: ChildProcess.Options, sandbox: Sandbox) throws(SystemError) {
        if options.captureOutput {
            for _ in 0..<2 {
                var fds: [Int32] = [-1, -1]
                guard clinux_output_pipe(&fds) == 0 else { throw failure("pipe2", "") }
                outputReadEnds.append(fds[0])
                outputWriteEnds.append(fds[1])
            }
        }
        var report: [Int32] = [-1, -1]
        guard pipe(&report) == 0 else { throw failure("pipe", "") }
        (reportRead, reportWrite) = (report[0], report[1])
        _ = fcntl(reportRead, F_SETFD, FD_CLOEXEC)
        _ = fcntl(reportWrite, F_SETFD, FD_CLOEXEC)
        if let directory = options.directory {
            submission = Glibc.open(directory, 0o10000000 /* O_PATH */ | O_DIRECTORY | O_CLOEXEC)
            if submission < 0 { throw failure("open", directory) }
        }
        if let folder = sandbox.out {
            out = Glibc.open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if out < 0 { throw failure("open", folder) }
        }
        if let copy = options.traceLogCopy {
            // A partial file (`FileSystem.temporaryName`), so an interrupt removes it; only tcplab may read it.
            log = try FileSystem.createPartial(copy, mode: 0o600)
        }
    }

    private func failure(_ call: String, _ subject: String) -> SystemError {
        SystemError(call: call, subject: subject, errno: errno)
    }

    /// What only the keeper needs once it has started.
    mutating func closeParentEnds() {
        for fd in outputWriteEnds + [reportWrite, submission, out, log] where fd >= 0 { _ = Glibc.close(fd) }
        outputWriteEnds = []
        (reportWrite, submission, out, log) = (-1, -1, -1, -1)
    }

    /// Everything still held: all of it when the start failed, nothing once handed over.
    mutating func closeAll() {
        closeParentEnds()
        if owned { closeReadEnds() }
    }

    mutating func closeReadEnds() {
        for fd in outputReadEnds + [reportRead] where fd >= 0 { _ = Glibc.close(fd) }
        outputReadEnds = []
        reportRead = -1
    }

    /// The read ends now belong to the ChildProcess.
    mutating func handedOver() {
        owned = false
        outputReadEnds = []
        reportRead = -1
    }
}

/// C strings that live until `free`, for a keeper that must not allocate.
struct CStrings {
    private var pointers: [UnsafeMutablePointer<CChar>] = []
    private var arrays: [UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>] = []

    mutating func add(_ text: String) -> UnsafePointer<CChar> {
        let pointer = strdup(text)!
        pointers.append(pointer)
        return UnsafePointer(pointer)
    }

    /// A NULL-terminated array, as execve takes argv and envp.
    mutating func array(_ texts: [String]) -> UnsafePointer<UnsafeMutablePointer<CChar>?> {
        let array = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: texts.count + 1)
        for (index, text) in texts.enumerated() {
            let pointer = strdup(text)!
            pointers.append(pointer)
            array[index] = pointer
        }
        array[texts.count] = nil
        arrays.append(array)
        return UnsafePointer(array)
    }

    /// Fills a fixed C array of strings (a tuple in Swift), NULL after the last.
    mutating func fill<T>(_ tuple: inout T, _ texts: [String]) {
        let capacity = MemoryLayout<T>.size / MemoryLayout<UnsafePointer<CChar>?>.stride
        var values: [UnsafePointer<CChar>?] = []
        for text in texts.prefix(capacity - 1) { values.append(add(text)) }
        withUnsafeMutableBytes(of: &tuple) { raw in
            let slots = raw.bindMemory(to: UnsafePointer<CChar>?.self)
            for index in 0..<capacity { slots[index] = index < values.count ? values[index] : nil }
        }
    }

    mutating func free() {
        pointers.forEach { Glibc.free($0) }
        arrays.forEach { $0.deallocate() }
        pointers = []
        arrays = []
    }
}
