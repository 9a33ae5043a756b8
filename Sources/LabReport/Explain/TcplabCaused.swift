import LabModel
import LabPackets
import LabVerdict

/// The packets tcplab itself caused in a run with programs: the FIN or RST a program's kernel sent
/// because tcplab stopped the program. Each report marks them, so a student does not read tcplab's
/// kill as their own close.
public enum TcplabCaused {
    /// Packet number → why tcplab caused it: "the client's kernel sent it when tcplab stopped the
    /// client program at the deadline".
    public static func packets(_ record: RunRecord?, connections: [Connection]) -> [Int: String] {
        var reasons: [Int: String] = [:]
        for endpoint in record?.endpoints ?? [] {
            guard let program = endpoint.program else { continue }
            let side = endpoint.side
            let when = switch program.ending {
            case .killedAtDeadline: " at the deadline"
            case .stoppedAfterClient: " after the run ended"
            default: ""
            }
            for n in RootCause.causedByTcplab(program, side: side, connections: connections) {
                reasons[n] = "the \(side)'s kernel sent it when tcplab stopped the \(side) program\(when)"
            }
        }
        return reasons
    }

    /// The explanations with each packet tcplab caused said to be tcplab's.
    public static func mark(_ explanations: [Explanation], _ caused: [Int: String]) -> [Explanation] {
        guard !caused.isEmpty else { return explanations }
        return explanations.map { e in
            let reasons = e.packets.compactMap { n in caused[n].map { "packet \(n): \($0)" } }
            guard !reasons.isEmpty else { return e }
            return Explanation(packets: e.packets, text: e.text + " Caused by tcplab, not the program (" + reasons.joined(separator: "; ") + ").")
        }
    }
}
