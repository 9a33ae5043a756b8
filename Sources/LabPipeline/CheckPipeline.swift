import LabCapture
import LabModel
import LabPackets
import LabReport
import LabVerdict

/// A capture file as far as it could be read: its packets, and why the reading stopped early.
public struct CaptureContents: Sendable {
    public var trace: Trace
    /// The file is cut short or corrupt after the packets in `trace`.
    public var problem: CaptureFileError?
}

/// `check`: a capture file judged against an experiment, or against every one to find its match.
public enum CheckPipeline {
    /// Every packet of a capture file, decoded, and its connections, in memory: the reference
    /// `check`'s two passes are tested against (`StreamingCheckTests`). A file cut short or
    /// corrupt gives the packets before the damage and says where it is; one with nothing
    /// readable in it (missing, unreadable, not a capture, empty) fails with the line to print.
    public static func read(_ file: String) throws(CommandFailure) -> CaptureContents {
        var packets: [Packet] = []
        let (_, problem) = try decodeFrames(file) { packets.append($0) }
        return CaptureContents(trace: Trace(packets: packets), problem: problem)
    }

    /// Decodes every frame of `file` for `body`, in order; returns how many, and why the reading
    /// stopped early. A file with nothing readable in it (missing, unreadable, not a capture,
    /// empty, or only frames of link types tcplab does not read) fails with the line to print.
    static func decodeFrames(_ file: String, _ body: (Packet) -> Void) throws(CommandFailure)
        -> (frames: Int, problem: CaptureFileError?) {
        var frames = 0
        var firstProblem: DecodeError?
        var onlyUnsupported = true
        do {
            try CaptureFileReader.scan(file) { record in
                frames += 1
                let packet = Packet.decode(record, number: frames)
                if frames == 1 { firstProblem = packet.malformed }
                if !(packet.malformed?.isUnsupportedLinkType ?? false) { onlyUnsupported = false }
                body(packet)
            }
        } catch let error as CaptureFileError {
            if case .unreadable = error { throw CommandFailure(error) }
            if frames == 0 { throw CommandFailure(error) }
            return (frames, error)
        } catch {
            throw CommandFailure("\(file): \(error)", exitCode: 70)
        }
        if frames > 0, onlyUnsupported, let firstProblem {
            throw CommandFailure("\(file): \(firstProblem); tcplab reads EN10MB, LINUX_SLL, LINUX_SLL2, NULL, LOOP and RAW", exitCode: 2)
        }
        return (frames, nil)
    }

    /// Judges a file read once already (`summary`) against each experiment, reading it a second
    /// time; `list` asks for the packet rows of the first experiment's connections (and their
    /// explanation and ladder, as `explain` and `ladder` say; a ladder reads the file once more).
    static func judge(_ file: String, _ summary: CaptureSummary, experiments: [Experiment], client: ClientSelector?,
                      list: Bool, explain: Bool = false, ladder: Bool = false) throws(CommandFailure) -> [CheckResult] {
        let plans = experiments.map { e in
            JudgingPlan(experiment: e, selection: ConnectionSelection(summary.connections, kinds: summary.kinds, experiment: e, client: client))
        }
        let listing = list && !plans.isEmpty ? ListingRequest(plan: 0, explain: explain, ladder: ladder) : nil
        var pass = CheckSecondPass(summary: summary, plans: plans, listing: listing, client: client)
        let diagram: LadderDiagram?
        do {
            try pass.run(file)
            diagram = try pass.drawLadder(file)
        } catch let error as CaptureFileError {
            throw CommandFailure(error)
        } catch {
            throw CommandFailure("\(file): \(error)", exitCode: 70)
        }
        return plans.indices.map { p in
            var result = CheckResult(file: file, experiment: plans[p].experiment, selection: plans[p].selection,
                                     connectionCount: summary.connections.count, verdict: pass.verdict(p), framesRead: summary.frames,
                                     fileProblem: summary.problem.map(\.reason), rows: p == listing?.plan ? pass.rows : nil,
                                     explanations: p == listing?.plan ? pass.explanations : nil)
            if p == listing?.plan { result.ladder = diagram }
            return result
        }
    }

    /// Reads and judges one file against one experiment, all in memory: the reference the two
    /// passes are tested against.
    public static func check(_ file: String, experiment: Experiment, client: ClientSelector?,
                             explain: Bool) throws(CommandFailure) -> CheckResult {
        let contents = try read(file)
        return judge(file, contents, experiment: experiment, client: client, explain: explain)
    }

    public static func judge(_ file: String, _ contents: CaptureContents, experiment: Experiment, client: ClientSelector?,
                             explain: Bool) -> CheckResult {
        CheckResult(file: file, experiment: experiment, trace: contents.trace, client: client, explain: explain,
                    fileProblem: contents.problem.map(\.reason))
    }
}

extension CaptureFileError {
    /// The problem without the file name in front.
    public var reason: String {
        switch self {
        case let .unreadable(_, error): "\(error)"
        case let .malformed(_, error): "\(error)"
        }
    }
}
