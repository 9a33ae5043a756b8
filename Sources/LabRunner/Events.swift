import LabModel
import LabHTTP
import LabPackets
import LabSystem

/// The barrier between the two endpoints: named steps each side has finished, and
/// which sides have stopped. A wait blocks on a condition variable, never on a sleep.
final class Events: @unchecked Sendable {
    // Sendable: every stored property below is read and written only with `condition` locked.
    // Sendable: every field is read and written under `condition`.
    private let condition = Condition()
    private var posted: Set<String> = []
    private var listening = false
    private var listener: TCPSocket?
    private var openConnections = 0
    private var responses = 0
    private var finished: Set<Direction> = []
    /// Set by the capture once the client is done and every connection's teardown is captured.
    private var settled = false
    /// Signalled on every change, for threads that wait in `poll` rather than on the condition.
    private var watchers: [Wakeup] = []
    /// Set once the run is past its deadline: every step stops, and blocked sockets are shut down.
    private var cancelled = false
    private var sockets: [TCPSocket] = []

    enum WaitResult { case posted, peerFinished, timedOut }

    func post(_ name: String) { update { posted.insert(name) } }

    func postListening() { update { listening = true } }

    /// Wakes `wakeup` on every change from now on.
    func watch(_ wakeup: Wakeup) { update { watchers.append(wakeup) } }

    /// The capture saw the client finish and every connection end: a server program may stop.
    func postSettled() { update { settled = true } }

    var isSettled: Bool { read { settled } }

    var isCancelled: Bool { read { cancelled } }

    /// A socket an endpoint blocks on, shut down if the run is cancelled (at once, if it already is).
    func register(_ socket: TCPSocket) {
        var late = false
        update {
            sockets.append(socket)
            late = cancelled
        }
        if late { socket.interrupt() }
    }

    /// The run is past its deadline: wakes every wait and every blocked socket call.
    func cancel() {
        var toShut: [TCPSocket] = []
        update {
            cancelled = true
            toShut = sockets + (listener.map { [$0] } ?? [])
        }
        for socket in toShut { socket.interrupt() }
    }

    /// Sleeps `duration`, or less if the run is cancelled meanwhile; true when it slept it all.
    func sleep(_ duration: Duration) -> Bool {
        wait(timeout: duration, until: { cancelled }, peerGone: { false }) == .timedOut
    }

    func isFinished(_ side: Direction) -> Bool { read { finished.contains(side) } }

    func record(_ activity: HTTPServer.Activity) {
        update {
            switch activity {
            case .opened: openConnections += 1
            case .closed: openConnections -= 1
            case .responded: responses += 1
            }
        }
    }

    /// Waits until the server has sent `responses` responses and closed every connection:
    /// how the harness knows a real browser's page load is over, without guessing a delay.
    func waitForQuietServer(responses wanted: Int, timeout: Duration) -> WaitResult {
        wait(timeout: timeout, until: { responses >= wanted && openConnections == 0 }, peerGone: { finished.contains(.server) })
    }

    /// Shuts `socket` down once the client is done (now, if it already is). That wakes an
    /// `accept` blocked on it: how a server that accepts in a loop learns the run is over.
    /// Only such servers ask; a one-connection server must still accept a finished client.
    func stopAcceptingWhenClientFinishes(_ socket: TCPSocket) {
        var done = false
        update {
            listener = socket
            done = finished.contains(.client)
        }
        if done { socket.interrupt() }
    }

    func finish(_ side: Direction) {
        var toShut: TCPSocket?
        update {
            finished.insert(side)
            if side == .client { toShut = listener }
        }
        toShut?.interrupt()
    }

    /// "2 responses sent, 1 connection still open", for a visit that did not end.
    var serverActivity: String { read { "\(responses) response(s) sent, \(openConnections) connection(s) still open" } }

    var finishedCount: Int { read { finished.count } }

    private func read<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }

    func wait(for name: String, from side: Direction, timeout: Duration) -> WaitResult {
        wait(timeout: timeout, until: { posted.contains(name) }, peerGone: { finished.contains(side) })
    }

    func waitUntilListening(timeout: Duration) -> WaitResult {
        wait(timeout: timeout, until: { listening }, peerGone: { finished.contains(.server) })
    }

    private func update(_ body: () -> Void) {
        condition.lock()
        body()
        condition.broadcast()
        let woken = watchers
        condition.unlock()
        woken.forEach { $0.signal() }
    }

    private func wait(timeout: Duration, until done: () -> Bool, peerGone: () -> Bool) -> WaitResult {
        let deadline = ContinuousClock.now + timeout
        condition.lock()
        defer { condition.unlock() }
        while true {
            if done() { return .posted }
            if peerGone() { return .peerFinished }
            if !condition.wait(until: deadline) { return done() ? .posted : .timedOut }
        }
    }
}
