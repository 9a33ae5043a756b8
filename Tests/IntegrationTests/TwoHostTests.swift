import Foundation
import LabCapture
import LabModel
import LabPackets
import LabReport
import LabRunner
import LabSystem
import LabVerdict
import Testing

/// The lab's two machines: every experiment on the two hosts of its lab trace, its fidelity to
/// the lab's own listings, and nothing of it on the machine's own network.
@Suite(.enabled(if: getuid() == 0, "needs root for namespaces, veth and CAP_NET_RAW"))
struct TwoHostTests {
    static let loader = ExperimentLoader(directory: Repository.experiments)
    static let labExperiments = Repository.experimentNames.filter { (try? loader.load($0).labLink) != nil }

    static func onLabHosts(_ name: String) throws -> Experiment {
        try #require(try loader.load(name).on(.lab)).withInProcessClient()
    }

    @Test func everyPartOneAndPartTwoExperimentHasALabLink() {
        #expect(Self.labExperiments == Repository.experimentNames, "without a labLink: \(Set(Repository.experimentNames).subtracting(Self.labExperiments).sorted())")
    }

    @Test(arguments: labExperiments)
    func passesOnTheLabHostsAndTsharkReadsTheSameRows(name: String) throws {
        let experiment = try Self.onLabHosts(name)
        let hosts = try #require(experiment.link.hosts)
        let record = try Run.perform(experiment)
        let result = RunResult(experiment: experiment, attempt: 1, record: record, wallTime: .zero, explain: false)
        let verdict = try #require(result.verdict)
        #expect(verdict.status == .passed, "\(verdict.outcomes.filter(\.failed).map(\.detail)) \(verdict.captureProblems) \(verdict.endpointFailures)")
        // Captured as the lab did: Linux cooked capture on the client, between the profile's addresses.
        #expect(record.linkType == .linuxSLL)
        let addresses = Set(result.packets.compactMap(\.source).map(String.init(describing:)))
        #expect(addresses == [hosts.client.address.description, hosts.server.address.description])
        let syn = try #require(result.connections.first?.segments.first)
        #expect(syn.segment.options.contains(.maximumSegmentSize(1460)), "the SYN's MSS on a 1500-byte link")
        if experiment.labListing != nil {
            #expect(result.fidelity?.allEqual == true, "\(result.fidelity.map(RunText.fidelityLines) ?? ["no fidelity report"])")
        }

        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/\(experiment.trace)"
        try PcapWriter.write(record.frames, linkType: record.linkType, snapLength: record.snapLength, to: path)
        // A client port tshark has a dissector for would be dissected, or held for reassembly, as that protocol.
        let claimed = Set(Set(result.connections.map(\.client.port)).subtracting([experiment.port]).compactMap { TsharkPorts.dissectors[$0] })
            .subtracting(["http"])
        let tshark = try execute("tshark", claimed.sorted().flatMap { ["--disable-protocol", $0] }
                                 + ["-r", path, "-T", "fields", "-e", "frame.number", "-e", "_ws.col.Protocol", "-e", "_ws.col.Info"])
        #expect(tshark.status == 0, "\(tshark.error)")
        let list = PacketList(packets: result.packets, connections: result.connections)
        let theirs = tshark.output.split(separator: "\n").map { $0.split(separator: "\t", maxSplits: 2).map(String.init) }
        #expect(theirs.count == list.rows.count)
        // Only TCP and HTTP rows: tshark gives a client port it has a dissector for to that dissector.
        for (row, their) in zip(list.rows, theirs) where their.count == 3 && ["TCP", "HTTP"].contains(their[1]) {
            #expect(row.info == their[2], "packet \(row.number) Info")
        }
    }

    /// The lab's trace1 listing, ten rows through VirtualBox's NAT, run after run.
    @Test func trace1RowsAreTheLabsInEveryRun() throws {
        let experiment = try Self.onLabHosts("experiment-1")
        for attempt in 1...20 {
            let record = try Run.perform(experiment)
            let result = RunResult(experiment: experiment, attempt: attempt, record: record, wallTime: .zero, explain: false)
            let fidelity = try #require(result.fidelity)
            #expect(fidelity.rows.count == 10 && fidelity.allEqual, "run \(attempt): \(RunText.fidelityLines(fidelity))")
            // The Linux client's SYN is the lab's; the NAT's SYN-ACK differs only in the window it advertises.
            let syn = try #require(result.connections.first?.segments.first)
            #expect(Fidelity.row(syn) == "client [SYN] Seq=0 Win=64240 Len=0 MSS=1460 SACK_PERM TSval WS=128")
            #expect(fidelity.rows[1].notes.count == 1 && fidelity.rows[1].notes[0].hasPrefix("Win=32120, not 32768"))
        }
    }

    @Test func aHostWithoutTimestampsSACKOrScalingAnswersAsVirtualBoxsNAT() throws {
        let result = try runOnce(Self.onLabHosts("experiment-1"))
        let segments = try #require(result.connections.first?.segments)
        #expect(segments[1].segment.options == [.maximumSegmentSize(1460)], "the SYN-ACK carries MSS only: \(segments[1].segment.options)")
        for s in segments.dropFirst(2) {
            #expect(!s.segment.options.contains { if case .timestamp = $0 { true } else { false } }, "packet \(s.number) carries a timestamp")
        }
    }

    /// `"capture": "both"`: each host captured on its own "any", merged as one Linux cooked v2
    /// trace in which every packet appears twice (leaving one host, arriving at the other), as
    /// `tshark -i any` on both machines would show; the run is checked on the client's.
    @Test func bothHostsCapturesMergeAsOneCookedV2Trace() throws {
        var experiment = try Self.onLabHosts("experiment-1")
        experiment.link.hosts?.capture = .both
        let record = try Run.perform(experiment)
        let result = RunResult(experiment: experiment, attempt: 1, record: record, wallTime: .zero, explain: false)
        #expect(result.verdict?.status == .passed, "\(result.verdict?.outcomes.filter(\.failed).map(\.detail) ?? []) \(record.captureProblems)")
        #expect(record.linkType == .linuxSLL2)
        let merged = try #require(record.mergedFrames)
        #expect(merged.count == 2 * record.frames.count, "\(merged.count) merged frames for \(record.frames.count) checked")
        #expect(zip(merged, merged.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp }, "in time order")
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/trace1.pcap"
        try PcapWriter.write(merged, linkType: record.linkType, snapLength: record.snapLength, to: path)
        // SLL2's packet type: 4 leaving the host (outgoing), 0 arriving for it.
        let tshark = try execute("tshark", ["-r", path, "-T", "fields", "-e", "sll.pkttype"])
        #expect(tshark.status == 0, "\(tshark.error)")
        let types = tshark.output.split(separator: "\n").map(String.init)
        #expect(types.count == merged.count && types.filter { $0 == "4" }.count == record.frames.count, "\(types)")
    }

    func runOnce(_ experiment: Experiment) throws -> RunResult {
        RunResult(experiment: experiment, attempt: 1, record: try Run.perform(experiment), wallTime: .zero, explain: false)
    }

    /// A capture on the machine's own namespace, while runs on lo and on the lab's hosts go on,
    /// sees none of their packets; a datagram sent there on purpose shows that it is listening.
    @Test func noPacketOfARunReachesTheMachinesOwnNamespace() throws {
        let addresses = Set(try Self.labExperiments.map(Self.onLabHosts).flatMap { e -> [String] in
            let hosts = try #require(e.link.hosts)
            return [hosts.client.address.description, hosts.server.address.description]
        })
        let control: UInt16 = 9
        let filter = addresses.sorted().map { "host \($0)" }.joined(separator: " or ") + " or udp port \(control)"
        let capture = try LiveCapture(LiveCapture.Settings(filter: filter).with(interface: "any"))
        defer { capture.close() }
        for name in ["experiment-1", "experiment-3", "experiment-61"] {
            #expect(try runOnce(Self.onLabHosts(name)).verdict?.status == .passed)
            #expect(try runOnce(Self.loader.load(name).withInProcessClient()).verdict?.status == .passed)
        }
        let payload = Array("tcplab-control-\(UUID().uuidString)".utf8)
        try Marker.send(port: control, payload: payload)
        var frames: [CapturedFrame] = []
        let deadline = ContinuousClock.now + .seconds(5)
        let wakeup = try Wakeup()
        while !frames.contains(where: { Packet.decode($0, number: 1, linkType: capture.linkType).udpPayload.elementsEqual(payload) }),
              ContinuousClock.now < deadline {
            try capture.wait(wakeup: wakeup, timeout: .milliseconds(100))
            frames += try capture.readAvailable()
        }
        let packets = frames.map { Packet.decode($0, number: 1, linkType: capture.linkType) }
        let control_ = packets.filter { $0.udpPayload.elementsEqual(payload) }
        #expect(!control_.isEmpty, "the control datagram was not captured, so the capture proves nothing")
        let foreign = packets.filter { !$0.udpPayload.elementsEqual(payload) }
        #expect(foreign.isEmpty, "seen in the machine's own namespace: \(foreign.map { "\($0.source.map(String.init(describing:)) ?? "?") → \($0.destination.map(String.init(describing:)) ?? "?")" })")
    }
}

extension LiveCapture.Settings {
    func with(interface: String) -> Self {
        var copy = self
        copy.interface = interface
        return copy
    }
}
