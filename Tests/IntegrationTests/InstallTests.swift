import Foundation
import Testing

/// `make install` puts the binary, the experiments, the schemas and the completions under a
/// prefix, and the installed tcplab finds its experiments from any directory.
@Suite struct InstallTests {
    @Test func theInstalledCopyListsAndChecksFromTheRootDirectory() throws {
        let prefix = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: prefix) }
        let install = try execute("make", ["-s", "-C", Repository.root, "install-files", "PREFIX=\(prefix)", "INSTALL_BIN=\(Repository.binary)"])
        #expect(install.status == 0, "\(install.output)\(install.error)")
        for path in ["bin/tcplab", "share/tcplab/experiments/experiment-2.json", "share/tcplab/experiments/run-record.schema.json",
                     "share/tcplab/experiments/www/back1.jpg", "share/bash-completion/completions/tcplab",
                     "share/zsh/site-functions/_tcplab", "share/fish/vendor_completions.d/tcplab.fish"] {
            #expect(FileManager.default.fileExists(atPath: prefix + "/" + path), "\(path) not installed")
        }
        let completion = try String(contentsOfFile: prefix + "/share/bash-completion/completions/tcplab", encoding: .utf8)
        #expect(completion.contains("grade") && completion.contains("check"))
        let clean: [String: String?] = ["TCPLAB_EXPERIMENTS": nil]
        let list = try execute(prefix + "/bin/tcplab", ["list"], in: "/", environment: clean)
        #expect(list.status == 0, "\(list.error)")
        #expect(list.output.contains("experiment-62       trace62.pcap"))
        let trace = Repository.root + "/Tests/IntegrationTests/Fixtures/lab/lab-trace2-any.pcapng"
        let check = try execute(prefix + "/bin/tcplab", ["check", trace], in: "/", environment: clean)
        #expect(check.status == 0, "\(check.output)\(check.error)")
        #expect(check.output.hasPrefix("\(trace): best match experiment-2, 12/12 held"))
    }

    @Test func anOverrideIsTakenAsGivenAndNoExperimentsSaysWhereItLooked() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lone = dir + "/tcplab"
        try FileManager.default.copyItem(atPath: Repository.binary, toPath: lone)
        let none = try execute(lone, ["list"], in: dir, environment: ["TCPLAB_EXPERIMENTS": nil])
        #expect(none.status == 66)
        #expect(none.error.hasPrefix("tcplab: no experiments found; looked in \(dir)/Experiments (the current directory)"))
        let viaEnv = try execute(lone, ["list"], in: dir, environment: ["TCPLAB_EXPERIMENTS": Repository.experiments])
        #expect(viaEnv.status == 0 && viaEnv.output.contains("experiment-2"))
        let wrong = try execute(lone, ["list"], in: dir, environment: ["TCPLAB_EXPERIMENTS": dir + "/nowhere"])
        #expect(wrong.status == 66 && wrong.error == "tcplab: \(dir)/nowhere: no such directory of experiments\n")
    }
}
