import FoundationEssentials
import LabCapture
import LabPackets
import LabReport

/// What `tcplab show` was asked for.
public struct ShowRequest: Sendable {
    public var file: String
    public var filter: String?
    public var conversations = false
    public var json = false
    public var explain = false
    public var ladder: String?
    public var countOnly = false

    public init(file: String) { self.file = file }
}

/// `show`: a capture's packet list as Wireshark prints it, streamed, and what it adds on request.
public enum ShowPipeline {
    /// Writes everything asked for into `output`. On a failure, what was written stays there,
    /// for the caller to print before the error.
    public static func run(_ request: ShowRequest, into output: inout StandardOutputBuffer) throws(CommandFailure) {
        // Explaining needs every segment; plain listing streams in memory bounded by the connections.
        var analyzer = ConversationAnalyzer(retainSegments: request.explain || request.ladder != nil)
        let counts: (frames: Int, segments: Int)
        do {
            // Counting and the connection table need only the headers: no frame's bytes are kept.
            if (request.countOnly || request.conversations) && !analyzer.retainSegments {
                counts = try analyzeSegments(request.file, &analyzer)
            } else {
                counts = try list(request, &analyzer, printing: !request.countOnly && !request.conversations, into: &output)
            }
        } catch let error as CaptureFileError {
            throw CommandFailure(error)
        } catch let error as CaptureError {
            throw CommandFailure(error.description, exitCode: 64)
        } catch {
            throw CommandFailure("\(request.file): \(error)", exitCode: 70)
        }
        if request.countOnly {
            output.append("\(counts.frames) packets, \(counts.segments) TCP segments, \(analyzer.connections.count) connections\n")
        }
        if request.conversations { output.append(ConversationTable.render(analyzer.connections)) }
        if let ladder = request.ladder {
            do {
                try OutputWriter.writeLadder(analyzer.connections, title: request.file, to: ladder)
            } catch {
                throw CommandFailure(error)
            }
        }
        if request.explain && !request.json {
            let explanations = Explainer(connections: analyzer.connections).explain()
            if !explanations.isEmpty { output.append("\n" + Explanation.render(explanations) + "\n") }
        }
    }

    /// Decodes and analyses every TCP segment, keeping nothing of them; the file is read and
    /// decoded ahead on a thread of its own.
    private static func analyzeSegments(_ file: String, _ analyzer: inout ConversationAnalyzer) throws -> (frames: Int, segments: Int) {
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
    private static func list(_ request: ShowRequest, _ analyzer: inout ConversationAnalyzer, printing: Bool,
                             into output: inout StandardOutputBuffer) throws -> (frames: Int, segments: Int) {
        var filters: [LinkType: PacketFilter] = [:]
        var rows = PacketRowBuilder()
        var lines = PacketLineWriter()
        var frames = 0, segments = 0
        let json = request.json
        // The header goes out with the first row, so a file that is not a capture prints only its error.
        var firstRow = true
        try CaptureFileReader.scan(request.file) { record in
            frames += 1
            let packet = Packet.decode(record, number: frames)
            let segment = analyzer.add(packet, index: frames - 1)
            if segment != nil { segments += 1 }
            guard printing else { return }
            if let filter = request.filter {
                if filters[record.linkType] == nil {
                    filters[record.linkType] = try PacketFilter(filter, linkType: record.linkType)
                }
                guard filters[record.linkType]!.matches(record.bytes, originalLength: record.originalLength) else { return }
            }
            if firstRow { output.append(json ? "[\n" : PacketRow.header + "\n") }
            if json {
                output.append((firstRow ? "" : ",\n") + encode(rows.row(packet, segment)))
            } else {
                lines.write(packet, segment, into: &output.bytes)
                output.flushIfFull()
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
