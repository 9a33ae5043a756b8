import LabModel
import LabSystem

/// How a program's side stops its program: at once when the run is over, and at a deadline only
/// after both sides have read the socket table (who waited on whom), in one order when both
/// programs are stopped, so the trace ends the same way every run.
extension ProgramEndpoint {
    /// How long a stopped program has after SIGTERM before SIGKILL.
    static let grace: Duration = .milliseconds(500)

    /// Posted at a deadline that stops both programs, once the first one's FIN is acknowledged.
    static let stoppedFirst = "first program stopped at the deadline, its FIN acknowledged"

    /// Waits until no socket of this side on the experiment's port is still in FIN_WAIT1: its
    /// kernel's FIN, sent as its program was stopped, has been acknowledged by the peer's kernel.
    func awaitOwnFINAcknowledged(within limit: Duration) {
        Clock.poll(every: .milliseconds(1), for: limit) { !SocketTable.sockets().contains { $0.state == .finWait1 && isOwn($0) } }
    }

    /// Stops the program unless it exited; returns how it ended.
    func stop(_ child: ChildProcess, after wait: ChildProcess.Wait, into programRecord: inout ProgramRecord) -> ChildProcess.ExitStatus {
        if wait == .deadline {
            // Read before the kill: what each socket was doing is who was waiting on whom.
            programRecord.socketsAtDeadline = SocketTable.sockets()
            // Both programs' sockets are read before either is killed: one's kill sends a FIN
            // that would change what the other's socket shows. The peer posts once it has read,
            // or finishes (a program that had exited, or a scripted side, which reads nothing).
            events.post(Self.socketsRead(side))
            if experiment.programs[side.other] != nil {
                _ = events.wait(for: Self.socketsRead(side.other), from: side.other, timeout: .seconds(1))
                if side != experiment.firstToClose { awaitPeerStopped(child) }
            }
        }
        if wait != .exited { programRecord.stoppedAt = WallClock.nanosecondsSinceEpoch() }
        let status = child.terminate(grace: Self.grace)
        if wait == .deadline, side == experiment.firstToClose, experiment.programs[side.other] != nil {
            awaitOwnFINAcknowledged(within: .seconds(1))
            events.post(Self.stoppedFirst)
        }
        return status
    }

    /// Stopped together, the two kernels' FINs would race. The side expected to close first is
    /// stopped first; this one waits for it, then gives its own program the time to read the end
    /// of the stream and close by itself, which is its own close, not tcplab's.
    private func awaitPeerStopped(_ child: ChildProcess) {
        guard events.wait(for: Self.stoppedFirst, from: side.other, timeout: Self.grace + .seconds(4)) == .posted else { return }
        _ = child.supervise(until: .now + Self.grace, every: .milliseconds(1)) {
            !SocketTable.sockets().contains { $0.state == .closeWait && isOwn($0) }
        }
    }

    /// A socket of this side's connection to the experiment's port (a server's, not its listener's).
    private func isOwn(_ socket: SocketState) -> Bool {
        socket.state != .listen && (side == .server ? socket.localPort == experiment.port : socket.remotePort == experiment.port)
    }
}
