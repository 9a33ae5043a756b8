import ArgumentParser
import LabPipeline

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a capture's packet list as Wireshark does, with TCP analysis.",
        discussion: "Reads pcap (µs/ns, either byte order) and pcapng; Ethernet, Linux cooked (SLL, SLL2), NULL/LOOP and RAW links.")

    @Argument(help: "A .pcap or .pcapng file.", completion: captureFile)
    var file: String

    @Option(help: "Show only packets matching a BPF expression (`port 80`, `host 10.0.0.1`, `tcp[tcpflags] & tcp-rst != 0`) or the words syn, fin, rst, push, ack. The analysis still sees every packet.")
    var filter: String?

    @Flag(help: "Print one line per TCP connection: history, and per-direction counters.")
    var conversations = false

    @Flag(help: "Print the rows as a JSON array.")
    var json = false

    @Flag(help: "After the packet list, explain every TCP packet; causes the packets cannot show are only \"likely\".")
    var explain = false

    @Option(help: "Also draw the TCP packets as an SVG ladder diagram in this file.")
    var ladder: String?

    @Flag(help: "Decode and analyse every packet, print only the counts (for benchmarks).")
    var countOnly = false

    @Option(name: .customLong("detail"), help: ArgumentHelp("Print packet N's details tree (frame, link, IP, TCP with flags and options, HTTP), with tshark -V's field names, and nothing else.", valueName: "N"))
    var detail: Int?

    @Option(name: .customLong("hex"), help: ArgumentHelp("Print packet N's bytes as tshark -x does (with --detail, after the tree).", valueName: "N"))
    var hex: Int?

    func validate() throws {
        if let detail, let hex, detail != hex { throw ValidationError("--detail and --hex show one packet: give them the same number") }
        for (name, value) in [("--detail", detail), ("--hex", hex)] {
            if let value, value < 1 { throw ValidationError("\(name) counts packets from 1; got \(value)") }
        }
    }

    func run() throws {
        var request = ShowRequest(file: file)
        request.filter = filter
        request.conversations = conversations
        request.json = json
        request.explain = explain
        request.ladder = ladder
        request.countOnly = countOnly
        request.detail = detail
        request.hex = hex
        var output = StandardOutputBuffer()
        do {
            try ShowPipeline.run(request, into: &output)
        } catch {
            output.flush()
            throw fail(error.description, ExitStatus(code: error.exitCode))
        }
        output.flush()
    }
}
