import ArgumentParser
import FoundationEssentials
import LabCapture
import LabPackets
import LabReport
import LabSystem

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a capture's packet list as Wireshark does, with TCP analysis.",
        discussion: "Reads pcap (µs/ns, either byte order) and pcapng; Ethernet, Linux cooked (SLL, SLL2), NULL/LOOP and RAW links.")

    @Argument(help: "A .pcap or .pcapng file.")
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

    func run() throws {
        // Explaining needs every segment; plain listing streams in memory bounded by the connections.
        var analyzer = ConversationAnalyzer(retainSegments: explain || ladder != nil)
        var output = OutputBuffer()
        let counts: (frames: Int, segments: Int)
        do {
            // Counting and the connection table need only the headers: no frame's bytes are kept.
            if (countOnly || conversations) && !analyzer.retainSegments {
                counts = try analyzeSegments(&analyzer)
            } else {
                counts = try list(&analyzer, printing: !countOnly && !conversations, into: &output)
            }
        } catch let error as CaptureFileError {
            output.flush()
            complain(error.description)
            throw ExitCode(error.exitCode)
        } catch let error as CaptureError {
            output.flush()
            complain(error.description)
            throw ExitCode(64)
        }
        if countOnly {
            output.append("\(counts.frames) packets, \(counts.segments) TCP segments, \(analyzer.connections.count) connections\n")
        }
        if conversations { output.append(ConversationTable.render(analyzer.connections)) }
        if let ladder {
            do {
                try AtomicFile.write(LadderDiagram(connections: analyzer.connections, title: file).render(), to: ladder)
            } catch {
                output.flush()
                complain("\(ladder): cannot write the ladder diagram: \(SystemError.describe(error.errno))")
                throw ExitCode(73)
            }
        }
        if explain && !json {
            let explanations = Explainer(connections: analyzer.connections).explain()
            if !explanations.isEmpty { output.append("\n" + Explanation.render(explanations) + "\n") }
        }
        output.flush()
    }

    /// Decodes and analyses every TCP segment, keeping nothing of them; the file is read and
    /// decoded ahead on a thread of its own.
    private func analyzeSegments(_ analyzer: inout ConversationAnalyzer) throws -> (frames: Int, segments: Int) {
        var frames = 0, segments = 0
        try CaptureFileReader.scanSegments(file) { batch in
            analyzer.add(batch)
            frames += batch.frames
            segments += batch.segments.count
        }
        return (frames, segments)
    }

    /// Analyses every frame and, when `printing`, prints the rows that pass the filter as they
    /// are read (the list or JSON).
    private func list(_ analyzer: inout ConversationAnalyzer, printing: Bool,
                      into output: inout OutputBuffer) throws -> (frames: Int, segments: Int) {
        var filters: [LinkType: PacketFilter] = [:]
        var rows = PacketRowBuilder()
        var frames = 0, segments = 0
        // The header goes out with the first row, so a file that is not a capture prints only its error.
        var firstRow = true
        try CaptureFileReader.scan(file) { record in
            frames += 1
            let packet = Packet.decode(record, number: frames)
            let segment = analyzer.add(packet, index: frames - 1)
            if segment != nil { segments += 1 }
            guard printing else { return }
            if let filter {
                if filters[record.linkType] == nil {
                    filters[record.linkType] = try PacketFilter(filter, linkType: record.linkType)
                }
                guard filters[record.linkType]!.matches(record.bytes, originalLength: record.originalLength) else { return }
            }
            let row = rows.row(packet, segment)
            if firstRow { output.append(json ? "[\n" : PacketRow.header + "\n") }
            if json {
                output.append((firstRow ? "" : ",\n") + Self.encode(row))
            } else {
                output.append(row.line + "\n")
            }
            firstRow = false
        }
        if printing && json { output.append(firstRow ? "[]\n" : "\n]\n") }
        if printing && !json && firstRow { output.append(PacketRow.header + "\n") }
        return (frames, segments)
    }

    static func encode(_ row: PacketRow) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(row)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// Collects output and writes it in large pieces: a million `print` calls cost more than the decoding.
struct OutputBuffer {
    private var text = ""

    mutating func append(_ s: String) {
        text += s
        if text.utf8.count >= 1 << 20 { flush() }
    }

    mutating func flush() {
        FileOutput.writeStandardOutput(text)
        text = ""
    }
}
