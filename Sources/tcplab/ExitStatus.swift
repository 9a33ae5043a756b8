import ArgumentParser

/// tcplab's exit statuses, the ones `tcplab --help` lists: sysexits(3) where it has a name for
/// the case, as swift-argument-parser's ValidationError → 64 does.
enum ExitStatus: Int32, CaseIterable {
    /// Every expectation held.
    case passed = 0
    /// An expectation failed (or, for check, nothing in the file matches).
    case expectationFailed = 1
    /// A capture file is not a capture, empty, corrupt or cut short.
    case badCapture = 2
    /// EX_USAGE: a wrong option or argument, or a value past its bound.
    case usage = 64
    /// EX_DATAERR: a malformed experiment file.
    case malformedExperiment = 65
    /// EX_NOINPUT: a missing file, an unknown experiment, a folder without experiments.
    case missingInput = 66
    /// EX_UNAVAILABLE: a tool tcplab needs is not installed (strace).
    case unavailable = 69
    /// EX_SOFTWARE: a harness failure (capture incomplete) or an internal error.
    case internalError = 70
    /// EX_CANTCREAT: an output file cannot be written.
    case cannotWrite = 73
    /// EX_NOPERM: no permission to capture, or to run programs as asked.
    case noPermission = 77

    /// The status a library's error or outcome carries. The libraries give only the codes
    /// above; any other would be a bug, and is reported as one rather than passed on.
    init(code: Int32) { self = ExitStatus(rawValue: code) ?? .internalError }

    /// What ends the command with this status.
    var exit: ExitCode { ExitCode(rawValue) }
}

/// Says why on standard error and gives what ends the command with `status`:
/// `throw fail("…", .usage)`.
func fail(_ message: String, _ status: ExitStatus) -> ExitCode {
    complain(message)
    return status.exit
}
