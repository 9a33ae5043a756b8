import Foundation
import LabCapture
import LabModel
import LabRunner
import LabPackets
import LabReport
import Testing

/// Runs every experiment on real sockets and checks the trace twice: with our own
/// decoder, and with tshark as an independent oracle, so the decoder is not grading itself.
@Suite(.enabled(if: getuid() == 0, "needs root for namespaces and CAP_NET_RAW"))
struct ExperimentTraceTests {
    @Test(arguments: Repository.experimentNames)
    func experimentPassesAndTsharkSeesTheSameSegments(name: String) throws {
        let experiment = try ExperimentLoader(directory: Repository.experiments).load(name).withInProcessClient()
        let record = try Run.perform(experiment)
        let result = RunResult(experiment: experiment, attempt: 1, record: record, wallTime: .zero, explain: false)
        let (packets, connections, verdict) = (result.packets, result.connections, try #require(result.verdict))
        #expect(verdict.status == .passed, "\(verdict.outcomes.filter { !$0.passed }.map(\.detail)) \(verdict.captureProblems) \(verdict.endpointFailures)")

        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/\(experiment.trace)"
        try PcapWriter.write(record.frames, linkType: record.linkType, snapLength: record.snapLength, to: path)

        // A client port tshark has a dissector for (44818 is EtherNet/IP's, 57000 IRC's) would have
        // its segments dissected, or held for reassembly, as that protocol: that dissector is off.
        let clientPorts = Set(connections.map(\.client.port)).subtracting([experiment.port])
        let claimed = Set(clientPorts.compactMap { TsharkPorts.dissectors[$0] }).subtracting(["http"])
        let tshark = try execute("tshark", claimed.sorted().flatMap { ["--disable-protocol", $0] } + ["-r", path, "-T", "fields", "-E", "separator=,",
                                            "-e", "frame.number", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.len",
                                            "-e", "tcp.flags", "-e", "tcp.seq", "-e", "tcp.ack", "-e", "_ws.col.Protocol", "-e", "_ws.col.Info"])
        #expect(tshark.status == 0, "\(tshark.error)")
        let rows = tshark.output.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.count == packets.count)
        let ours = Dictionary(uniqueKeysWithValues: connections.flatMap(\.segments).map { ($0.number, $0) })
        let list = PacketList(packets: packets, connections: connections)
        for row in rows where row.count >= 9 {
            let number = Int(row[0]) ?? 0
            guard let s = ours[number] else {
                Issue.record("packet \(number) is not a TCP segment of the experiment for us; tshark: \(row)")
                continue
            }
            #expect([row[1], row[2]].contains(String(experiment.port)), "packet \(number) is on another port: \(row)")
            #expect(Int(row[3]) == s.length, "packet \(number) tcp.len")
            #expect(UInt16(row[4].dropFirst(2), radix: 16) == s.flags.rawValue, "packet \(number) tcp.flags")
            #expect(UInt32(row[5]) == s.relativeSequence, "packet \(number) tcp.seq")
            if s.flags.contains(.ack) { #expect(UInt32(row[6]) == s.relativeAcknowledgment, "packet \(number) tcp.ack") }
            let theirs = row[8...].joined(separator: ",")  // the Info text may itself hold commas
            // tshark hands a client port it has a dissector for (57000 is IRC's) to that dissector;
            // tcplab's Info is tshark's for TCP and HTTP, so only those rows are compared.
            guard ["TCP", "HTTP"].contains(row[7]) else { continue }
            #expect(list.rows.first { $0.number == number }?.info == theirs, "packet \(number) Info")
        }
    }
}

/// The TCP ports tshark hands to a dissector of their own, from `tshark -G decodes`.
enum TsharkPorts {
    static let dissectors: [UInt16: String] = {
        guard let table = try? execute("tshark", ["-G", "decodes"]), table.status == 0 else { return [:] }
        var ports: [UInt16: String] = [:]
        for line in table.output.split(separator: "\n") {
            let fields = line.split(separator: "\t")
            if fields.count == 3, fields[0] == "tcp.port", let port = UInt16(fields[1]) { ports[port] = String(fields[2]) }
        }
        return ports
    }()
}
