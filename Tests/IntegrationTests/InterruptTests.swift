import Foundation
import Testing

/// SIGINT at random moments of a run — namespace setup, capture, a sleeping server, the
/// browser, writing the trace — leaves no process, no half-written trace and no network
/// namespace behind. A run's namespaces live only in its own threads and its browser, so
/// "no process of the run is left" is what keeps them from outliving it.
@Suite(.serialized, .enabled(if: getuid() == 0, "needs root to run experiments"))
struct InterruptTests {
    /// The network namespaces (`net:[inode]`) of every thread of every process whose command
    /// line mentions `text`.
    static func namespaces(heldByProcessesMentioning text: String) -> Set<String> {
        var found: Set<String> = []
        for pid in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int(pid) != nil {
            guard let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                  String(decoding: cmdline, as: UTF8.self).contains(text) else { continue }
            for tid in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? [] {
                if let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/task/\(tid)/ns/net") {
                    found.insert(link)
                }
            }
        }
        return found
    }

    /// Starts a run, interrupts it after `delay`, and checks what it left.
    /// `extra` gets the test's folder and returns more arguments (programs it put there).
    func interrupt(_ arguments: [String], after delay: useconds_t, extra: (String) throws -> [String] = { _ in [] }) throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let arguments = arguments + (try extra(dir))
        let scratch = dir + "/tmp"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Repository.binary)
        process.arguments = arguments + ["--experiments", Repository.experiments, "--out", dir + "/out", "--quiet"]
        process.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": scratch]) { $1 }
        // The programs' folder: their sandbox sees it, at its own path, and nothing else of the test's.
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(delay)  // the moment of the interrupt is the variable under test, not a synchronisation
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect([0, 130].contains(process.terminationStatus), "\(arguments) after \(delay) µs: exit \(process.terminationStatus)")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: dir + "/out")) ?? []
        #expect(!left.contains { $0.contains(".partial-") }, "partial trace left: \(left)")
        for name in left {
            // Whole files only: the trace, and its ladder diagram once the trace is written.
            #expect(name.hasSuffix(".pcap") || name.hasSuffix(".pcapng") || name.hasSuffix(".svg"), "unexpected \(name)")
            if name.hasSuffix(".svg") {
                let stem = String(name.dropLast(4))
                #expect(left.contains(stem + ".pcap") || left.contains(stem + ".pcapng"), "\(name) without its trace")
                let text = (try? String(contentsOfFile: dir + "/out/" + name, encoding: .utf8)) ?? ""
                #expect(text.hasSuffix("</svg>\n"), "\(name) is not whole")
            }
        }
        // Every process of the run names our folder on its command line (--out, the browser's profile).
        let leftovers = try execute("pgrep", ["-f", dir])
        #expect(leftovers.output.isEmpty, "processes left: \(leftovers.output)")
        let held = Self.namespaces(heldByProcessesMentioning: dir)
        #expect(held.isEmpty, "namespaces still held: \(held)")
    }

    @Test func fiftyInterruptsAtRandomMomentsLeaveNothingBehind() throws {
        var generator = SystemRandomNumberGenerator()
        for i in 0..<50 {
            // Most runs are short ones (setup, capture, writing); some sleep, serve or browse.
            let (arguments, window): ([String], UInt32) = switch i % 5 {
            case 0: (["run", "experiment-61"], 2_500_000)
            case 1 where FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"):
                (["run", "experiment-61", "--client", "browser"], 2_000_000)
            case 2 where i % 10 == 2: (["run", "experiment-4"], 6_000_000)
            default: (["run", "experiment-3"], 80_000)
            }
            try interrupt(arguments, after: UInt32.random(in: 0...window, using: &generator))
        }
    }

    /// Programs as endpoints: Ctrl-C while the lab's server sleeps, while its client sends, or
    /// while either starts, kills their whole process groups. The copies live in the test's
    /// folder, so every process of the run names it on its command line.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs python3 for the lab's code"))
    func interruptsLeaveNoProgramRunning() throws {
        var generator = SystemRandomNumberGenerator()
        for i in 0..<20 {
            let slow = i % 4 == 0
            let window: UInt32 = slow ? 6_000_000 : 300_000
            try interrupt(["run", slow ? "experiment-4" : "experiment-2"], after: UInt32.random(in: 0...window, using: &generator)) { dir in
                for name in ["server.py", slow ? "client4.py" : "client2_full.py"] {
                    try FileManager.default.copyItem(atPath: Repository.experiments + "/lab/" + name, toPath: dir + "/" + name)
                }
                return slow
                    ? ["--server-command", "python3 \(dir)/server.py {port} 1024 --sleep 5", "--client-command", "python3 \(dir)/client4.py {host} {port}"]
                    : ["--server-command", "python3 \(dir)/server.py {port} 5", "--client-command", "python3 \(dir)/client2_full.py {host} {port}"]
            }
        }
    }

    /// Several runs writing traces at once (`--jobs`), interrupted while they write: the handler's
    /// table of partial files is shared by those threads, and every partial file must still go.
    @Test func interruptsWhileSeveralRunsWriteLeaveNoPartialFile() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<12 {
            try interrupt(["run", "experiment-1", "experiment-2", "experiment-3", "experiment-3-drain", "experiment-62",
                           "--jobs", "5", "--repeat", "4", "--format", "pcapng"],
                          after: UInt32.random(in: 100_000...1_500_000, using: &generator))
        }
    }
}
