import LabCapture
import LabPackets
import LabVerdict

/// What a check's first pass over a capture file keeps: its connections without their segments
/// (counts, history, first and last packet), what each carries as its first bytes tell, how many
/// frames it read and why the reading stopped early. Memory grows with the connections, not the
/// packets; the second pass (`CheckSecondPass`) reads the segments again where they are needed.
struct CaptureSummary {
    var connections: [Connection]
    /// By connection index less one.
    var kinds: [ConversationKind]
    var frames: Int
    /// The file is cut short or corrupt after `frames` frames.
    var problem: CaptureFileError?
    var fingerprint: TraceFingerprint?

    /// The first pass. A file with nothing readable in it (missing, unreadable, not a capture,
    /// empty) fails with the line to print (`CheckPipeline.decodeFrames`).
    static func read(_ file: String) throws(CommandFailure) -> CaptureSummary {
        var analyzer = ConversationAnalyzer(retainSegments: false)
        var kinds: [ConversationKindReader] = []
        var fingerprint = TraceFingerprint.Builder()
        let (frames, problem) = try CheckPipeline.decodeFrames(file) { packet in
            guard let s = analyzer.add(packet, index: packet.number - 1) else { return }
            if s.connection > kinds.count {
                kinds.append(ConversationKindReader(ports: (s.segment.sourcePort, s.segment.destinationPort)))
            }
            kinds[s.connection - 1].add(s)
            fingerprint.add(s)
        }
        return CaptureSummary(connections: analyzer.connections, kinds: kinds.map(\.kind), frames: frames, problem: problem,
                              fingerprint: fingerprint.fingerprint)
    }
}
