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
    /// empty) fails with the line to print, as `CheckPipeline.read` does.
    static func read(_ file: String) throws(CommandFailure) -> CaptureSummary {
        var analyzer = ConversationAnalyzer(retainSegments: false)
        var kinds: [ConversationKindReader] = []
        var fingerprint = TraceFingerprint.Builder()
        var frames = 0
        var firstProblem: DecodeError?
        var onlyUnsupported = true
        var problem: CaptureFileError?
        do {
            try CaptureFileReader.scan(file) { record in
                frames += 1
                let packet = Packet.decode(record, number: frames)
                if frames == 1 { firstProblem = packet.malformed }
                if !(packet.malformed?.isUnsupportedLinkType ?? false) { onlyUnsupported = false }
                guard let s = analyzer.add(packet, index: frames - 1) else { return }
                if s.connection > kinds.count {
                    kinds.append(ConversationKindReader(ports: (s.segment.sourcePort, s.segment.destinationPort)))
                }
                kinds[s.connection - 1].add(s)
                fingerprint.add(s)
            }
        } catch let error as CaptureFileError {
            if case .unreadable = error { throw CommandFailure(error) }
            if frames == 0 { throw CommandFailure(error) }
            problem = error
        } catch {
            throw CommandFailure("\(file): \(error)", exitCode: 70)
        }
        if frames > 0, onlyUnsupported, let firstProblem {
            throw CommandFailure("\(file): \(firstProblem); tcplab reads EN10MB, LINUX_SLL, LINUX_SLL2, NULL, LOOP and RAW", exitCode: 2)
        }
        return CaptureSummary(connections: analyzer.connections, kinds: kinds.map(\.kind), frames: frames, problem: problem,
                              fingerprint: fingerprint.fingerprint)
    }
}
