import Foundation
import Testing
import LabModel
import LabPackets
@testable import LabSystem
@testable import LabVerdict
import LabTestSupport

/// Who blocked a run at its deadline, decided from the trace and the socket table alone (no
/// kernel needed): experiment-2 with both sides played by programs, both killed at the deadline.
@Suite struct RootCauseDecisionTests {
    static func experiment() throws -> Experiment {
        var e = try ExperimentLoader(directory: Checkout.experiments.path).load("experiment-2")
        e.programs[.server] = Program(arguments: ["server"], directory: "/", origin: .commandLine)
        e.programs[.client] = Program(arguments: ["client"], directory: "/", origin: .commandLine)
        e.deadline = .seconds(3)
        return e
    }

    /// The echo exchange, then the client's FIN (its kernel's, once tcplab stopped it) and the
    /// server's answering FIN; `clientStopped` is the capture time tcplab stopped the client.
    static func frames() -> (frames: [CapturedFrame], clientStopped: Int64) {
        var b = FrameBuilder()
        var frames = [
            b.segment(from: .client, seq: 0, flags: .syn),
            b.segment(from: .server, seq: 0, ack: 1, flags: .syn),
            b.segment(from: .client, seq: 1, ack: 1, flags: []),
            b.segment(from: .client, seq: 1, ack: 1, flags: .psh, payload: Array("Hello! Hello, World!".utf8)),
        ]
        for (i, piece) in ["HELLO", "! HEL", "LO, W", "ORLD!"].enumerated() {
            frames.append(b.segment(from: .server, seq: UInt32(1 + 5 * i), ack: 21, flags: .psh, payload: Array(piece.utf8)))
        }
        frames.append(b.segment(from: .client, seq: 21, ack: 21, flags: []))
        let stopped = b.time + 1_000_000_000 - 1
        frames.append(b.segment(from: .client, seq: 21, ack: 21, flags: .fin, advance: 1_000_000_000))
        frames.append(b.segment(from: .server, seq: 21, ack: 22, flags: .fin))
        frames.append(b.segment(from: .client, seq: 22, ack: 22, flags: []))
        return (frames, stopped)
    }

    static func record(_ frames: [CapturedFrame], clientStopped: Int64, serverUnread: Int) -> RunRecord {
        let table = [
            SocketState(localPort: 12345, remotePort: 0, state: .listen, sendQueue: 0, receiveQueue: 0),
            SocketState(localPort: 12345, remotePort: 40000, state: .established, sendQueue: 0, receiveQueue: serverUnread),
            SocketState(localPort: 40000, remotePort: 12345, state: .established, sendQueue: 0, receiveQueue: 0),
        ]
        var endpoints: [EndpointRecord] = []
        for side in [Direction.server, .client] {
            var program = ProgramRecord(command: ["x"], directory: "/", origin: .commandLine, ending: .killedAtDeadline(.signalled(15)))
            program.socketsAtDeadline = table
            program.stoppedAt = side == .client ? clientStopped : clientStopped + 1
            var endpoint = EndpointRecord(side: side, failure: "the \(side) program was still running at the run's deadline of 3s")
            endpoint.program = program
            endpoints.append(endpoint)
        }
        return RunRecord(experiment: "experiment-2", linkType: .ethernet, snapLength: 262_144, frames: frames, drops: 0,
                         startFenceSeen: true, endFenceSeen: true, teardownSeen: true, duplicateFrames: 0,
                         endpoints: endpoints, phases: [])
    }

    static func verdict(serverUnread: Int) throws -> Verdict {
        let (frames, stopped) = Self.frames()
        let record = Self.record(frames, clientStopped: stopped, serverUnread: serverUnread)
        let trace = Trace(frames: frames, linkType: .ethernet)
        return Verdict.judge(try experiment(), packets: trace.packets, connections: trace.connections, record: record)
    }

    @Test func aServerInRecvForAFINThatNeverComesIsWaitingAndOnlyTheClientIsBlamed() throws {
        let verdict = try Self.verdict(serverUnread: 0)
        let cause = try #require(verdict.rootCause)
        #expect(cause.side == .client)
        #expect(cause.reason == "the client never closed (killed at the 3s deadline) after packet 9", "\(cause.reason)")
        #expect(cause.waiter == .server)
        #expect(cause.causedByTcplab == [10])
        #expect(verdict.endpointFailures == ["the client program was still running at the run's deadline of 3s"])
        // Met only by the FIN tcplab caused: not reached, not held.
        let unreached = verdict.outcomes.filter { $0.status == .notReached }.map(\.path)
        #expect(unreached == ["expect[8]", "expect[9]"], "\(unreached)")
        #expect(!verdict.outcomes.contains { $0.status == .failed })
    }

    @Test func aServerWithBytesLeftInItsReceiveQueueIsTheOneThatBlocked() throws {
        let verdict = try Self.verdict(serverUnread: 15)
        let cause = try #require(verdict.rootCause)
        #expect(cause.side == .server)
        #expect(cause.reason.hasPrefix("the server never read what arrived (15 bytes unread in its socket when it was killed at the 3s deadline)"),
                "\(cause.reason)")
        #expect(verdict.endpointFailures.contains { $0.hasPrefix("the server program") })
    }
}
