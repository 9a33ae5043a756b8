import LabCapture
import LabModel
import LabPackets
import LabReport
import LabSystem
import LabVerdict

/// One experiment to judge in a check's second pass: the connections it chose from the first.
struct JudgingPlan {
    let experiment: Experiment
    let selection: ConnectionSelection
}

/// What to list of one plan's connections: their packet rows, and the explanation and a
/// ladder's plan when asked.
struct ListingRequest {
    let plan: Int
    var explain = false
    var ladder = false
}

/// A check's second pass over a file whose connections the first pass summed up: it holds the
/// segments of a chosen connection only while the connection is open, and only when a judgement
/// or the explanation needs them (an expectation about that connection, about each, or about
/// the HTTP of all); every chosen connection is tracked as it goes by (`ConnectionTrack`). When a
/// connection's last packet (known from the first pass) goes by, it is judged and explained, and
/// its segments let go. Memory grows with the chosen connections open at once, not the packets.
struct CheckSecondPass {
    let summary: CaptureSummary
    let plans: [JudgingPlan]
    let listing: ListingRequest?
    let client: ClientSelector?

    /// Per plan, the facts of its connections, by index less one.
    private(set) var facts: [[ConnectionFacts?]]
    /// The listed plan's rows and explanation, and how its ladder will fold (`drawLadder`).
    private(set) var rows: PacketRowStore?
    private(set) var explanations: ExplanationStore?
    private(set) var ladderPlan: LadderPlan?
    /// The most segments held at once: what the pass's memory grows with.
    private(set) var mostHeld = 0

    /// Per connection of the file, by index less one: the plans that chose it, with its index there.
    private var roles: [[(plan: Int, index: Int)]]
    private var holds: [Bool]
    private var listed: [Bool]
    private var tracks: [ConnectionTrack?]
    private var segments: [[AnalyzedSegment]]
    private var held = 0
    private var explainer: ClosingExplainer?
    private var rowBuilder = PacketRowBuilder()

    init(summary: CaptureSummary, plans: [JudgingPlan], listing: ListingRequest?, client: ClientSelector?) {
        self.summary = summary
        self.plans = plans
        self.listing = listing
        self.client = client
        let count = summary.connections.count
        facts = plans.map { Array(repeating: nil, count: $0.selection.chosen.count) }
        roles = Array(repeating: [], count: count)
        holds = Array(repeating: false, count: count)
        listed = Array(repeating: false, count: count)
        for (p, plan) in plans.enumerated() {
            for (k, source) in plan.selection.sources.enumerated() {
                roles[source - 1].append((p, k + 1))
                if ConnectionFacts.needsSegments(k + 1, plan.experiment) { holds[source - 1] = true }
            }
        }
        if let listing {
            let chosen = plans[listing.plan].selection
            for source in chosen.sources {
                listed[source - 1] = true
                if listing.explain { holds[source - 1] = true }
            }
            rows = PacketRowStore()
            if listing.ladder { ladderPlan = LadderPlan() }
            if listing.explain {
                explanations = ExplanationStore()
                explainer = ClosingExplainer(firstNumbers: chosen.chosen.map(\.firstNumber),
                                             source: ExplanationSource(experiment: plans[listing.plan].experiment))
            }
        }
        tracks = roles.map { $0.isEmpty ? nil : ConnectionTrack() }
        segments = Array(repeating: [], count: count)
    }

    /// Reads the file again, up to the frames the first pass read.
    mutating func run(_ file: String) throws {
        try Self.reread(file, summary) { s, packet in try add(s, packet) }
        // Connections still open: the file changed between the passes.
        for i in roles.indices where tracks[i] != nil { try close(i) }
        try explainer?.finish { try explanations?.append($0) }
    }

    /// The listed plan's ladder, drawn from one more reading of the file by the plan this pass made.
    func drawLadder(_ file: String) throws -> LadderDiagram? {
        guard let ladderPlan, let listing else { return nil }
        let chosen = plans[listing.plan].selection.chosen
        var drawing = LadderDrawing(ladderPlan, numbered: chosen.count > 1)
        try Self.reread(file, summary) { s, _ in
            let i = s.connection - 1
            guard i < listed.count, listed[i] else { return }
            drawing.add(summary.connections[i].isTurned(by: client) ? s.turned : s)
        }
        return LadderDiagram(connections: chosen, title: "\(plans[listing.plan].experiment.name) against \(file)", drawing: drawing)
    }

    /// Every TCP segment of the file's first `summary.frames` frames, analysed, with its packet.
    private static func reread(_ file: String, _ summary: CaptureSummary,
                               _ body: (AnalyzedSegment, Packet) throws -> Void) throws {
        var analyzer = ConversationAnalyzer(retainSegments: false)
        var read = 0
        let frames = summary.frames
        do {
            try CaptureFileReader.scan(file) { record in
                read += 1
                guard read <= frames else { throw EndOfFirstPass() }
                let packet = Packet.decode(record, number: read)
                guard let s = analyzer.add(packet, index: read - 1) else { return }
                try body(s, packet)
            }
        } catch is EndOfFirstPass {
            // The file grew after the first pass: this pass stops where that one did.
        } catch is CaptureFileError where read >= frames {
            // The damage the first pass stopped at.
        }
    }

    private struct EndOfFirstPass: Error {}

    private mutating func add(_ segment: AnalyzedSegment, _ packet: Packet) throws {
        let i = segment.connection - 1
        // Past what the first pass saw (the file grew), or a connection no plan chose.
        guard i < roles.count, tracks[i] != nil else { return }
        let s = summary.connections[i].isTurned(by: client) ? segment.turned : segment
        tracks[i]?.add(s)
        if holds[i] {
            segments[i].append(s)
            held += 1
            mostHeld = max(mostHeld, held)
        }
        if listed[i] {
            try rows?.append(rowBuilder.row(packet, s))
            ladderPlan?.add(s)
        }
        if s.number >= summary.connections[i].lastNumber { try close(i) }
    }

    /// Judges connection `i` (0-based, in the file) for every plan that chose it, explains it,
    /// and lets its segments go.
    private mutating func close(_ i: Int) throws {
        guard let track = tracks[i] else { return }
        for (p, index) in roles[i] {
            var c = plans[p].selection.chosen[index - 1]
            c.segments = segments[i]
            facts[p][index - 1] = ConnectionFacts(c, track: track, experiment: plans[p].experiment, captureEnd: summary.frames)
            if p == listing?.plan { try explainer?.close(c) { try explanations?.append($0) } }
        }
        held -= segments[i].count
        segments[i] = []
        tracks[i] = nil
    }

    /// Plan `p`'s verdict, once the pass is over.
    func verdict(_ p: Int) -> Verdict {
        Verdict.judge(plans[p].experiment, closed: facts[p].compactMap { $0 }, lastPacket: summary.frames,
                      cutShort: summary.problem != nil)
    }
}
