import FoundationEssentials
import LabPackets
import LabSystem

/// Debian's headless Chromium as the lab's browser. It runs from the client's thread, so it
/// lives in the client host's network namespace and can reach nothing but the run's own server.
public enum Browser {
    static let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// How a wait for the server to fall quiet ended.
    public enum QuietServer: Sendable {
        case quiet, serverStopped
        /// With what the server had done by then, in words.
        case timedOut(String)
    }

    /// Opens each path in turn with one profile (so the second visit finds the favicon
    /// cached, as the lab's browser did). A visit ends when the server has sent the
    /// responses expected so far and closed every connection after its idle timeout; then
    /// the browser is stopped.
    /// `waitForQuietServer(responses, timeout)` blocks until the server has sent that many
    /// responses in all and closed every connection.
    public static func visit(_ paths: [String], responses: [Int], host: IPv4Address = .loopback, port: UInt16, timeout: Duration,
                             waitForQuietServer: (Int, Duration) -> QuietServer) throws {
        guard let program = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw Failure(description: "no chromium found (apt-get install chromium)")
        }
        // The browser renders what the student's server sends, so it is fenced as a program is, at
        // the level that keeps its profile from one visit to the next: a uid of its own (as root),
        // limits, no descriptor or variable of tcplab's. With a uid that is not root, Chromium's
        // own sandbox fences its renderers too.
        let profile = try FileSystem.makeTemporaryFolder(prefix: "tcplab-chromium-")
        defer { FileSystem.removeTree(profile) }
        var expected = 0, earlier: Sandbox?
        for (path, count) in zip(paths, responses) {
            expected += count
            let sandbox = try Sandbox(level: .container, limits: .browser, submission: nil, out: nil, identityOf: earlier,
                                      boundingAddressSpace: false)
            if earlier == nil { try sandbox.handOver(profile) }
            earlier = sandbox
            var options = ChildProcess.Options()
            options.sandbox = sandbox
            options.environment = ["PATH=/usr/bin:/bin", "HOME=\(sandbox.scratch)", "LANG=C.UTF-8"]
            let browser = try ChildProcess.spawn(program, [
                "--headless=new", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile)",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "http://\(host):\(port)\(path)",
            ] + (sandbox.programIsRoot ? ["--no-sandbox"] : []), options: options)
            let outcome = waitForQuietServer(expected, timeout)
            browser.terminate()
            switch outcome {
            case .quiet: continue
            case .serverStopped: throw Failure(description: "the server stopped during the visit to \(path)")
            case let .timedOut(state):
                throw Failure(description: "the visit to \(path) did not end within \(formatDuration(timeout)) (\(expected) responses expected; \(state))")
            }
        }
    }
}
