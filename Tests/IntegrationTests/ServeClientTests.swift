import Foundation
import LabSystem
import Synchronization
import Testing

/// `tcplab serve --listen` and `tcplab client --connect` on two machines: two namespaces of the
/// test's own, joined by a veth pair, stand in for them, so no second computer is needed.
@Suite(.enabled(if: getuid() == 0, "needs root for namespaces, veth and CAP_NET_RAW"))
struct ServeClientTests {
    /// Two machines: `client` at 10.77.0.1 and `server` at 10.77.0.2, each with its end of the
    /// veth pair named `lan0`, and no route anywhere else.
    struct Machines: @unchecked Sendable {
        // Sendable: the namespaces are only entered after this is built.
        let client: NetworkNamespace
        let server: NetworkNamespace
        static let clientAddress = IPv4Address(0x0a4d_0001), serverAddress = IPv4Address(0x0a4d_0002)

        static func make() throws -> Machines {
            let made = Mutex<Result<Machines, SystemError>?>(nil)
            try OSThread.spawn {
                made.withLock { $0 = Result { () throws(SystemError) -> Machines in
                    let client = try NetworkNamespace.unshareCurrentThread()
                    try Interface.up("lo")
                    let server = try NetworkNamespace.unshareCurrentThread()
                    try Interface.up("lo")
                    try client.enter()
                    try Interface.createVethPair("lan0", peer: "lan0", peerNamespace: server)
                    for (namespace, me, peer) in [(client, clientAddress, serverAddress), (server, serverAddress, clientAddress)] {
                        try namespace.enter()
                        try Interface.addAddress("lan0", local: me, peer: peer)
                        try Interface.up("lan0")
                    }
                    return Machines(client: client, server: server)
                } }
            }.join()
            return try made.withLock { $0 }!.get()
        }

        /// Starts `tcplab` inside `namespace`: a child forked from a thread in it lives there too.
        func start(_ arguments: [String], in namespace: NetworkNamespace) throws -> ChildProcess {
            let started = Mutex<Result<ChildProcess, SystemError>?>(nil)
            try OSThread.spawn {
                started.withLock { $0 = Result { () throws(SystemError) -> ChildProcess in
                    try namespace.enter()
                    var options = ChildProcess.Options()
                    options.captureOutput = true
                    options.outputLimit = 1 << 20
                    return try ChildProcess.spawn(Repository.binary, arguments + ["--experiments", Repository.experiments], options: options)
                } }
            }.join()
            return try started.withLock { $0 }!.get()
        }

        /// Reads the server machine's socket table until something listens on `port`.
        func awaitListening(_ port: UInt16, within limit: Duration) throws -> Bool {
            let listening = Mutex(false)
            let server = self.server
            try OSThread.spawn {
                guard (try? server.enter()) != nil else { return }
                let deadline = ContinuousClock.now + limit
                while ContinuousClock.now < deadline {
                    if SocketTable.listeningPorts().contains(port) {
                        listening.withLock { $0 = true }
                        return
                    }
                    Clock.sleep(.milliseconds(1))  // polling the kernel's table, as ProgramEndpoint does
                }
            }.join()
            return listening.withLock { $0 }
        }
    }

    static let visits = 20

    @Test(arguments: ["experiment-1", "experiment-2", "experiment-61"])
    func bothSidesCaptureWriteAndCheckTheirTraces(name: String) throws {
        let machines = try Machines.make()
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port: UInt16 = 12345
        let server = try machines.start(["serve", name, "--listen", "\(Machines.serverAddress):\(port)", "--capture", "lan0",
                                         "--out", "\(dir)/server", "--count", "\(Self.visits)", "--quiet"], in: machines.server)
        defer { server.terminate() }
        #expect(try machines.awaitListening(port, within: .seconds(10)), "the server never listened")
        let client = try machines.start(["client", name, "--connect", "\(Machines.serverAddress):\(port)", "--capture", "lan0",
                                         "--out", "\(dir)/client", "--repeat", "\(Self.visits)", "--quiet"], in: machines.client)
        let limit = ContinuousClock.now + .seconds(180)
        #expect(client.supervise(until: limit) == .exited)
        #expect(server.supervise(until: limit) == .exited)
        let clientStatus = client.terminate(), serverStatus = server.terminate()
        let clientOut = String(decoding: client.stdout.bytes, as: UTF8.self), serverOut = String(decoding: server.stdout.bytes, as: UTF8.self)
        let context = "client: \(clientOut)\(String(decoding: client.stderr.bytes, as: UTF8.self))\nserver: \(serverOut)\(String(decoding: server.stderr.bytes, as: UTF8.self))"
        #expect(clientStatus == .exited(0) && serverStatus == .exited(0), "\(context)")
        for (side, output) in [("client", clientOut), ("server", serverOut)] {
            let passed = output.split(separator: "\n").filter { $0.hasPrefix("\(name): passed") }
            #expect(passed.count == Self.visits, "\(side): \(passed.count)/\(Self.visits) visits passed\n\(context)")
            let traces = (try? FileManager.default.contentsOfDirectory(atPath: "\(dir)/\(side)")) ?? []
            #expect(traces.count == Self.visits, "\(side) wrote \(traces.sorted())")
        }
        // Each side's trace is the same conversation seen from its own end of the link.
        let stem = name == "experiment-1" ? "trace1" : name == "experiment-2" ? "trace2" : "trace61"
        for visit in [1, Self.visits] {
            let seen = try ["client", "server"].map { side in
                try execute(Repository.binary, ["show", "\(dir)/\(side)/\(stem)-\(side)-\(visit).pcap", "--count-only"]).output
            }
            #expect(seen[0] == seen[1], "visit \(visit): \(seen)")
        }
    }

    @Test func aClientWithNoServerSaysSoAndFails() throws {
        let machines = try Machines.make()
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let client = try machines.start(["client", "experiment-1", "--connect", "\(Machines.serverAddress):12345", "--capture", "lan0",
                                         "--out", dir], in: machines.client)
        #expect(client.supervise(until: .now + .seconds(60)) == .exited)
        let status = client.terminate()
        let output = String(decoding: client.stdout.bytes + client.stderr.bytes, as: UTF8.self)
        #expect(status != .exited(0))
        #expect(output.contains("Connection refused") || output.contains("ECONNREFUSED"), "\(output)")
    }

    @Test func badAddressesAreRefusedWithOneLine() throws {
        for arguments in [["client", "experiment-1", "--connect", "10.0.2.15"], ["client", "experiment-1", "--connect", "host:80"],
                          ["serve", "experiment-1", "--listen", "10.0.2.15:0"], ["serve", "experiment-1", "--capture", "eth0"]] {
            let finished = try execute(Repository.binary, arguments)
            #expect(finished.status == 64, "\(arguments): \(finished.status) \(finished.error)")
            #expect(finished.error.contains("ADDRESS:PORT") || finished.error.contains("--listen"), "\(arguments): \(finished.error)")
        }
    }
}
