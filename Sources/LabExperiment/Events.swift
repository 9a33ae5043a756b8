import Foundation
import LabPackets

/// The barrier between the two endpoints: named steps each side has finished, and
/// which sides have stopped. A wait blocks on a condition variable, never on a sleep.
final class Events: @unchecked Sendable {
    // Sendable: every field is read and written under `condition`.
    private let condition = NSCondition()
    private var posted: Set<String> = []
    private var listening = false
    private var finished: Set<Direction> = []

    enum WaitResult { case posted, peerFinished, timedOut }

    func post(_ name: String) { update { posted.insert(name) } }

    func postListening() { update { listening = true } }

    func finish(_ side: Direction) { update { finished.insert(side) } }

    var finishedCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return finished.count
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
        condition.unlock()
    }

    private func wait(timeout: Duration, until done: () -> Bool, peerGone: () -> Bool) -> WaitResult {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if done() { return .posted }
            if peerGone() { return .peerFinished }
            if !condition.wait(until: deadline) { return done() ? .posted : .timedOut }
        }
    }
}
