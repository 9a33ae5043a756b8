import LabSystem

// An unprivileged user gets a user + network namespace of their own, in which they may
// capture on its lo. That must happen here, before any thread exists: unshare(CLONE_NEWUSER)
// refuses a multi-threaded process.
ProcessSetup.ignoreSIGPIPE()
ProcessSetup.cleanUpOnInterrupt()
ProcessSetup.lineBufferStandardOutput()
if CommandLine.arguments.dropFirst().first == "run" {
    CapturePrivilege.startup = CapturePrivilege.acquire()
}
TCPLab.main()
