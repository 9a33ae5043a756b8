import Foundation
import Testing

/// tcplab in a container's default profile (issue 29), emulated: a fresh network namespace with lo
/// up stands for the container's, /proc/sys is remounted read-only, and Fixtures/container's helper
/// refuses unshare, setns and namespace clones (EPERM), answers clone3 with ENOSYS and keeps only
/// Docker's default capabilities before it execs tcplab.
@Suite(.serialized) struct ContainerProfileTests {
    static let canRun = getuid() == 0 && PrerequisiteTests.executable("/usr/bin/unshare") && cCompiler != nil
        && PrerequisiteTests.executable("/usr/sbin/ip", "/usr/bin/ip") && PrerequisiteTests.executable("/usr/bin/python3")

    /// The helper, compiled once into a folder of its own.
    static let helper: String? = {
        guard canRun, let compiler = cCompiler, let dir = try? Repository.temporaryDirectory() else { return nil }
        let source = Repository.root + "/Tests/IntegrationTests/Fixtures/container/container_profile.c"
        let built = try? execute(compiler, ["-O2", "-Wall", "-o", dir + "/container_profile", source])
        return built?.status == 0 ? dir + "/container_profile" : nil
    }()

    /// Runs tcplab with `arguments` in the emulated profile.
    static func inProfile(_ arguments: [String]) throws -> Finished {
        let helper = try #require(Self.helper, "the container-profile helper did not compile")
        let script = "ip link set lo up && mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys && exec \"$@\""
        return try execute("/usr/bin/unshare", ["-n", "-m", "/bin/sh", "-c", script, "sh", helper, Repository.binary] + arguments)
    }

    @Test(.enabled(if: canRun, "needs root, unshare, mount, ip, cc and python3"))
    func theHelperRefusesNamespacesAndKeepsDockersCapabilities() throws {
        let helper = try #require(Self.helper)
        let script = "ip link set lo up && mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys && exec \"$@\""
        let probe = "unshare -n true 2>/dev/null; echo unshare=$?; grep CapBnd /proc/self/status; (echo 1 > /proc/sys/net/ipv4/tcp_no_metrics_save) 2>/dev/null; echo write=$?"
        let result = try execute("/usr/bin/unshare", ["-n", "-m", "/bin/sh", "-c", script, "sh", helper, "/bin/sh", "-c", probe])
        #expect(result.output.contains("unshare=1"), "\(result.output)\(result.error)")
        #expect(result.output.contains("CapBnd:\t00000000a80425fb"), "Docker's default bounding set: \(result.output)")
        #expect(result.output.contains("write=2") || result.output.contains("write=1"), "\(result.output)")
    }

    @Test(.enabled(if: canRun, "needs root, unshare, mount, ip, cc and python3"))
    func runAllPassesEveryReproducibleExperimentAndNamesTheOthers() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try Self.inProfile(["run", "--all", "--experiments", Repository.experiments, "--out", dir + "/traces",
                                         "--json", dir + "/runs.json"])
        let text = result.output + result.error
        // 69: everything that ran passed, and some experiment could not be reproduced here.
        #expect(result.status == 69, "\(text)")
        let header = result.output.split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.hasPrefix("isolation: container") && header.contains("network: this namespace's lo")
                && header.contains("because a private namespace is refused here"), "the fallback's header line: \(header)")
        for name in Repository.experimentNames where name != "experiment-62" {
            #expect(result.output.contains("\(name): passed"), "\(name): \(text)")
        }
        #expect(result.error.contains("experiment-62: not reproducible here: it needs lo's MTU at 1500, and it is 65536; changing it needs CAP_NET_ADMIN"),
                "\(text)")
        let json = try String(contentsOfFile: dir + "/runs.json", encoding: .utf8)
        #expect(json.contains("\"network\":\"current\"") || json.contains("\"network\" : \"current\""), "the run record names the network")
        #expect(json.contains("not reproducible here"), "experiment-62's status in the record")
    }

    @Test(.enabled(if: canRun, "needs root, unshare, mount, ip, cc and python3"))
    func gradeCodePassesAnHonestStudent() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let folder = dir + "/class/honest"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try PassingServer.install(in: folder)
        try "{\"experiment-2\": {\"server\": \"python3 server.py {port} 5\"}}".write(toFile: folder + "/tcplab.json", atomically: true, encoding: .utf8)
        _ = try execute("/bin/chmod", ["-R", "a+rX", dir])
        let result = try Self.inProfile(["grade", dir + "/class", "--code", "--repeat", "3", "--experiments", Repository.experiments,
                                         "--out", dir + "/out"])
        #expect(result.status == 0, "\(result.output)\(result.error)")
        #expect(result.output.hasPrefix("isolation: container"), "\(result.output)")
        #expect(result.output.split(separator: "\n").contains { $0.hasPrefix("honest ") && $0.contains("3/3") }, "\(result.output)")
    }

    @Test(.enabled(if: canRun, "needs root, unshare, mount, ip, cc and python3"))
    func askingForAPrivateNetworkThereIsRefusedNotWeakened() throws {
        let result = try Self.inProfile(["run", "experiment-2", "--network", "private", "--experiments", Repository.experiments,
                                         "--out", "/tmp/tcplab-unused-\(getpid())"])
        #expect(result.status == 77, "\(result.output)\(result.error)")
        #expect(result.error.contains("cannot create a network namespace") && result.error.contains("--network current"), "\(result.error)")
    }

    @Test(.enabled(if: getuid() == 0, "needs root (namespaces and capture)"))
    func whereNamespacesWorkTheRunIsPrivateAsBefore() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try execute(Repository.binary, ["run", "experiment-62", "--experiments", Repository.experiments, "--out", dir,
                                                     "--json", dir + "/runs.json"])
        #expect(result.status == 0, "\(result.output)\(result.error)")
        #expect(!result.output.contains("network:"), "no header line where nothing is shared: \(result.output)")
        let json = try String(contentsOfFile: dir + "/runs.json", encoding: .utf8)
        #expect(json.contains("\"network\":\"private\"") || json.contains("\"network\" : \"private\""), "\(json.prefix(400))")
    }
}
