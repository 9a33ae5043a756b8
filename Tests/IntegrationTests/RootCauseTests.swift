import Foundation
import Testing

extension PIDNamespaceRuns {
    /// Issue 27's failing students' programs, run by `tcplab run` inside a PID namespace of their own
    /// (`unshare --pid --fork --mount-proc`), so a program that misbehaves harms only that namespace:
    /// the root cause is named first after the packet list with its stderr's tail, what it prevented
    /// is one 'not reached' line (a status of its own in the JSON and JUnit), and the headline says the
    /// cause without contradicting itself.
    @Suite(.serialized) struct RootCauseTests {
        static let canRun = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

        static let programs: [String: String] = [
            // Reads once, then fails on what it read.
            "crash_server.py": """
                import socket, sys
                s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("", int(sys.argv[1]))); s.listen(1)
                c, _ = s.accept()
                data = c.recv(5)
                raise RuntimeError("unexpected input: %r" % data)
                """,
            // Reads the whole reply, then never closes.
            "noclose_client.py": """
                import socket, sys, time
                s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
                s.sendall(b"Hello! Hello, World!")
                got = b""
                while len(got) < 20:
                    got += s.recv(1024)
                while True:
                    time.sleep(1)
                """,
            // Connects one port above the experiment's, where nothing listens.
            "refused_client.py": """
                import socket, sys
                s = socket.create_connection((sys.argv[1], int(sys.argv[2]) + 1))
                """,
            // Reads once and closes: the server's later pieces reach a closed socket, or not, by timing.
            "once_client.py": """
                import socket, sys
                s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
                s.sendall(b"Hello! Hello, World!")
                s.recv(1024)
                s.close()
                """,
            // Echoes the 20 bytes (each send a segment of its own), then sleeps without ever reading
            // again: it never sees the client's FIN.
            "sleeping_server.py": """
                import socket, sys, time
                s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("", int(sys.argv[1]))); s.listen(1)
                c, _ = s.accept()
                c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                got = 0
                while got < 20:
                    data = c.recv(5); got += len(data)
                    c.sendall(data.upper())
                while True:
                    time.sleep(1)
                """,
            // The lab's server: 5-byte reads echoed in upper case until the client's FIN.
            "echo_server.py": """
                import socket, sys
                s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("", int(sys.argv[1]))); s.listen(1)
                c, _ = s.accept()
                c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                while True:
                    data = c.recv(5)
                    if not data:
                        break
                    c.sendall(data.upper())
                c.close()
                """,
        ]

        struct Outcome {
            var status: Int32
            var output: String
            var dir: String
            /// The run's summary line, `experiment-2: …`.
            var headline: String? { output.split(separator: "\n").map(String.init).first { $0.hasPrefix("experiment-2: ") } }
            /// The lines after the packet list (and its blank line).
            var afterPackets: [String] {
                let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                guard let blank = lines.firstIndex(of: "") else { return [] }
                return lines[(blank + 1)...].filter { !$0.isEmpty }
            }
        }

        func run(_ arguments: [String]) throws -> Outcome {
            let dir = try Repository.temporaryDirectory()
            for (name, source) in Self.programs { try source.write(toFile: "\(dir)/\(name)", atomically: true, encoding: .utf8) }
            let result = try execute("/usr/bin/unshare", ["--pid", "--fork", "--mount-proc", Repository.binary, "run", "experiment-2"]
                                     + arguments + ["--experiments", Repository.experiments, "--out", dir + "/out",
                                                    "--json", dir + "/run.json", "--junit", dir + "/run.xml"], in: dir)
            return Outcome(status: result.status, output: result.output + result.error, dir: dir)
        }

        /// The run JSON is accepted by the published schema; returns its run's verdict statuses and root cause.
        /// `othersMayFail`: a program's own segmentation may differ by timing (two sends in one
        /// segment), which is its expectations' business, not the root cause's.
        func checkJSON(_ dir: String, side: String, reason: String, othersMayFail: Bool = false) throws {
            let check = try execute("python3", ["-c", """
                import json, sys, jsonschema
                doc = json.load(open(sys.argv[2]))
                jsonschema.validate(doc, json.load(open(sys.argv[1])))
                run = doc["runs"][0]
                cause = run["rootCause"]
                assert cause["side"] == sys.argv[3], cause
                assert sys.argv[4] in cause["reason"], cause
                statuses = [v["status"] for v in run["verdicts"]]
                assert "not reached" in statuses and (sys.argv[5] == "1" or "failed" not in statuses), statuses
                """, Repository.experiments + "/run-record.schema.json", dir + "/run.json", side, reason, othersMayFail ? "1" : "0"])
            #expect(check.status == 0, "\(check.error)")
            let junit = try String(contentsOfFile: dir + "/run.xml", encoding: .utf8)
            // The cause is a failing testcase of its own; what it prevented is skipped, naming it.
            #expect(junit.contains("name=\"root cause\">\n      <failure type=\"root cause\" message=\"") && junit.contains("<skipped message=\"not reached: the \(side)"), "\(junit)")
        }

        @Test(.enabled(if: canRun, "needs root, unshare (util-linux) and /usr/bin/python3"))
        func aServerThatCrashesAfterItsFirstReadIsNamedFirstWithItsTraceback() throws {
            let r = try run(["--server-command", "python3 crash_server.py {port}"])
            defer { try? FileManager.default.removeItem(atPath: r.dir) }
            #expect(r.status == 1, "\(r.output)")
            let after = r.afterPackets
            #expect(after.first?.hasPrefix("ROOT CAUSE: the server program exited with status 1 after packet ") == true, "\(r.output)")
            #expect(after.dropFirst().prefix(3).contains { $0.contains("RuntimeError: unexpected input: b'Hello'") }, "\(r.output)")
            // What the crash prevented is one line, not a FAIL each; the scripted client's reset is its consequence.
            #expect(after.count { $0.hasPrefix("not reached: the server program exited with status 1") } == 1, "\(r.output)")
            #expect(!after.contains { $0.hasPrefix("FAIL") && !$0.hasPrefix("FAIL     endpoint:") }, "\(r.output)")
            #expect(r.output.contains("Connection reset by peer (ECONNRESET, errno 104) (a consequence of the root cause)"), "\(r.output)")
            #expect(r.output.contains("its kernel reset the connection as it exited with data unread"), "\(r.output)")
            #expect(r.headline?.hasPrefix("experiment-2: failed: the server program exited with status 1 after packet ") == true, "\(r.output)")
            #expect(r.headline?.contains("every expectation held until then (2 held, 9 not reached)") == true, "\(r.output)")
            try checkJSON(r.dir, side: "server", reason: "exited with status 1")
        }

        @Test(.enabled(if: canRun, "needs root, unshare (util-linux) and /usr/bin/python3"))
        func aClientThatNeverClosesFailsWithEveryExpectationHeldUntilThen() throws {
            let r = try run(["--client-command", "python3 noclose_client.py {host} {port}", "--deadline", "2s", "--report", "report.html"])
            defer { try? FileManager.default.removeItem(atPath: r.dir) }
            // The FIN tcplab caused is marked in the ladder and, with the root cause, in the HTML report.
            let svg = try #require(try? String(contentsOfFile: r.dir + "/out/trace2.svg", encoding: .utf8), "no trace2.svg: \(r.output)")
            #expect(svg.contains("[FIN, ACK] Seq=21 Ack=21 Len=0  (tcplab&apos;s: sent when tcplab stopped the program)")
                    || svg.contains("[FIN, ACK] Seq=21 Ack=21 Len=0  (tcplab's: sent when tcplab stopped the program)"), "\(svg)")
            let html = try #require(try? String(contentsOfFile: r.dir + "/report.html", encoding: .utf8), "no report.html: \(r.output)")
            #expect(html.contains("<td>root cause</td>") && html.contains("the client never closed (killed at the 2s deadline)"), "\(html)")
            #expect(html.contains("Caused by tcplab, not the program (packet 14: the client&apos;s kernel sent it when tcplab stopped the client program at the deadline)")
                    || html.contains("Caused by tcplab, not the program (packet 14: the client's kernel sent it when tcplab stopped the client program at the deadline)"),
                    "\(html)")
            #expect(svg.components(separatedBy: "tcplab stopped the program").count == 2, "only the client's FIN is tcplab's")
            #expect(r.status == 1, "\(r.output)")
            let after = r.afterPackets
            #expect(after.first?.hasPrefix("ROOT CAUSE: the client never closed (killed at the 2s deadline) after packet 13") == true, "\(r.output)")
            // Its FIN came from its kernel when tcplab killed it, so the expectations about it were not reached.
            #expect(r.output.contains("never closed its side: the FIN (packet 14) is its kernel's, sent when tcplab stopped it"), "\(r.output)")
            #expect(!r.output.contains("closed first (FIN"), "\(r.output)")
            #expect(after.contains { $0.hasPrefix("not reached: the client never closed") && $0.contains("FIN order: client, then server") }, "\(r.output)")
            #expect(r.headline?.hasPrefix("experiment-2: failed: the client never closed (killed at the 2s deadline) after packet 13; "
                                          + "every expectation held until then (9 held, 2 not reached)") == true, "\(r.output)")
            #expect(!r.output.contains("11/11 expectations held"), "\(r.output)")
            try checkJSON(r.dir, side: "client", reason: "never closed")
        }

        @Test(.enabled(if: canRun, "needs root, unshare (util-linux) and /usr/bin/python3"))
        func aRefusedConnectionIsNamedAsSuchNotAsDataLeftUnread() throws {
            let r = try run(["--client-command", "python3 refused_client.py {host} {port}", "--explain"])
            defer { try? FileManager.default.removeItem(atPath: r.dir) }
            #expect(r.status == 1, "\(r.output)")
            let after = r.afterPackets
            #expect(after.first == "ROOT CAUSE: the client's connection to port 12346 was refused: no program listens there "
                    + "(the experiment's server listens on 12345); its stderr ends:", "\(r.output)")
            #expect(after.dropFirst().prefix(3).contains { $0.contains("ConnectionRefusedError: [Errno 111] Connection refused") }, "\(r.output)")
            #expect(r.output.contains("2  Server answers the SYN with RST (RST,ACK Seq=1 Ack=1): no program listens on port 12346 of 127.0.0.1: "
                                      + "the connection was refused"), "\(r.output)")
            #expect(!r.output.contains("data unread"), "\(r.output)")
            #expect(after.count { $0.hasPrefix("not reached: the client's connection to port 12346 was refused") && $0.hasSuffix(" — all 11 expectations") } == 1,
                    "\(r.output)")
            #expect(r.headline?.hasPrefix("experiment-2: failed: the client's connection to port 12346 was refused: no program listens there "
                                          + "(the experiment's server listens on 12345); none of the 11 expectation(s) was reached") == true, "\(r.output)")
            try checkJSON(r.dir, side: "client", reason: "refused")
        }

        /// Item 2: the server sits in recv for the client's FIN, which never comes. Both are killed at
        /// the deadline; the socket table read before either kill shows the server read everything,
        /// so only the client is blamed. Three runs, so a race between the two kills would show.
        @Test(.enabled(if: canRun, "needs root, unshare (util-linux) and /usr/bin/python3"))
        func aServerWaitingForTheClientsFinIsWaitingNotFailing() throws {
            for attempt in 1...3 {
                let r = try run(["--server-command", "python3 echo_server.py {port}", "--client-command", "python3 noclose_client.py {host} {port}",
                                 "--deadline", "2s"])
                defer { try? FileManager.default.removeItem(atPath: r.dir) }
                #expect(r.status == 1, "run \(attempt): \(r.output)")
                #expect(r.afterPackets.first?.hasPrefix("ROOT CAUSE: the client never closed (killed at the 2s deadline)") == true, "run \(attempt): \(r.output)")
                #expect(!r.output.contains("endpoint: the server program"), "run \(attempt): the server is blamed too: \(r.output)")
                #expect(r.output.contains("what the server program did: ") && r.output.contains("waited for the client's FIN until the deadline"),
                        "run \(attempt): \(r.output)")
                #expect(r.output.contains("experiment-2: failed: the client never closed"), "run \(attempt): \(r.output)")
                try checkJSON(r.dir, side: "client", reason: "never closed", othersMayFail: true)
            }
        }

        /// A deadline that stops both programs stops first the side the experiment expects to close
        /// first, and the other once that FIN is acknowledged (from its socket's state, FIN_WAIT1 no
        /// more), so both kernels' FINs come in one order. Stopped together, the order was a race:
        /// 2 patterns in 8 runs before.
        @Test(.enabled(if: canRun, "needs root, unshare (util-linux) and /usr/bin/python3"))
        func aDeadlineThatStopsBothProgramsEndsTheTraceTheSameWayEveryRun() throws {
            let r = try run(["--server-command", "python3 sleeping_server.py {port}", "--client-command", "python3 noclose_client.py {host} {port}",
                             "--deadline", "1s", "--repeat", "8", "--explain"])
            defer { try? FileManager.default.removeItem(atPath: r.dir) }
            #expect(r.output.contains("experiment-2: 1 pattern in 8 runs:\n  8× client one 20-byte segment; server four 5-byte segments; client FIN, then server FIN (failed)"),
                    "\(r.output)")
            #expect(r.output.contains("\n15  Server acknowledges the client's FIN: Ack=22") && r.output.contains("\n16  Server closes too: FIN,ACK Seq=21 Ack=22.")
                    && r.output.contains("Caused by tcplab, not the program (packet 16: the server's kernel sent it when tcplab stopped the server program at the deadline)."),
                    "the client's FIN is acknowledged before the server is stopped: \(r.output)")
            #expect(r.output.contains("ROOT CAUSE: the client never closed (killed at the 1s deadline) after packet 13"), "\(r.output)")
        }

        /// Item 5: `--repeat` prints a line per run, then the grouped patterns, then one example run per
        /// pattern in full; `--verbose` prints every run in full instead.
        @Test(.enabled(if: canRun, "needs root, unshare (util-linux) and /usr/bin/python3"))
        func repeatPrintsALinePerRunThenThePatternsThenOneExampleEach() throws {
            let r = try run(["--client-command", "python3 once_client.py {host} {port}", "--repeat", "4"])
            defer { try? FileManager.default.removeItem(atPath: r.dir) }
            let lines = r.output.split(separator: "\n").map(String.init)
            let runLines = lines.filter { $0.hasPrefix("experiment-2 run ") }
            #expect(runLines.count == 4, "\(r.output)")
            for (n, line) in runLines.enumerated() {
                #expect(line.hasPrefix("experiment-2 run \(n + 1)/4: pattern "), "\(line)")
            }
            let header = try #require(lines.firstIndex { $0.hasPrefix("experiment-2: ") && $0.hasSuffix(" in 4 runs:") }, "\(r.output)")
            #expect(lines.lastIndex { $0.hasPrefix("experiment-2 run ") }.map { $0 < header } == true, "\(r.output)")
            let patterns = lines[(header + 1)...].prefix { $0.hasPrefix("  ") }.count
            let examples = lines.indices.filter { lines[$0].hasPrefix("example of pattern ") }
            #expect(patterns >= 1 && examples.count == patterns, "\(r.output)")
            #expect(examples.allSatisfy { $0 > header }, "\(r.output)")
            // Each example is its run's full report, and the runs not shown as examples are not printed in full.
            #expect(lines.count { $0.hasPrefix("== experiment-2 (run ") } == patterns, "\(r.output)")
            for i in examples {
                let run = try #require(lines[i].split(separator: " ").last, "\(lines[i])")
                #expect(lines[i + 1] == "== experiment-2 (run \(run)): Server reads 5 bytes at a time, so the reply goes back in 5-byte segments",
                        "\(r.output)")
            }

            let verbose = try run(["--client-command", "python3 once_client.py {host} {port}", "--repeat", "3", "--verbose"])
            defer { try? FileManager.default.removeItem(atPath: verbose.dir) }
            let full = verbose.output.split(separator: "\n").map(String.init)
            #expect((1...3).allSatisfy { n in full.contains { $0.hasPrefix("== experiment-2 (run \(n)): ") } }, "\(verbose.output)")
            #expect(!full.contains { $0.hasPrefix("experiment-2 run ") || $0.hasPrefix("example of pattern ") }, "\(verbose.output)")
        }
    }
}
