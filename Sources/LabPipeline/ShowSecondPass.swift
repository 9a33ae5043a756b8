import LabCapture
import LabPackets
import LabReport
import LabSystem

/// `show --explain` and `--ladder` on a file of any size: the first pass (the listing) said
/// where each connection ends, so this one holds only the segments of connections still open,
/// explains each as it closes, and draws the ladder from a plan the first pass made. Memory
/// grows with the connections open at once, not with the packets.
struct ShowSecondPass {
    /// The first pass's connections, without their segments, and how many frames it read.
    let connections: [Connection]
    let frames: Int

    /// Reads the file again, up to the frames the first pass read, for the explanation and the
    /// ladder's drawing, as asked.
    func run(_ file: String, explain: Bool, json: Bool = false, ladder plan: LadderPlan?) throws
        -> (explanation: SpilledExplanation?, drawing: LadderDrawing?) {
        var explainer = explain ? StreamingExplainer(ends: connections) : nil
        var analyzer = ConversationAnalyzer(retainSegments: false)
        var drawing = plan.map { LadderDrawing($0, numbered: connections.count > 1) }
        // Laid out once complete: the label column is as wide as the widest label.
        var explanation = explain ? SpilledExplanation(file: try SpillFile(), json: json) : nil
        func keep(_ e: Explanation) throws { try explanation?.add(e) }
        var read = 0
        do {
            try CaptureFileReader.scan(file) { record in
                read += 1
                guard read <= frames else { throw EndOfFirstPass() }
                let packet = Packet.decode(record, number: read)
                let segment = explainer != nil ? try explainer?.add(packet, index: read - 1, keep) : analyzer.add(packet, index: read - 1)
                if let segment { drawing?.add(segment) }
            }
        } catch is EndOfFirstPass {
            // The file grew after the first pass: this pass stops where that one did.
        }
        try explainer?.finish(keep)
        return (explanation, drawing)
    }

    private struct EndOfFirstPass: Error {}
}

/// The explanation of a big file, kept on disk until its label column's width is known; as
/// JSON, one object per sentence.
struct SpilledExplanation {
    let file: SpillFile
    let json: Bool
    private(set) var lines = 0
    private var width = 0

    init(file: SpillFile, json: Bool) {
        self.file = file
        self.json = json
    }

    mutating func add(_ e: Explanation) throws {
        let label = e.packetLabel
        width = max(width, label.count)
        lines += 1
        try file.append(record: label, json ? ShowPipeline.encode(e) : e.text)
    }

    /// As `Explanation.render` lays it out after the packet list, with a blank line before; as
    /// JSON, the array's elements.
    func write(into output: inout StandardOutputBuffer) throws {
        guard lines > 0 else { return }
        if json {
            var first = true
            try file.readRecords { _, object in
                output.append((first ? "" : ",\n") + object)
                first = false
            }
            return
        }
        output.append("\n")
        try file.readRecords { label, text in
            output.append(Explanation.line(label: label, text: text, width: width) + "\n")
        }
    }
}
