import LabCapture
import LabModel
import LabPackets
import LabReport
import LabVerdict

/// `check`: a capture file judged against an experiment.
public enum CheckPipeline {
    /// Reads the whole file and judges it. A file tcplab cannot read, or one without any TCP
    /// connection, fails with the line to print.
    public static func check(_ file: String, experiment: Experiment, client: ClientSelector?,
                             explain: Bool) throws(CommandFailure) -> CheckResult {
        let trace = try read(file)
        if trace.connections.isEmpty {
            let linkProblem = trace.packets.lazy.compactMap(\.malformed).first(where: \.isUnsupportedLinkType)
            if let linkProblem {
                throw CommandFailure("\(file): \(linkProblem); tcplab reads EN10MB, LINUX_SLL, LINUX_SLL2, NULL, LOOP and RAW",
                                     exitCode: 65)
            }
            throw CommandFailure("\(file): no TCP connection in \(trace.packets.count) packet(s)", exitCode: 1)
        }
        return CheckResult(file: file, experiment: experiment, trace: trace, client: client, explain: explain)
    }

    /// Every packet of a capture file, decoded, and its connections.
    public static func read(_ file: String) throws(CommandFailure) -> Trace {
        var packets: [Packet] = []
        do {
            try CaptureFileReader.read(file) { record in
                packets.append(Packet.decode(record.frame, number: packets.count + 1, linkType: record.linkType))
            }
        } catch let error as CaptureFileError {
            throw CommandFailure(error)
        } catch {
            throw CommandFailure("\(file): \(error)", exitCode: 70)
        }
        return Trace(packets: packets)
    }
}
