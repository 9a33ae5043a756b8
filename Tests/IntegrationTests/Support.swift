import Foundation

/// Paths and helpers for tests that run the real binary and real tools.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let experiments = root + "/Experiments"
    /// The CLI under test: `TCPLAB` when the Makefile sets it, else the debug build.
    static let binary = ProcessInfo.processInfo.environment["TCPLAB"] ?? root + "/.build/debug/tcplab"

    static var experimentNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: experiments)) ?? [])
            .filter { $0.hasSuffix(".json") && !$0.contains("schema") }
            .map { String($0.dropLast(5)) }.sorted()
    }

    static func temporaryDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "tcplab-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

struct Finished {
    var status: Int32
    var output: String
    var error: String
}

/// Runs a program to completion and collects what it printed.
func execute(_ program: String, _ arguments: [String], in directory: String? = nil,
             environment: [String: String?] = [:]) throws -> Finished {
    let process = Process()
    if !environment.isEmpty {
        var env = ProcessInfo.processInfo.environment
        for (name, value) in environment { env[name] = value }
        process.environment = env
    }
    process.executableURL = URL(fileURLWithPath: program.hasPrefix("/") ? program : "/usr/bin/env")
    process.arguments = program.hasPrefix("/") ? arguments : [program] + arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Both pipes are drained at once, before waiting: a child that fills stderr while this
    // thread still reads stdout (or the other way round) would otherwise block forever.
    let error = DrainedPipe()
    let stderrRead = DispatchGroup()
    DispatchQueue.global().async(group: stderrRead) { error.bytes = err.fileHandleForReading.readDataToEndOfFile() }
    let output = out.fileHandleForReading.readDataToEndOfFile()
    stderrRead.wait()
    process.waitUntilExit()
    return Finished(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
                    error: String(decoding: error.bytes, as: UTF8.self))
}

/// What one pipe held. @unchecked: written by the one reading thread, read only after its group's
/// wait, which orders the two.
private final class DrainedPipe: @unchecked Sendable {
    var bytes = Data()
}

/// The lab's server.py as a passing student's: TCP_NODELAY set on each accepted connection, so
/// every send leaves as a segment of its own. The lab's own file leaves Nagle on, and under load
/// two of its 5-byte sends can leave as one segment (about 1 run in 90 under the full suite), which
/// would make a test's passing student fail now and then for a reason that is not the test's.
enum PassingServer {
    static func source() throws -> String {
        let lab = try String(contentsOfFile: Repository.experiments + "/lab/server.py", encoding: .utf8)
        let accept = "        connection, address = server.accept()\n"
        guard lab.contains(accept) else { throw Changed() }
        return lab.replacingOccurrences(of: accept, with: accept + "        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)\n")
    }

    static func install(in folder: String) throws {
        try source().write(toFile: folder + "/server.py", atomically: true, encoding: .utf8)
    }

    struct Changed: Error, CustomStringConvertible {
        var description: String { "Experiments/lab/server.py no longer accepts as PassingServer expects: update it" }
    }
}

/// A client that keeps TCP_QUICKACK off, so its ACKs are delayed and a server that leaves Nagle
/// on holds its later sends until the first one's ACK: its 5-byte replies leave merged every run.
enum DelayedAckClient {
    static let source = """
        import socket, sys
        s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 0)
        s.sendall(b"Hello! Hello, World!")
        got = b""
        while len(got) < 20:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 0)
            got += s.recv(1024)
        s.close()
        """
}
