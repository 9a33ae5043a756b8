import LabModel
import LabVerdict
import LabPackets

/// What the explainer knows beyond the packets. From a run it knows what each socket did,
/// so it names causes; from an experiment alone (`check`) or from nothing (`show`) the same
/// causes are only "likely".
public struct ExplanationSource: Sendable {
    public var experiment: Experiment?
    public var record: RunRecord?

    public init(experiment: Experiment? = nil, record: RunRecord? = nil) {
        self.experiment = experiment
        self.record = record
    }

    /// True when the run itself saw the cause (a socket option set, bytes left unread): only
    /// tcplab's own steps report what their sockets did; a program's causes stay "likely".
    var observed: Bool { record != nil && experiment.map { $0.programs.isEmpty } ?? false }

    /// A side's script; none for a side a program plays, whose code tcplab cannot read.
    func steps(_ side: Direction) -> [Step] {
        guard let experiment, experiment.programs[side] == nil else { return [] }
        return side == .server ? experiment.server : experiment.client
    }

    /// The value a side's script gives a socket option, if it sets it.
    func option(_ name: SocketOption, on side: Direction) -> Int32? {
        for step in steps(side) {
            if case let .setOption(option, value) = step.action, option == name { return value }
        }
        return nil
    }

    /// How long a side's script sleeps before it reads, if it does.
    func sleepBeforeRead(_ side: Direction) -> Duration? {
        for step in steps(side) {
            switch step.action {
            case let .echoLoop(_, _, _, sleep?): return sleep
            case let .sleep(d): return d
            default: continue
            }
        }
        return nil
    }

    /// The echo loop's read size and repeat count, when the side echoes.
    func echo(_ side: Direction) -> (recv: Int, repeat: Int)? {
        for step in steps(side) {
            if case let .echoLoop(recv, _, times, _) = step.action { return (recv, times) }
        }
        return nil
    }

    /// The most a side's script can read before its close, or nil when it reads to the end.
    func readCapacity(_ side: Direction) -> Int? {
        if experiment?.programs[side] != nil { return nil }
        var total = 0
        for step in steps(side) {
            switch step.action {
            case let .recv(n): total += n
            case let .recvUntil(n?): total += n
            case .recvUntil(nil), .echoLoop, .serveHTTP, .fetch, .browse: return nil
            default: continue
            }
        }
        return total
    }

    /// Bytes the side's socket held unread when the run closed it.
    func unreadAtClose(_ side: Direction) -> Int? {
        record?.endpoint(side)?.steps.compactMap(\.unreadAtClose).first { $0 > 0 }
    }

    /// Whether the run saw each of the side's sends: only for tcplab's own steps. A capture on
    /// its own, or a side a program played, leaves merged sends a "likely" cause.
    func knowsSends(_ side: Direction) -> Bool { record != nil && experiment?.programs[side] == nil }

    /// The byte ranges (relative sequence numbers) of the side's single `send` calls, in order.
    /// Loops send many times under one step, so they end the list: their split is unknown.
    func sends(_ side: Direction) -> [Range<UInt32>] {
        guard let endpoint = record?.endpoint(side) else { return [] }
        let script = steps(side)
        var ranges: [Range<UInt32>] = []
        var next: UInt32 = 1
        for step in endpoint.steps where step.bytesOut > 0 && step.index < script.count {
            switch script[step.index].action {
            case .send, .sendBack:
                let end = next &+ UInt32(truncatingIfNeeded: step.bytesOut)
                ranges.append(next..<max(next, end))
                next = end
            default:
                return ranges
            }
        }
        return ranges
    }
}
