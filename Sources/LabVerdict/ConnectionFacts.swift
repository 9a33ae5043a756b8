import LabModel
import LabPackets

/// An HTTP message's start line, and the first packet and time of its bytes.
struct MessageHead: Sendable {
    var time: Int64
    var packet: Int
    var line: String
}

/// What an experiment's expectations need of one connection, taken when it closes so that its
/// segments can go: its track, its outcome for each expectation about it alone (or about each
/// connection with data), its HTTP heads, and where its responses' segments are. A few lines of
/// text, whatever the connection held; `Verdict.judge(_:closed:lastPacket:cutShort:)` judges the
/// whole capture from them as `Verdict.judge` does from the segments.
public struct ConnectionFacts: Sendable {
    /// Among the connections the experiment is about, from 1.
    let index: Int
    let track: ConnectionTrack
    /// By the expectation's path.
    var outcomes: [String: Outcome] = [:]
    var clientHeads: [MessageHead] = []
    var serverHeads: [MessageHead] = []
    /// By the path of a `responseSegments` expectation whose request is on this connection.
    var responses: [String: (outcome: Outcome, missing: String?)] = [:]

    /// `c` holds its segments when `needsSegments` says the experiment needs them, and is
    /// numbered among the experiment's connections; `track` has seen every segment of it.
    /// `captureEnd` is the number of the capture's last packet.
    public init(_ c: Connection, track: ConnectionTrack, experiment: Experiment, captureEnd: Int) {
        index = c.index
        self.track = track
        let judge = ExpectationJudge(connections: [], foreign: true, captureEnd: captureEnd)
        for e in Self.judged(experiment) {
            switch e.kind {
            case .connections:
                break
            case .requests:
                clientHeads = judge.heads(.client, on: c)
            case .statuses:
                serverHeads = judge.heads(.server, on: c)
            case .responseSegments:
                if let outcome = judge.responseSegments(e, on: c), let missing = judge.responseMissing(e, on: c) {
                    responses[e.path] = (outcome, missing)
                }
            default:
                if e.connection == Expectation.eachWithData {
                    if track.carriesData { outcomes[e.path] = judge.eachOutcome(e.kind, on: c) }
                } else if e.connection == c.index {
                    outcomes[e.path] = judge.connectionOutcome(e, on: c)
                }
            }
        }
    }

    /// Whether judging `experiment` needs the segments of its connection `index`, or only the
    /// connection's track: an expectation about that connection, about each one, or about the
    /// HTTP of them all.
    public static func needsSegments(_ index: Int, _ experiment: Experiment) -> Bool {
        judged(experiment).contains { e in
            switch e.kind {
            case .connections: false
            case .requests, .statuses, .responseSegments: true
            default: e.connection == Expectation.eachWithData || e.connection == index
            }
        }
    }

    /// The expectations judged on a foreign capture: the others are not applicable to it.
    static func judged(_ experiment: Experiment) -> [Expectation] {
        experiment.applicableExpectations.filter { $0.runsOnly == nil }
    }

    func heads(_ side: Direction) -> [MessageHead] { side == .client ? clientHeads : serverHeads }
}

extension Verdict {
    /// A foreign capture judged from what each of the experiment's connections left when it
    /// closed (`ConnectionFacts`, in the connections' order): the same verdict `judge` gives
    /// from their segments. `lastPacket` is the number of the capture's last packet.
    public static func judge(_ experiment: Experiment, closed facts: [ConnectionFacts], lastPacket: Int,
                             cutShort: Bool) -> Verdict {
        var judge = ExpectationJudge(connections: [], foreign: true, captureEnd: lastPacket)
        judge.closed = facts
        var outcomes = experiment.applicableExpectations.map(judge.judge)
        outcomes.append(judge.completeness(cutShort: cutShort))
        return Verdict(outcomes: outcomes, captureProblems: [], endpointFailures: [])
    }
}
