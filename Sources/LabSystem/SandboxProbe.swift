#if canImport(Glibc)
import Glibc
#endif

/// Whether a level can be had on this machine, found once by starting /bin/true in it: a
/// container's default profile refuses the namespaces, and tcplab then says so before any run
/// rather than run untrusted code at a weaker level.
public enum SandboxProbe {
    private static let sandbox: String? = probe(.sandbox)
    private static let container: String? = probe(.container)

    /// Why the level cannot be had, or nil when it can.
    public static func refusal(_ level: IsolationLevel) -> String? {
        switch level {
        case .sandbox: sandbox
        case .container: container
        case .none: nil
        }
    }

    private static func probe(_ level: IsolationLevel) -> String? {
        guard let truePath = FileSystem.findExecutable("true", directory: "/") else { return nil }
        do {
            let box = try Sandbox(level: level, limits: SandboxLimits(), submission: nil, out: nil)
            var options = ChildProcess.Options()
            options.sandbox = box
            options.environment = []
            let child = try ChildProcess.spawn(truePath, [], options: options)
            _ = child.supervise(until: .now + .seconds(5))
            let status = child.terminate(grace: .milliseconds(100))
            return status == .exited(0) ? nil : "a test program in it \(status)"
        } catch {
            // The probe's own program is not the user's: name the call and the reason only.
            return "\(error.call): \(SystemError.describe(error.errno)) (\(error.symbol))"
        }
    }
}
