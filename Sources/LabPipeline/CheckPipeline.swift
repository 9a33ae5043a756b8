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
    /// Every packet of a capture file, decoded, and its connections. A file cut short or corrupt
    /// gives the packets before the damage and says where it is; one with nothing readable in it
    /// (missing, unreadable, not a capture, empty) fails with the line to print.
    public static func read(_ file: String) throws(CommandFailure) -> CaptureContents {
        var packets: [Packet] = []
        var problem: CaptureFileError?
        do {
            try CaptureFileReader.read(file) { record in
                packets.append(Packet.decode(record.frame, number: packets.count + 1, linkType: record.linkType))
            }
        } catch let error as CaptureFileError {
            if case .unreadable = error { throw CommandFailure(error) }
            if packets.isEmpty { throw CommandFailure(error) }
            problem = error
        } catch {
            throw CommandFailure("\(file): \(error)", exitCode: 70)
        }
        if !packets.isEmpty, packets.allSatisfy({ $0.malformed?.isUnsupportedLinkType ?? false }), let first = packets[0].malformed {
            throw CommandFailure("\(file): \(first); tcplab reads EN10MB, LINUX_SLL, LINUX_SLL2, NULL, LOOP and RAW", exitCode: 2)
        }
        return CaptureContents(trace: Trace(packets: packets), problem: problem)
    }

    /// Reads and judges one file against one experiment.
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

    /// Judges the file against every experiment and orders them by how well they match.
    public static func rank(_ file: String, _ contents: CaptureContents, experiments: [Experiment],
                            client: ClientSelector?) -> Ranking {
        let results = experiments.map { judge(file, contents, experiment: $0, client: client, explain: false) }
        return Ranking(file: file, results: results)
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
