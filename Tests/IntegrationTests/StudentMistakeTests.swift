import Foundation
import Testing

extension PIDNamespaceRuns {
    /// Issue 27 item 4: each mistake students make, made for real by a small Python program that tcplab
    /// runs in a PID namespace of its own (`unshare --pid --fork --mount-proc`), and what `--explain`
    /// and the verdict say of the capture it leaves.
    @Suite(.serialized) struct StudentMistakeTests {
        static let canRun = RootCauseTests.canRun

        static let prelude = """
            import os, socket, struct, sys, time
            def serve():
                s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("", int(sys.argv[1]))); s.listen(1)
                return s
            def connect():
                return socket.create_connection((sys.argv[1], int(sys.argv[2])))
            def echo(c):
                c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                while True:
                    data = c.recv(5)
                    if not data: break
                    c.sendall(data.upper())
                c.close()
            def ask(s):
                s.sendall(b"Hello! Hello, World!")
                got = b""
                while len(got) < 20: got += s.recv(1024)
                return s

            """

        struct Mistake: CustomStringConvertible, Sendable {
            var name: String
            var server: String?
            var client: String?
            var deadline: String?
            /// Every one must be in the output.
            var says: [String]
            /// None may be.
            var never: [String] = []
            var description: String { name }
        }

        static let mistakes: [Mistake] = [
            Mistake(name: "a refused connection", client: """
                socket.create_connection((sys.argv[1], int(sys.argv[2]) + 1))
                """, says: ["Server answers the SYN with RST (RST,ACK Seq=1 Ack=1): no program listens on port 12346 of 127.0.0.1: the connection was refused",
                            "ROOT CAUSE: the client's connection to port 12346 was refused"]),
            Mistake(name: "a close with unread data", server: """
                c, _ = serve().accept()
                c.sendall(c.recv(5).upper())
                c.close()
                """, says: ["Server resets the connection instead of closing it with FIN", "likely it closed with data unread (20 bytes had arrived from the client)"]),
            Mistake(name: "the wrong port", server: """
                s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("", int(sys.argv[1]) + 1)); s.listen(1)
                echo(s.accept()[0])
                """, deadline: "2s", says: ["endpoint: the server program listens on 12346; the experiment's server listens on 12345 (pass {port} or read TCPLAB_PORT)"]),
            // A server that leaves Nagle on, against a client that delays its ACKs: the server's
            // later 5-byte sends wait for the first one's ACK and leave as one segment. tcplab cannot
            // see a program's sends, so the explanation says "likely", from the trace's timing.
            Mistake(name: "Nagle left on", server: """
                c, _ = serve().accept()
                while True:
                    data = c.recv(5)
                    if not data: break
                    c.send(data.upper())
                c.close()
                """, client: DelayedAckClient.source, says: ["Likely Nagle's algorithm: the first 5 bytes were still unacked, so later sends waited until the delayed ACK came",
                            "\nwhy the segments differ: packet 8: likely Nagle's algorithm: the first 5 bytes were still unacked"]),
            // A server bound to 127.0.0.1 only, and a client that connects to 127.0.0.2: the refusal is
            // the kernel's, at an address nothing listens on, so the server program is not blamed for it.
            Mistake(name: "the wrong host", server: """
                s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
                echo(s.accept()[0])
                """, client: """
                ask(socket.create_connection(("127.0.0.2", int(sys.argv[2])))).close()
                """, deadline: "3s",
                says: ["ROOT CAUSE: the client's connection to 127.0.0.2 port 12345 was refused: the server listens on 127.0.0.1 only, the wrong host",
                       "endpoint: the client connected to 127.0.0.2; the server listens on 127.0.0.1 only (pass {host} or read TCPLAB_HOST)",
                       "— all 11 expectations", "ConnectionRefusedError"],
                never: ["what the server program did", "\nFAIL     3-way handshake", "closed with data unread"]),
            // The server answers only after end of stream, so its data follows the client's FIN whatever the timing.
            Mistake(name: "a half-close followed by more reading", server: """
                c, _ = serve().accept()
                got = b""
                while True:
                    data = c.recv(5)
                    if not data: break
                    got += data
                c.sendall(got.upper())
                c.close()
                """, client: """
                s = connect()
                s.sendall(b"Hello! Hello, World!")
                s.shutdown(socket.SHUT_WR)
                while s.recv(1024): pass
                s.close()
                """, says: ["Client closes first: FIN,ACK Seq=21 Ack=1. It is a half-close (shutdown(SHUT_WR)): the client still reads, as the server's data from packet"]),
            Mistake(name: "a server that never reads", server: """
                s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                s.bind(("", int(sys.argv[1]))); s.listen(1)
                c, _ = s.accept()
                while True: time.sleep(1)
                """, client: """
                s = connect()
                s.sendall(b"Hello! Hello, World!" * 100000)
                """, deadline: "2s",
                says: ["[TCP ZeroWindow]: it advertises a window of 0: the server's receive buffer is full because its application has not read",
                       "ROOT CAUSE: the server never read what arrived (", "Caused by tcplab, not the program (packet "]),
            Mistake(name: "data sent before accept", server: """
                s = serve()
                time.sleep(2)
                echo(s.accept()[0])
                """, client: "ask(connect()).close()",
                says: ["the server's kernel acknowledged the client's data at once (packet 5), but its program read it only now: "
                       + "data that arrives before accept() or recv() waits in the socket's receive queue"]),
            Mistake(name: "a double close", client: """
                fd = ask(connect()).detach()
                os.close(fd)
                os.close(fd)
                """, says: ["ROOT CAUSE: the client program exited with status 1 after packet ", "OSError: [Errno 9] Bad file descriptor",
                            "every expectation held until then (11 held, 0 not reached)"]),
            Mistake(name: "an abortive close (SO_LINGER 0)", client: """
                s = ask(connect())
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.close()
                """, says: ["Client resets the connection instead of closing it with FIN",
                            "or aborted it on purpose (SO_LINGER with a zero timeout makes close() send RST)"]),
        ]

        @Test(.enabled(if: canRun, "needs root, unshare (util-linux) and /usr/bin/python3"), arguments: mistakes)
        func explainSaysWhatTheMistakeWas(_ mistake: Mistake) throws {
            let dir = try Repository.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            var arguments = ["--pid", "--fork", "--mount-proc", Repository.binary, "run", "experiment-2", "--explain",
                             "--experiments", Repository.experiments, "--out", dir + "/out"]
            if let server = mistake.server {
                try (Self.prelude + server + "\n").write(toFile: dir + "/server.py", atomically: true, encoding: .utf8)
                arguments += ["--server-command", "python3 server.py {port}"]
            }
            if let client = mistake.client {
                try (Self.prelude + client + "\n").write(toFile: dir + "/client.py", atomically: true, encoding: .utf8)
                arguments += ["--client-command", "python3 client.py {host} {port}"]
            }
            if let deadline = mistake.deadline { arguments += ["--deadline", deadline] }
            let result = try execute("/usr/bin/unshare", arguments, in: dir)
            let output = result.output + result.error
            for line in mistake.says {
                #expect(output.contains(line), "\(mistake.name): no \"\(line)\" in\n\(output)")
            }
            for line in mistake.never {
                #expect(!output.contains(line), "\(mistake.name): \"\(line)\" in\n\(output)")
            }
        }
    }
}
