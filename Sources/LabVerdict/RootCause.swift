import LabModel
import LabPackets
import LabSystem

/// The one failure a run's other problems follow from: a program that crashed, exited with a
/// failing status, or was killed at the deadline. What it prevented is "not reached", not failed:
/// ten FAILs after a crash bury the crash.
public struct RootCause: Sendable {
    public var side: Direction
    /// "the server program exited with status 1", "the client never closed (killed at the 3s deadline)".
    public var summary: String
    /// The last packet before the program ended or was stopped; what follows it was never reached.
    public var lastPacket: Int?
    /// The FIN or RST its kernel sent because tcplab stopped it.
    public var causedByTcplab: [Int]
    /// The FIN or RST its socket sent as it exited: part of the failure, not a separate mistake.
    public var closeAtExit: Int?
    /// The last lines the program wrote to stderr.
    public var stderrTail: [String]
    /// The other side, when it was stopped at the deadline only because it waited on this one.
    public var waiter: Direction?

    /// "the server program exited with status 1 after packet 6".
    public var reason: String { summary + (lastPacket.map { " after packet \($0)" } ?? "") }

    /// The root cause of a run with programs, or nil when no program failed. A program stopped at
    /// the deadline while it waited for its peer (its socket had nothing unread and the peer never
    /// closed) is waiting, not failing: the peer is the cause.
    public static func find(_ experiment: Experiment, connections: [Connection], record: RunRecord) -> RootCause? {
        let failed = record.endpoints.filter { $0.program != nil && $0.failure != nil }
        guard !connections.isEmpty,
              let endpoint = failed.first(where: { !waiting($0, experiment: experiment, connections: connections, record: record) }) ?? failed.first,
              let program = endpoint.program else { return nil }
        let side = endpoint.side
        let own = connections.flatMap { $0.segments(from: side) }
        let all = connections.flatMap(\.segments).sorted { $0.number < $1.number }
        let caused = causedByTcplab(program, side: side, connections: connections)
        var summary: String
        var last: Int?
        var closeAtExit: Int?
        switch program.ending {
        case let .killedAtDeadline(status):
            let deadline = formatDuration(experiment.deadline)
            let before = own.filter { !caused.contains($0.number) }
            let port = experiment.port
            // Bytes in its receive queue at the deadline: it stopped reading (a zero window, if the peer kept sending).
            let unread = (program.socketsAtDeadline ?? [])
                .filter { $0.state != .listen && (side == .server ? $0.localPort == port : $0.remotePort == port) }  // a listener's is its backlog
                .map(\.receiveQueue).reduce(0, +)
            if unread > 0 {
                summary = "the \(side) never read what arrived (\(unread) bytes unread in its socket when it was killed at the \(deadline) deadline)"
            } else if !before.contains(where: { $0.flags.contains(.fin) || $0.flags.contains(.rst) }) {
                summary = "the \(side) never closed (killed at the \(deadline) deadline\(status.isTcplabsStop ? "" : "; it \(status)"))"
            } else {
                summary = "the \(side) never finished (killed at the \(deadline) deadline)"
            }
            let stoppedAt = program.stoppedAt ?? .max
            last = all.last { !caused.contains($0.number) && $0.timestamp < stoppedAt }?.number
        case let .exited(status):
            if case .signalled = status { summary = "the \(side) program crashed (it \(status))" } else { summary = "the \(side) program \(status)" }
            // Its socket's close at exit (its own or the kernel's) is the last thing it did.
            closeAtExit = own.first { $0.flags.contains(.fin) || $0.flags.contains(.rst) }?.number
            last = closeAtExit ?? all.last?.number
        default:
            return nil
        }
        var cause = RootCause(side: side, summary: summary, lastPacket: last, causedByTcplab: caused, closeAtExit: closeAtExit,
                              stderrTail: stderrTail(program))
        cause.waiter = failed.first { $0.side != side && waiting($0, experiment: experiment, connections: connections, record: record) }?.side
        return cause
    }

    /// The root cause of a run in which no connection reached the experiment's port: the client
    /// program's connection went elsewhere (refused, where nothing listens), or it ended before
    /// connecting. Nil when no program failed.
    public static func beforeConnecting(_ experiment: Experiment, connections: [Connection], record: RunRecord) -> RootCause? {
        guard let endpoint = record.endpoints.first(where: { $0.program != nil && $0.failure != nil }),
              let program = endpoint.program else { return nil }
        let side = endpoint.side
        let elsewhere = connections.filter { $0.server.port != experiment.port || otherHost($0, experiment: experiment, record: record) != nil }
        var summary: String
        if side == .client, let c = elsewhere.first, let listened = otherHost(c, experiment: experiment, record: record) {
            summary = "the client's connection to \(c.server.address) port \(c.server.port) was refused: the server listens on "
                + "\(listened.joined(separator: " and ")) only, the wrong host (connect to the host tcplab passes as {host}, or read TCPLAB_HOST)"
        } else if side == .client, let c = elsewhere.first {
            // A SYN answered only by RST: no socket listened there.
            let refused = !c.segments(from: .server).contains { $0.flags.contains(.syn) }
                && c.segments(from: .server).contains { $0.flags.contains(.rst) }
            summary = refused
                ? "the client's connection to port \(c.server.port) was refused: no program listens there (the experiment's server listens on \(experiment.port))"
                : "the client connected to port \(c.server.port), not the experiment's \(experiment.port)"
        } else {
            switch program.ending {
            case let .exited(status):
                let ended = if case .signalled = status { "crashed (it \(status))" } else { "\(status)" }
                summary = "the \(side) program \(ended) before any connection to port \(experiment.port)"
            case let .killedAtDeadline(status):
                // A server makes no connection: one is made to it, or it never listened.
                let none = side == .server ? "the server program had no connection on port \(experiment.port)"
                    : "the client program made no connection to port \(experiment.port)"
                summary = "\(none) (killed at the \(formatDuration(experiment.deadline)) deadline\(status.isTcplabsStop ? "" : "; it \(status)"))"
            default: return nil
            }
        }
        return RootCause(side: side, summary: summary, lastPacket: nil, causedByTcplab: [], closeAtExit: nil,
                         stderrTail: stderrTail(program))
    }

    /// For a connection to the experiment's port that was refused at an address the server
    /// program does not listen on, the addresses it does listen on: the client chose the wrong
    /// host. Nil for any other connection.
    public static func otherHost(_ c: Connection, experiment: Experiment, record: RunRecord) -> [String]? {
        guard c.server.port == experiment.port, c.wasRefused,
              let listened = record.endpoint(.server)?.program?.listeningAddresses, !listened.isEmpty,
              !listened.contains(where: { Listener(address: $0, port: c.server.port).onEveryAddress || $0 == c.server.address.description })
        else { return nil }
        return listened
    }

    /// The last three non-blank lines the program wrote to stderr, each cut at 300 characters.
    static func stderrTail(_ program: ProgramRecord) -> [String] {
        String(decoding: program.stderr.bytes, as: UTF8.self).split(whereSeparator: \.isNewline)
            .filter { !$0.allSatisfy(\.isWhitespace) }.suffix(3).map { String($0.prefix(300)) }
    }

    /// The FINs and RSTs a side's kernel sent once tcplab had begun to stop its program.
    public static func causedByTcplab(_ program: ProgramRecord, side: Direction, connections: [Connection]) -> [Int] {
        guard let stoppedAt = program.stoppedAt else { return [] }
        return connections.flatMap { $0.segments(from: side) }
            .filter { $0.timestamp >= stoppedAt && ($0.flags.contains(.fin) || $0.flags.contains(.rst)) }.map(\.number)
    }

    /// Stopped at the deadline in the middle of waiting for its peer, read from the socket table
    /// taken before either program was killed: every byte that reached it was read (nothing in its
    /// receive queue), its peer had not closed by itself, and the peer was not waiting on it. When
    /// both sat idle on an open connection, each waited for the other's close: the side that closes
    /// first in the experiment (its FIN order, else the client) is the one that did not.
    static func waiting(_ endpoint: EndpointRecord, experiment: Experiment, connections: [Connection], record: RunRecord) -> Bool {
        guard let program = endpoint.program, case .killedAtDeadline = program.ending,
              let peer = record.endpoint(endpoint.side.other), peer.failure != nil,
              let sockets = program.socketsAtDeadline else { return false }
        let side = endpoint.side
        // A FIN its kernel sent because tcplab stopped the peer is not the peer's close.
        let peerStopped = peer.program?.stoppedAt ?? .max
        let peerTable = peer.program?.socketsAtDeadline ?? sockets
        return connections.allSatisfy { c in
            let (port, peerPort) = side == .server ? (c.server.port, c.client.port) : (c.client.port, c.server.port)
            let peerClosed = c.segments(from: side.other)
                .contains { ($0.flags.contains(.fin) || $0.flags.contains(.rst)) && $0.timestamp < peerStopped }
            let mine = sockets.filter { $0.localPort == port && $0.remotePort == peerPort }
            guard !peerClosed, !mine.isEmpty, mine.allSatisfy(readAll) else { return false }
            let theirs = peerTable.filter { $0.localPort == peerPort && $0.remotePort == port }
            // The peer's socket gone, holding unread bytes, or half-closed by us: it is the one stuck.
            guard !theirs.isEmpty, theirs.allSatisfy(readAll), theirs.allSatisfy({ $0.state == .established }) else { return true }
            // Bytes of ours it has not taken: we wait in send for it to read.
            if mine.contains(where: { $0.sendQueue > 0 }) { return true }
            if theirs.contains(where: { $0.sendQueue > 0 }) { return false }
            return experiment.firstToClose != side
        }
    }

    /// Nothing left unread on an open socket: its program sits in recv (or send), or has closed
    /// its side and waits for the peer's FIN.
    static func readAll(_ s: SocketState) -> Bool {
        [.established, .finWait1, .finWait2].contains(s.state) && s.receiveQueue == 0
    }

    /// An outcome as the cause leaves it: a failure about nothing seen, or only about packets after
    /// the cause, was not reached; a hold that rests on a packet tcplab caused was not reached either.
    func mark(_ o: Outcome) -> Outcome {
        var o = o
        let after = lastPacket.map { last in !o.packets.isEmpty && o.packets.allSatisfy { $0 > last || $0 == closeAtExit || causedByTcplab.contains($0) } } ?? false
        switch o.status {
        case .failed where o.packets.isEmpty || after:
            o.status = .notReached
        case .held where o.packets.contains(where: causedByTcplab.contains):
            o.status = .notReached
            o.detail += "; only by the \(side)'s kernel when tcplab stopped it (packet \(o.packets.filter(causedByTcplab.contains).map(String.init).joined(separator: ", ")))"
        default:
            break
        }
        return o
    }
}
