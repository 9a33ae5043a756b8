import ArgumentParser
import LabCapture
import LabExperiment
import LabPackets
import LabReport
import LabSystem

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check any capture (a student's Wireshark trace, say) against an experiment's expectations.",
        discussion: """
        The experiment's connections are found by their handshake: those to the experiment's port, or \
        else every connection whose opening was captured. Other traffic in the file (other flows, ARP, \
        DNS) is ignored. Exit codes as for `run`.
        """)

    @Argument(help: "A .pcap or .pcapng file.")
    var file: String

    @Option(help: "The experiment whose expectations apply, e.g. experiment-2.")
    var experiment: String

    @Option(help: "The client's address and port (HOST:PORT), when the handshake alone cannot tell.")
    var client: String?

    @OptionGroup var options: ExperimentOptions

    @Flag(help: "After the packet list, explain every packet; causes taken from the experiment are only \"likely\" here.")
    var explain = false

    @Option(help: "Also draw the experiment's connections as an SVG ladder diagram in this file.")
    var ladder: String?

    func validate() throws {
        if let client, ClientSelector(client) == nil {
            throw ValidationError("--client expects HOST:PORT, such as 10.0.2.15:51234 or [::1]:51234; got '\(client)'")
        }
    }

    func run() throws {
        let loaded: Experiment
        do { loaded = try ExperimentLoader(directory: options.experiments).load(experiment).withInProcessClient() } catch {
            complain(error.description)
            throw ExitCode(error.exitCode)
        }
        var packets: [Packet] = []
        do {
            try CaptureFileReader.read(file) { record in
                packets.append(Packet.decode(record.frame, number: packets.count + 1, linkType: record.linkType))
            }
        } catch let error as CaptureFileError {
            complain(error.description)
            throw ExitCode(error.exitCode)
        }
        let all = ConversationAnalyzer.analyze(packets)
        if all.isEmpty {
            let linkProblem = packets.lazy.compactMap(\.malformed).first { "\($0)".contains("linktype") }
            complain(linkProblem.map { "\(file): \($0); tcplab reads EN10MB, LINUX_SLL, LINUX_SLL2, NULL, LOOP and RAW" }
                     ?? "\(file): no TCP connection in \(packets.count) packet(s)")
            throw ExitCode(linkProblem == nil ? 1 : 65)
        }
        let chosen = select(all, port: loaded.port)
        let relevant = Set(chosen.flatMap { $0.segments.map(\.packetIndex) })
        let shown = packets.enumerated().filter { relevant.contains($0.offset) }.map(\.element)
        let verdict = Verdict.judge(loaded, packets: shown, connections: chosen)
        print("== \(loaded.name) against \(file): \(loaded.title)")
        print(PacketList(packets: shown, connections: chosen).render())
        if all.count > chosen.count { print("(\(all.count - chosen.count) other TCP connection(s) in the file ignored)") }
        print("")
        if explain {
            print(Explanation.render(Explainer(connections: chosen, source: ExplanationSource(experiment: loaded)).explain()))
            print("")
        }
        print(VerdictText.render(verdict))
        print(VerdictText.summary(loaded.name, verdict))
        if let ladder {
            do {
                try AtomicFile.write(LadderDiagram(connections: chosen, title: "\(loaded.name) against \(file)").render(), to: ladder)
            } catch {
                complain("\(ladder): cannot write the ladder diagram: \(SystemError.describe(error.errno))")
                throw ExitCode(73)
            }
        }
        if verdict.exitCode != 0 { throw ExitCode(verdict.exitCode) }
    }

    private func select(_ connections: [Connection], port: UInt16) -> [Connection] {
        var chosen: [Connection]
        if let client, let selector = ClientSelector(client) {
            chosen = connections.filter { selector.matches($0.client) || selector.matches($0.server) }
                .map { $0.oriented(client: selector) }
        } else {
            let opened = connections.filter(\.sawOpening)
            let toPort = opened.filter { $0.server.port == port }
            chosen = toPort.isEmpty ? opened : toPort
        }
        for i in chosen.indices { chosen[i].index = i + 1 }
        return chosen
    }
}

/// `10.0.2.15:51234` or `[::1]:51234`.
struct ClientSelector {
    var host: String
    var port: UInt16

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        (self.host, self.port) = (host, port)
    }

    func matches(_ endpoint: Endpoint) -> Bool { endpoint.port == port && endpoint.address.description == host }
}

extension Connection {
    /// The same connection with `client` as the client, for captures whose opening is missing.
    func oriented(client selector: ClientSelector) -> Connection {
        guard !selector.matches(client), selector.matches(server) else { return self }
        var flipped = self
        (flipped.client, flipped.server) = (server, client)
        (flipped.clientStats, flipped.serverStats) = (serverStats, clientStats)
        flipped.segments = segments.map { var s = $0; s.from = s.from.other; return s }
        return flipped
    }
}
