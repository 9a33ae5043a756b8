import Foundation
import Testing

/// Programs as endpoints: a C server and client compiled here (so not only Python) pass
/// experiments 1 and 2 on either side and on both; broken programs each get their one line,
/// and leave no process and no partial file behind.
let cCompiler = ["/usr/bin/cc", "/opt/swift/usr/bin/clang"].first(where: FileManager.default.isExecutableFile(atPath:))

@Suite(.enabled(if: getuid() == 0, "needs root to run experiments"),
       .enabled(if: cCompiler != nil, "needs a C compiler (cc, or the Swift toolchain's clang)"))
struct ProgramEndpointTests {

    /// An upper-case echo server: `server PORT READSIZE`, TCP_NODELAY so each piece leaves at once.
    static let serverSource = """
    #include <arpa/inet.h>
    #include <netinet/in.h>
    #include <netinet/tcp.h>
    #include <stdlib.h>
    #include <sys/socket.h>
    #include <unistd.h>
    int main(int argc, char **argv) {
        int port = atoi(argv[1]), size = atoi(argv[2]), one = 1;
        int s = socket(AF_INET, SOCK_STREAM, 0);
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_ANY)};
        if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 1)) return 2;
        int c = accept(s, 0, 0);
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        char buf[4096];
        ssize_t n;
        while ((n = recv(c, buf, size, 0)) > 0) {
            for (ssize_t i = 0; i < n; i++) if (buf[i] >= 'a' && buf[i] <= 'z') buf[i] -= 32;
            send(c, buf, n, 0);
        }
        close(c);
        return 0;
    }
    """

    /// `client HOST PORT MESSAGE`: sends the message, reads until as many bytes came back, closes.
    static let clientSource = """
    #include <arpa/inet.h>
    #include <netinet/in.h>
    #include <stdlib.h>
    #include <string.h>
    #include <sys/socket.h>
    #include <unistd.h>
    int main(int argc, char **argv) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[2]))};
        inet_pton(AF_INET, argv[1], &a.sin_addr);
        if (connect(s, (struct sockaddr *)&a, sizeof a)) return 3;
        size_t want = strlen(argv[3]), got = 0;
        send(s, argv[3], want, 0);
        char buf[4096];
        while (got < want) {
            ssize_t n = recv(s, buf, sizeof buf, 0);
            if (n <= 0) return 4;
            got += n;
        }
        close(s);
        return 0;
    }
    """

    /// A folder with the compiled programs; every program path mentions it, so `pgrep -f` finds
    /// anything of ours left running.
    static func workspace() throws -> String {
        let dir = try Repository.temporaryDirectory()
        for (name, source) in [("server", serverSource), ("client", clientSource)] {
            try source.write(toFile: "\(dir)/\(name).c", atomically: true, encoding: .utf8)
            let built = try execute(cCompiler!, ["-O1", "-o", "\(dir)/\(name)", "\(dir)/\(name).c"])
            try #require(built.status == 0, "cc \(name).c: \(built.error)")
        }
        return dir
    }

    func run(_ dir: String, _ arguments: [String]) throws -> Finished {
        try execute(Repository.binary, ["run"] + arguments + ["--experiments", Repository.experiments, "--out", dir + "/out"], in: dir)
    }

    /// Nothing of the run is left: no process whose command line names the folder, no partial file.
    func expectNothingLeft(_ dir: String, _ context: String) throws {
        let leftovers = try execute("pgrep", ["-af", dir])
        #expect(leftovers.output.isEmpty, "\(context): processes left: \(leftovers.output)")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir + "/out")) ?? []
        #expect(!files.contains { $0.contains(".partial-") }, "\(context): partial file left: \(files)")
    }

    @Test(arguments: [
        ("experiment-1", "1024", "Hello, World!"),
        ("experiment-2", "5", "Hello! Hello, World!"),
    ])
    func compiledProgramsPassAsServerClientAndBoth(experiment: String, readSize: String, message: String) throws {
        let dir = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = "\(dir)/server {port} \(readSize)"
        let client = "\(dir)/client {host} {port} '\(message)'"
        for sides in [["--server-command", server], ["--client-command", client],
                      ["--server-command", server, "--client-command", client]] {
            let result = try run(dir, [experiment] + sides)
            #expect(result.status == 0, "\(experiment) \(sides): exit \(result.status)\n\(result.output)\(result.error)")
            #expect(result.output.contains("\(experiment): passed"), "\(experiment) \(sides)")
            if sides.contains("--server-command") {
                #expect(result.output.contains("server program (command line): \(dir)/server 12345 \(readSize)"))
            }
            try expectNothingLeft(dir, "\(experiment) \(sides)")
        }
    }

    @Test func aServerThatReadsSixBytesFailsExperimentTwoAndSaysWhy() throws {
        let dir = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try run(dir, ["experiment-2", "--server-command", "\(dir)/server {port} 6", "--json", "\(dir)/run.json"])
        #expect(result.status == 1, "exit \(result.status)\n\(result.output)\(result.error)")
        // The program's record is in the JSON, which the published schema accepts.
        let schema = try execute("python3", ["-c", """
            import json, sys, jsonschema
            doc = json.load(open(sys.argv[2]))
            jsonschema.validate(doc, json.load(open(sys.argv[1])))
            server = doc["runs"][0]["endpoints"][0]
            assert server["side"] == "server" and server["program"]["command"][1] == "12345", server
            """, Repository.experiments + "/run-record.schema.json", dir + "/run.json"])
        #expect(schema.status == 0, "\(schema.error)")
        #expect(result.output.contains("server→client data: 4 segment(s) of 5 bytes"))
        #expect(result.output.contains("saw 4 (6, 6, 6, 2), 20 bytes"))
        #expect(result.output.contains("pieces of 6 bytes, as a loop of recv(6) and send() makes them"), "\(result.output)")
        try expectNothingLeft(dir, "six-byte server")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/strace"), "needs strace (apt-get install strace)"))
    func straceGivesEachSendAndReceive() throws {
        let dir = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // strace's logs go to TMPDIR, and must be gone after the run.
        try FileManager.default.createDirectory(atPath: dir + "/tmp", withIntermediateDirectories: true)
        let result = try execute(Repository.binary, ["run", "experiment-2", "--server-command", "\(dir)/server {port} 5",
                                                     "--client-command", "\(dir)/client {host} {port} 'Hello! Hello, World!'", "--strace",
                                                     "--experiments", Repository.experiments, "--out", dir + "/out"],
                                 in: dir, environment: ["TMPDIR": dir + "/tmp"])
        #expect(result.status == 0, "exit \(result.status)\n\(result.output)\(result.error)")
        #expect(result.output.contains("system calls (strace), connection (accept, fd 4): send() ×4 → 5, 5, 5, 5; recv(5) ×5 → 5, 5, 5, 5, 0; close() after reading 20 bytes"),
                "\(result.output)")
        #expect(result.output.contains("system calls (strace), connection (connect, fd 3): send() ×1 → 20; recv(4096)"), "\(result.output)")
        try expectNothingLeft(dir, "strace")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: dir + "/tmp")) ?? ["unlistable"]).isEmpty)
    }

    /// Each broken program: its exit code, its one line, and nothing left behind.
    @Test(arguments: [
        ("crash", ["--server-command", "python3 -c 'import os, signal; os.kill(os.getpid(), signal.SIGSEGV)' {out}"], Int32(1),
         "endpoint: the server program was killed by SIGSEGV before it listened on port 12345"),
        ("never listens", ["--server-command", "python3 -c 'import time; time.sleep(30)' {out}", "--deadline", "2s"], 1,
         "endpoint: the server program never listened on port 12345 within the run's deadline of 2s"),
        ("listens elsewhere", ["--server-command", "SERVER 8080 5"], 1,
         "endpoint: the server program listens on 8080; the experiment's server listens on 12345"),
        ("client hangs", ["--client-command", "python3 -c 'import time; time.sleep(30)' {out}", "--deadline", "2s"], 1,
         "endpoint: the client program was still running at the run's deadline of 2s, so it was killed with its process group"),
        ("client connects elsewhere", ["--client-command", "CLIENT {host} 8080 hello"], 1,
         "endpoint: the client connected to 8080; the experiment's server listens on 12345"),
        ("client never connects", ["--client-command", "sh -c true {out}"], 1,
         "endpoint: the client program exited with status 0 without connecting to port 12345"),
        ("missing", ["--server-command", "no-such-program-tcplab {port}"], 70,
         "experiment-2: the server program cannot be started: \"no-such-program-tcplab\" was not found on PATH"),
    ])
    func aBrokenProgramGetsOneLineAndLeavesNothing(name: String, options: [String], status: Int32, line: String) throws {
        let dir = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let filled = options.map { $0.replacingOccurrences(of: "SERVER", with: "\(dir)/server").replacingOccurrences(of: "CLIENT", with: "\(dir)/client") }
        let result = try run(dir, ["experiment-2"] + filled)
        #expect(result.status == status, "\(name): exit \(result.status)\n\(result.output)\(result.error)")
        #expect((result.output + result.error).contains(line), "\(name): no line \"\(line)\" in\n\(result.output)\(result.error)")
        // One line for the cause: no cascade of expectations judged against an empty trace.
        #expect(!result.output.contains("there is no connection 1"), "\(name)")
        try expectNothingLeft(dir, name)
        if !result.output.contains("127.0.0.1") {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir + "/out")) ?? []
            #expect(!files.contains { $0.hasSuffix(".pcap") }, "\(name): a trace of nothing was written: \(files)")
        }
    }
}
