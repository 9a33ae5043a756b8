import Foundation
import Testing
import LabSystem
import Synchronization

/// The interrupt handler's table of partial files is shared by every thread that writes a trace
/// (`--jobs`). Eight threads registering and releasing names as fast as they can must each find
/// their own name registered, and gone after: a slot claimed without compare-and-swap lets two
/// threads write one slot, and one name is lost.
@Suite struct InterruptTableTests {
    @Test func concurrentWritersEachKeepTheirOwnSlot() {
        let lost = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            var mine = 0
            for i in 0..<20_000 {
                let path = "/nonexistent/tcplab-table-test-\(thread)-\(i)"
                let name = FileSystem.temporaryName(for: path)
                if !FileSystem.isTrackedForInterrupt(name) { mine += 1 }
                FileSystem.remove(name)
                if FileSystem.isTrackedForInterrupt(name) { mine += 1 }
            }
            lost.withLock { $0 += mine }
        }
        #expect(lost.withLock { $0 } == 0, "names lost or left in the table")
    }

    /// Runs of a --repeat write the same trace path from threads of their own: each gets a partial
    /// file of its own, and one's rename does not untrack the other's, which an interrupt must
    /// still remove (a shared `.partial-<pid>` name was left behind in 1 of 4 interrupt tests).
    @Test func twoWritersOfOnePathKeepTheirOwnPartialFiles() {
        let path = "/nonexistent/tcplab-table-test-same"
        let first = FileSystem.temporaryName(for: path), second = FileSystem.temporaryName(for: path)
        #expect(first != second && first.hasPrefix(path + ".partial-") && second.hasPrefix(path + ".partial-"))
        FileSystem.remove(first)
        #expect(!FileSystem.isTrackedForInterrupt(first) && FileSystem.isTrackedForInterrupt(second))
        FileSystem.remove(second)
        #expect(!FileSystem.isTrackedForInterrupt(second))
    }
}
