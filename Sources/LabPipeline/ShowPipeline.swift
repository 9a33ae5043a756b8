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
    /// `--detail N` / `--hex N`: only that packet's tree and bytes.
    public var detail: Int?
    public var hex: Int?

    public init(file: String) { self.file = file }

    /// With the connections or the explanation, JSON is one object holding them beside the packets.
    var wrapsJSON: Bool { conversations || explain }
    var jsonOpening: String { wrapsJSON ? "{\n\"packets\": [\n" : "[\n" }
}

/// `show`: a capture's packet list as Wireshark prints it, streamed, and what it adds on request.
public enum ShowPipeline {
    /// Writes everything asked for into `output`. On a failure, what was written stays there,
    /// for the caller to print before the error.
    public static func run(_ request: ShowRequest, into output: inout StandardOutputBuffer) throws(CommandFailure) {
        if let packet = request.detail ?? request.hex {
            try DetailPipeline.run(request.file, packet: packet, tree: request.detail != nil, hex: request.hex != nil, into: &output)
            return
        }
        do { try OutputWriter.makeFolders(for: [("--ladder", request.ladder)]) } catch { throw CommandFailure(error) }
        // Every command keeps only the connections here; explaining and the ladder read the file
        // again, knowing where each connection ends (ShowSecondPass).
        var analyzer = ConversationAnalyzer(retainSegments: false)
        var plan = request.ladder.map { _ in LadderPlan() }
        let counts: (frames: Int, segments: Int)
        var second: (explanation: SpilledExplanation?, drawing: LadderDrawing?) = (nil, nil)
        do {
            // Counting and the connection table need only the headers: no frame's bytes are kept.
            // JSON lists the packets always: the connections and the explanation join them in one object.
            let listing = !request.countOnly && (request.json || !request.conversations)
            if !listing && plan == nil {
                counts = try analyzeSegments(request.file, &analyzer)
            } else if listing && plan == nil {
                counts = try listText(request, &analyzer, into: &output)
            } else {
                counts = try list(request, &analyzer, ladder: &plan, printing: listing, into: &output)
            }
            if request.explain || plan != nil {
                let pass = ShowSecondPass(connections: analyzer.connections, frames: counts.frames)
                second = try pass.run(request.file, explain: request.explain, json: request.json, ladder: plan)
            }
        } catch {
            throw failure(error, request.file)
        }
        if request.countOnly {
            output.append("\(counts.frames) packets, \(counts.segments) TCP segments, \(analyzer.connectionCount) connections\n")
        }
        if request.conversations && !request.json { output.append(ConversationTable.render(analyzer.connections)) }
        if let ladder = request.ladder, let drawing = second.drawing {
            do {
                try OutputWriter.writeLadder(LadderDiagram(connections: analyzer.connections, title: request.file, drawing: drawing), to: ladder)
            } catch {
                throw CommandFailure(error)
            }
        }
        if request.json && request.wrapsJSON {
            if request.conversations {
                output.append(",\n\"conversations\": [\n" + analyzer.connections.map { encode(RunReport.ConnectionEntry($0)) }
                    .joined(separator: ",\n") + "\n]")
            }
            if request.explain { output.append(",\n\"explanation\": [\n") }
        }
        do { try second.explanation?.write(into: &output) } catch { throw failure(error, request.file) }
        if request.json && request.wrapsJSON { output.append((request.explain ? "\n]" : "") + "\n}\n") }
    }

    private static func failure(_ error: any Error, _ file: String) -> CommandFailure {
        switch error {
        case let error as CaptureFileError: CommandFailure(error)
        case let error as CaptureError: CommandFailure(error.description, exitCode: 64)
        default: CommandFailure("\(file): \(error)", exitCode: 70)
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
    private static func list(_ request: ShowRequest, _ analyzer: inout ConversationAnalyzer, ladder plan: inout LadderPlan?,
                             printing: Bool, into output: inout StandardOutputBuffer) throws -> (frames: Int, segments: Int) {
        var filters = request.filter.map(PacketFilters.init)
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
            if let segment {
                segments += 1
                plan?.add(segment)
            }
            guard printing else { return }
            if try filters?.pass(record) == false {
                json ? rows.hide(packet, segment) : lines.hide(packet, segment)
                return
            }
            if firstRow { output.append(json ? request.jsonOpening : PacketRow.header + "\n") }
            if json {
                output.append((firstRow ? "" : ",\n") + encode(rows.row(packet, segment)))
            } else {
                lines.write(packet, segment, into: &output.bytes)
                output.flushIfFull()
            }
            firstRow = false
        }
        if printing && json {
            output.append((firstRow ? request.jsonOpening : "\n") + (request.wrapsJSON ? "]" : "]\n"))
        }
        if printing && !json && firstRow { output.append(PacketRow.header + "\n") }
        return (frames, segments)
    }

    static func encode<T: Encodable>(_ row: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(row)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
