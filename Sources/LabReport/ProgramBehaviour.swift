import LabModel
import LabPackets
import LabVerdict

/// What a program's code did, read back from the wire: how it cut what it sent, how long it
/// waited, and how it closed. Shown when a run with a program does not pass, so a student sees
/// the cause in terms of their own code, not only the expectation that failed.
public enum ProgramBehaviour {
    public static func lines(_ experiment: Experiment, connections: [Connection], record: RunRecord? = nil, cause: RootCause? = nil) -> [String] {
        // A refused connection reached no program: the RST is the kernel's, with nothing listening there.
        let judged = connections.filter { $0.server.port == experiment.port && !$0.wasRefused }
        var lines: [String] = []
        for side in [Direction.server, .client] where experiment.programs[side] != nil {
            let sockets = record?.endpoint(side)?.program?.sockets
            for (n, c) in judged.enumerated() {
                // A FIN or RST its kernel sent because tcplab stopped it is tcplab's, not the program's.
                let caused = record?.endpoint(side)?.program.map { RootCause.causedByTcplab($0, side: side, connections: [c]) } ?? []
                let exitClose = cause.flatMap { $0.side == side ? $0.closeAtExit : nil }
                var facts = describe(side, on: c, causedByTcplab: Set(caused), closeAtExit: exitClose)
                if cause?.waiter == side, let last = facts.indices.last {
                    // Its close came only after tcplab stopped its peer: until then it was waiting, not failing.
                    facts[last] = "read everything that arrived and waited for the \(side.other)'s FIN until the deadline"
                }
                if let sockets, n < sockets.count {
                    let socket = sockets[n]
                    let arrived = c.segments(from: side.other).filter { $0.length > 0 }.reduce(0) { $0 + $1.length }
                    if socket.closed, arrived > socket.bytesRead {
                        facts.append("strace shows it read \(socket.bytesRead) of the \(arrived) bytes the \(side.other) sent before close(): up to \(arrived - socket.bytesRead) were unread or arrived after it")
                    }
                }
                guard !facts.isEmpty else { continue }
                let which = judged.count > 1 ? " on connection \(c.index)" : ""
                lines.append("what the \(side) program did\(which): " + facts.joined(separator: "; "))
            }
        }
        return lines
    }

    static func describe(_ side: Direction, on c: Connection, causedByTcplab: Set<Int> = [], closeAtExit: Int? = nil) -> [String] {
        let own = c.segments(from: side).filter(\.carriesNewData)
        let peer = c.segments(from: side.other).filter(\.carriesNewData)
        let ownSizes = own.map(\.length), peerTotal = peer.reduce(0) { $0 + $1.length }
        let ownTotal = ownSizes.reduce(0, +)
        var facts: [String] = []
        if own.isEmpty {
            facts.append("sent no data")
        } else if let piece = ownSizes.first, ownSizes.count > 1, ownSizes.dropLast().allSatisfy({ $0 == piece }),
                  (ownSizes.last ?? 0) <= piece, peer.count < own.count, peerTotal > 0, ownTotal % peerTotal == 0 || ownTotal == peerTotal {
            facts.append("sent \(ownTotal) bytes as \(own.count) segments of \(abbreviated(ownSizes.map(String.init), limit: 10)) after the \(side.other)'s \(peerTotal) arrived in \(peer.count): "
                         + "pieces of \(piece) bytes, as a loop of recv(\(piece)) and send() makes them")
        } else {
            facts.append("sent \(ownTotal) bytes in \(own.count) segment(s) of \(abbreviated(ownSizes.map(String.init), limit: 10))")
        }
        if peerTotal > 0, ownTotal > peerTotal, ownTotal % peerTotal == 0 {
            let times = ownTotal / peerTotal
            facts.append("\(times == 2 ? "twice" : "\(times) times") the \(bytes(peerTotal)) it received")
        }
        if let first = own.first, let before = peer.last(where: { $0.timestamp < first.timestamp }) {
            let wait = first.timestamp - before.timestamp
            if wait >= 500_000_000 {
                facts.append("waited \(formatDuration(.nanoseconds(wait))) after the \(side.other)'s data before sending")
            }
        }
        let fin = c.segments(from: side).first { $0.flags.contains(.fin) }
        let rst = c.segments(from: side).first { $0.flags.contains(.rst) }
        let peerFin = c.segments(from: side.other).first { $0.flags.contains(.fin) }
        if let tcplabs = [fin, rst].compactMap({ $0 }).first(where: { causedByTcplab.contains($0.number) }) {
            let kind = tcplabs.flags.contains(.rst) ? "RST" : "FIN"
            facts.append("never closed its side: the \(kind) (packet \(tcplabs.number)) is its kernel's, sent when tcplab stopped it")
        } else if let rst, fin == nil, rst.number == closeAtExit {
            // It failed with data unread: the RST is its exit's, not a close it wrote.
            facts.append("its kernel reset the connection as it exited with data unread (packet \(rst.number))")
        } else if let rst {
            facts.append(fin == nil ? "reset the connection (packet \(rst.number)): it closed with data unread"
                : "closed (packet \(fin!.number)), then reset (packet \(rst.number)) when more data reached its closed socket")
        } else if let fin {
            let first = peerFin.map { $0.timestamp > fin.timestamp } ?? true
            facts.append(first ? "closed first (FIN, packet \(fin.number))" : "closed after the \(side.other) (FIN, packet \(fin.number))")
        } else {
            facts.append("never closed its side")
        }
        return facts
    }
}
