import Foundation
import LabReport
import Testing

/// `make dist`'s tarball, unpacked outside the checkout and run with the Swift toolchain hidden
/// (an empty tmpfs over /opt/swift in a mount namespace of its own), as on a machine without
/// Swift. `make test` builds the tarball first and names it in TCPLAB_DIST; building a static
/// release binary takes minutes, so a plain `swift test` does not.
@Suite struct DistTests {
    static let tarball = ProcessInfo.processInfo.environment["TCPLAB_DIST"] ?? ""
    static let present = !tarball.isEmpty && FileManager.default.fileExists(atPath: tarball)
    static let toolchain = "/opt/swift"

    @Test(.enabled(if: PrerequisiteTests.required, "set TCPLAB_REQUIRE_ALL_TESTS=1 (as .ci/run does) to make a missing tarball fail"))
    func theTarballIsThereOnCI() {
        #expect(Self.present, "TCPLAB_DIST=\(Self.tarball) names no tarball: run the tests with make test, which runs make dist")
    }

    @Test(.enabled(if: present, "set TCPLAB_DIST to a tarball from make dist (make test does)"),
          .enabled(if: getuid() == 0, "needs root for a mount namespace and for run"))
    func theUnpackedReleaseRunsWithoutTheToolchain() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(!dir.hasPrefix(Repository.root + "/"))
        let unpack = try execute("tar", ["-xzf", Self.tarball, "-C", dir])
        #expect(unpack.status == 0, "\(unpack.error)")
        let name = URL(fileURLWithPath: Self.tarball).lastPathComponent.replacingOccurrences(of: ".tar.gz", with: "")
        let root = dir + "/" + name
        for path in ["bin/tcplab", "INSTALL", "VERSION", "share/man/man1/tcplab.1", "share/tcplab/experiments/experiment-2.json",
                     "share/tcplab/experiments/lab/server.py", "share/tcplab/experiments/www/back1.jpg",
                     "share/bash-completion/completions/tcplab", "share/zsh/site-functions/_tcplab",
                     "share/fish/vendor_completions.d/tcplab.fish"] {
            #expect(FileManager.default.fileExists(atPath: root + "/" + path), "\(path) is not in \(name)")
        }
        let install = try String(contentsOfFile: root + "/INSTALL", encoding: .utf8)
        #expect(install.contains("libpcap.so.0.8") && install.range(of: #"glibc 2\.\d+ or newer"#, options: .regularExpression) != nil)

        let needed = try execute("readelf", ["-d", root + "/bin/tcplab"])
        #expect(needed.status == 0 && needed.output.contains("libpcap.so.0.8"))
        #expect(!needed.output.contains("swift") && !needed.output.contains("Foundation"), "\(needed.output)")

        // Through a symbolic link elsewhere, as INSTALL suggests: it must find its experiments by its real path.
        let link = dir + "/tcplab"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: root + "/bin/tcplab")
        let clean: [String: String?] = ["TCPLAB_EXPERIMENTS": nil, "LD_LIBRARY_PATH": nil]

        let version = try hidden(link, ["--version"], in: dir, environment: clean)
        // The release's own version (git describe), not only the source's: a TA can tell which tarball runs.
        let released = try String(contentsOfFile: root + "/VERSION", encoding: .utf8)
        #expect(released.hasPrefix(Tool.sourceVersion) || released.hasPrefix("v"), "\(released)")
        #expect(version.status == 0 && version.output == released, "\(version.output)\(version.error)")
        let list = try hidden(link, ["list"], in: dir, environment: clean)
        #expect(list.status == 0, "\(list.error)")
        #expect(list.output.contains("experiment-62       trace62.pcap"))
        let run = try hidden(link, ["run", "experiment-2", "--out", dir + "/traces"], in: dir, environment: clean)
        #expect(run.status == 0, "\(run.output)\(run.error)")
        #expect(run.output.contains("experiment-2: passed ("), "\(run.output)")
        #expect(FileManager.default.fileExists(atPath: dir + "/traces/trace2.pcap"))
        let check = try hidden(link, ["check", dir + "/traces/trace2.pcap"], in: dir, environment: clean)
        #expect(check.status == 0 && check.output.contains("best match experiment-2"), "\(check.output)\(check.error)")
    }

    /// Runs the program in a mount namespace whose /opt/swift is an empty tmpfs, and first proves
    /// the toolchain is gone there, so a pass cannot come from a library found in it.
    func hidden(_ program: String, _ arguments: [String], in directory: String, environment: [String: String?]) throws -> Finished {
        let script = "mount -t tmpfs tcplab-no-swift \(Self.toolchain) && [ -z \"$(ls -A \(Self.toolchain))\" ] && exec \"$@\""
        return try execute("/usr/bin/unshare", ["--mount", "--propagation", "private", "/bin/sh", "-c", script, "sh", program] + arguments,
                           in: directory, environment: environment)
    }
}
