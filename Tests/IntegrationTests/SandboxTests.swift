import Foundation
import Testing

/// Hostile students' servers, graded by `grade --code` as root. Each does one misdeed first and
/// then serves experiment-2 as the lab's server does. The whole grade runs inside a PID and mount
/// namespace this test makes (`unshare --pid --fork --mount-proc`), beside a canary process, so
/// a sandbox that fails harms only that namespace, never the CI machine.
@Suite(.serialized) struct SandboxTests {
    static let canRun = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

    static let userNamespacesAllowed: Bool = {
        let text = (try? String(contentsOfFile: "/proc/sys/user/max_user_namespaces", encoding: .utf8)) ?? "0"
        let clone = (try? String(contentsOfFile: "/proc/sys/kernel/unprivileged_userns_clone", encoding: .utf8)) ?? "1"
        return (Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0 && clone.hasPrefix("1")
    }()

    /// What each student does before it serves, in Python, with `marker` a word unique to the test.
    static let misdeeds: [String: String] = [
        "honest": """
            data = open("greeting.txt").read()
            assert data == "hello\\n", data
            """,
        "reader": """
            for path in [SECRET, CLASS + "/honest/server.py", "/etc/shadow"]:
                try: print("stolen:", open(path).read())
                except OSError as e: print("refused", path, e)
            """,
        "writer": """
            for path in [CLASS + "/honest/server.py", CLASS + "/../escaped-" + MARKER, "/tmp/escaped-" + MARKER,
                         "/var/tmp/escaped-" + MARKER, "/root/escaped-" + MARKER, OUTSIDE + "/escaped"]:
                try: open(path, "a").write("# " + MARKER + "\\n")
                except OSError as e: print("refused", path, e)
            """,
        "daemon": """
            import os, time
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    os.execvp("sh", ["sh", "-c", "sleep 300", MARKER])
                os._exit(0)
            """,
        "forkbomb": """
            import os
            children = 0
            try:
                while children < 5000:
                    if os.fork() == 0:
                        import time; time.sleep(20); os._exit(0)
                    children += 1
            except OSError as e: print("fork refused after", children, e)
            """,
        "memoryhog": """
            hog = bytearray(3 << 30)
            """,
        "diskfill": """
            chunk = b"x" * (1 << 20)
            for path in ["fill", "/tmp/fill"]:
                try:
                    with open(path, "wb") as f:
                        for _ in range(2048): f.write(chunk)
                except OSError as e: print("refused", path, e)
            """,
        "killer": """
            import os, signal
            for target in [-1, os.getppid(), 1]:
                try: os.kill(target, signal.SIGKILL)
                except OSError as e: print("refused kill", target, e)
            """,
        "sockets": """
            import socket
            for path in [OUTSIDE + "/host.sock", "/run/systemd/private", "/var/run/dbus/system_bus_socket"]:
                try:
                    s = socket.socket(socket.AF_UNIX); s.connect(path); s.sendall(MARKER.encode()); print("connected", path)
                except OSError as e: print("refused", path, e)
            """,
        "fds": """
            import os
            print("inherited:", sorted(int(n) for n in os.listdir("/proc/self/fd")))
            print("environment:", sorted(os.environ))
            held = []
            try:
                while True: held.append(open("/dev/null"))
            except OSError as e: print("fds refused after", len(held), e)
            for f in held: f.close()
            """,
    ]

    @Test(.enabled(if: canRun, "needs root, unshare (util-linux) and /usr/bin/python3"))
    func hostileServersGradedAsRootLeaveTheMachineAsItWas() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let marker = "tcplab-canary-" + UUID().uuidString.prefix(8).lowercased()
        let fixture = try Fixture(dir: dir, marker: marker)
        let result = try execute("/usr/bin/unshare", ["--pid", "--fork", "--mount-proc", "/bin/sh", fixture.script],
                                 environment: ["TCPLAB_TEST_SECRET_VARIABLE": marker])
        let report = result.output + result.error
        #expect(report.contains("canary alive"), "\(report)")
        #expect(!report.contains("leftover:"), "a process outlived the grade: \(report)")
        let graded = try String(contentsOfFile: dir + "/grade.out", encoding: .utf8)
        let status = Int32(try String(contentsOfFile: dir + "/grade.status", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(status.map { [0, 1, 2].contains($0) } == true, "grade --code exit \(String(describing: status)): \(graded)")
        for student in Self.misdeeds.keys {
            #expect(graded.split(separator: "\n").contains { $0.hasPrefix(student + " ") }, "no row for \(student): \(graded)")
        }
        #expect(graded.split(separator: "\n").first { $0.hasPrefix("honest ") }?.contains("1/1") == true, "\(graded)")
        // Nothing it read reached any output, and nothing it wrote landed outside a scratch.
        let everything = graded + (try allText(below: dir + "/out")) + (try String(contentsOfFile: dir + "/grades.json", encoding: .utf8))
        #expect(!everything.contains(fixture.secret), "the grader's secret leaked")
        #expect(!everything.contains("def main():\n    port"), "another student's code was read")
        #expect(!everything.contains("stolen:"), "a file outside the student's folder was read")
        #expect(!everything.contains(marker + "=") && !everything.contains("TCPLAB_TEST_SECRET_VARIABLE"), "the grader's environment leaked")
        #expect(try String(contentsOfFile: dir + "/class/honest/server.py", encoding: .utf8) == fixture.honestSource)
        for path in [dir + "/escaped-" + marker, "/tmp/escaped-" + marker, "/var/tmp/escaped-" + marker, "/root/escaped-" + marker,
                     dir + "/outside/escaped"] {
            #expect(!FileManager.default.fileExists(atPath: path), "\(path) was written")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/outside/host.sock.hit"), "a host unix socket was reached")
        let json = try String(contentsOfFile: dir + "/grades.json", encoding: .utf8)
        #expect(json.contains("\"memoryhog\""))
        // The limits are named where the programs met them.
        // Named from the memory and pids cgroups' counters, which this machine's cgroup v1 has.
        if FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/memory.limit_in_bytes") {
            #expect(graded.contains("memory limit of 512 MiB"), "\(graded)")
        }
        if FileManager.default.fileExists(atPath: "/sys/fs/cgroup/pids") {
            #expect(graded.contains("processes limit of 64"), "\(graded)")
        }
        #expect(graded.contains("file size limit of 64 MiB") || graded.contains("scratch limit of 64 MiB"), "\(graded)")
        let inherited = try allText(below: dir + "/out")
        #expect(inherited.contains("inherited: [0, 1, 2, 3]"), "descriptors above 2 were inherited (3 is listdir's own)")
        let names = inherited.split(separator: "\n").first { $0.hasPrefix("environment: ") }
            .map { $0.dropFirst(14).split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " []'")) } } ?? []
        // sh adds PWD and the like itself; nothing else but the documented names may be there.
        let allowed: Set = ["HOME", "LANG", "PATH", "PYTHONUNBUFFERED", "TCPLAB_EXPERIMENT", "TCPLAB_HOST", "TCPLAB_OUT", "TCPLAB_PORT",
                            "TCPLAB_SIDE", "PWD", "OLDPWD", "SHLVL", "_"]
        #expect(!names.isEmpty && names.allSatisfy(allowed.contains), "\(names)")
    }

    /// Without root the sandbox is weaker (the program keeps the user's uid) and says so, but
    /// its view, descriptors and environment hold: a file of the user's outside the folder is
    /// not there for it, though the user could read it.
    @Test(.enabled(if: canRun && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "needs root to become nobody, and setpriv"),
          .enabled(if: userNamespacesAllowed, "needs unprivileged user namespaces (sysctl user.max_user_namespaces > 0)"))
    func asAnOrdinaryUserTheViewDescriptorsAndEnvironmentHold() throws {
        let folder = try NobodysFolder()
        defer { folder.remove() }
        let dir = folder.path
        try FileManager.default.createDirectory(atPath: dir + "/prog", withIntermediateDirectories: false)
        let secret = "nobody-secret-" + UUID().uuidString
        try secret.write(toFile: dir + "/secret", atomically: true, encoding: .utf8)
        let preamble = """
            import os
            try: print("stolen:", open(\(Fixture.python(dir + "/secret"))).read())
            except OSError as e: print("refused", e)
            print("inherited:", sorted(int(n) for n in os.listdir("/proc/self/fd")))
            print("uid:", os.getuid())

            """
        try (preamble + (try String(contentsOfFile: Repository.experiments + "/lab/server.py", encoding: .utf8)))
            .write(toFile: dir + "/prog/server.py", atomically: true, encoding: .utf8)
        for path in [dir + "/secret", dir + "/prog", dir + "/prog/server.py"] { _ = chown(path, 65534, 65534) }
        chmod(dir + "/secret", 0o600)
        let result = try folder.runAsNobody(["run", "experiment-2", "--server-command", "sh -c 'python3 server.py {port} 5 > {out}/notes.txt 2>&1'",
                                             "--out", dir + "/out"], in: dir + "/prog")
        #expect(result.status == 0, "\(result.output)\(result.error)")
        #expect(result.output.hasPrefix("isolation: sandbox") && result.output.contains("not root, so weaker"), "\(result.output)")
        let notes = try String(contentsOfFile: dir + "/out/notes.txt", encoding: .utf8)
        #expect(!notes.contains(secret) && notes.contains("refused"), "\(notes)")
        #expect(notes.contains("inherited: [0, 1, 2, 3]"), "\(notes)")
    }

    private func allText(below folder: String) throws -> String {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return "" }
        var text = ""
        for case let name as String in walker where name.hasSuffix(".json") || name.hasSuffix(".txt") {
            text += (try? String(contentsOfFile: folder + "/" + name, encoding: .utf8)) ?? ""
        }
        return text
    }

    /// The class folder, the grader's secret, a host socket that records a connection, and the
    /// script that runs the grade inside the test's own namespaces.
    struct Fixture {
        let secret: String
        let honestSource: String
        let script: String

        init(dir: String, marker: String) throws {
            let fm = FileManager.default
            secret = "grader-secret-" + marker
            try fm.createDirectory(atPath: dir + "/outside", withIntermediateDirectories: true)
            try (secret + "\n").write(toFile: dir + "/secret", atomically: true, encoding: .utf8)
            chmod(dir + "/secret", 0o600)
            let lab = try String(contentsOfFile: Repository.experiments + "/lab/server.py", encoding: .utf8)
            var honest = ""
            for (student, misdeed) in SandboxTests.misdeeds {
                let folder = dir + "/class/" + student
                try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
                let preamble = "SECRET, CLASS, OUTSIDE, MARKER = \(Self.python(dir + "/secret")), \(Self.python(dir + "/class")), "
                    + "\(Self.python(dir + "/outside")), \(Self.python(marker))\n" + misdeed + "\n"
                let source = preamble + lab
                try source.write(toFile: folder + "/server.py", atomically: true, encoding: .utf8)
                try "{\"experiment-2\": {\"server\": \"sh -c 'python3 server.py {port} 5 > {out}/\(student).txt 2>&1'\"}}"
                    .write(toFile: folder + "/tcplab.json", atomically: true, encoding: .utf8)
                if student == "honest" {
                    honest = source
                    try "hello\n".write(toFile: folder + "/greeting.txt", atomically: true, encoding: .utf8)
                    chmod(folder + "/greeting.txt", 0o600)
                    chmod(folder + "/server.py", 0o600)
                }
            }
            honestSource = honest
            script = dir + "/grade.sh"
            let listener = "import socket,os\ns=socket.socket(socket.AF_UNIX);s.bind(\(Self.python(dir + "/outside/host.sock")));s.listen()\n"
                + "c,_=s.accept();open(\(Self.python(dir + "/outside/host.sock.hit")),'w').write('hit')\n"
            try listener.write(toFile: dir + "/listener.py", atomically: true, encoding: .utf8)
            let text = """
                sleep 600 &
                canary=$!
                python3 \(dir)/listener.py &
                listener=$!
                sleep 0.2
                \(Repository.binary) grade --code \(dir)/class --experiment experiment-2 --experiments \(Repository.experiments) \
                    --out \(dir)/out --json \(dir)/grades.json > \(dir)/grade.out 2>&1
                echo $? > \(dir)/grade.status
                kill -0 $canary && echo "canary alive"
                kill $listener 2>/dev/null
                for p in $(pgrep -f '\(marker)'); do echo "leftover: $(cat /proc/$p/cmdline | tr '\\0' ' ')"; done
                kill $canary
                """
            try text.write(toFile: script, atomically: true, encoding: .utf8)
        }

        static func python(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "\\'") + "'" }
    }
}
