import LabModel
import LabPackets

/// What a program did wrong that only the wire shows: the port it connected to, or that it
/// never connected at all. Each is one line, in the words of the program's behaviour.
enum ProgramDiagnosis {
    /// The endpoint failures of a run with a program in it. When a program failed, the scripted
    /// side's failure is only its consequence (a server left waiting for a client that never
    /// came), so the program's lines are the ones shown.
    static func failures(_ experiment: Experiment, connections: [Connection], record: RunRecord) -> [String] {
        let programLines = record.endpoints.filter { $0.program != nil }.compactMap(\.failure)
            + wireFailures(experiment, connections: connections, record: record)
        if !programLines.isEmpty { return programLines }
        return record.endpoints.compactMap(\.failure)
    }

    static func wireFailures(_ experiment: Experiment, connections: [Connection], record: RunRecord) -> [String] {
        var lines: [String] = []
        let port = experiment.port
        let elsewhere = connections.filter { $0.server.port != port }
        for c in elsewhere where experiment.programs[.client] != nil {
            lines.append("the client connected to \(c.server.port); the experiment's server listens on \(port) (pass {port} or read TCPLAB_PORT)")
        }
        for c in connections where experiment.programs[.client] != nil {
            guard let listened = RootCause.otherHost(c, experiment: experiment, record: record) else { continue }
            lines.append("the client connected to \(c.server.address); the server listens on \(listened.joined(separator: " and ")) only (pass {host} or read TCPLAB_HOST)")
        }
        let onPort = connections.count - elsewhere.count
        if onPort == 0, elsewhere.isEmpty, experiment.programs[.client] != nil,
           let program = record.endpoint(.client)?.program, case .exited(.exited(0)) = program.ending {
            lines.append("the client program exited with status 0 without connecting to port \(port)")
        }
        return lines
    }
}
