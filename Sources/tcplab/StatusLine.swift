import LabPipeline
import LabRunner
import LabSystem
import Synchronization

/// A one-line live status on the terminal while experiments run: phase, elapsed time and
/// packets captured, redrawn in place and erased before any other output. Only on a terminal,
/// so a log file never holds a control character.
final class StatusLine: RunObserver {
    private struct State {
        var active: [RunProgress] = []
        var shown = false
    }

    private let state = Mutex(State())
    private let enabled: Bool
    private let stopped = Atomic(false)
    private static let fd: Int32 = 2

    init(enabled: Bool) { self.enabled = enabled }

    /// On when stderr and stdout are terminals, and neither NO_COLOR nor --quiet asks for plain output.
    static func wanted(quiet: Bool) -> Bool {
        !quiet && Terminal.isTerminal(1) && Terminal.isTerminal(fd) && !Terminal.environmentHas("NO_COLOR")
    }

    /// Verdicts are coloured only on a terminal, and never under NO_COLOR.
    static let colour = Terminal.isTerminal(1) && !Terminal.environmentHas("NO_COLOR")

    func start() -> OSThread? {
        guard enabled else { return nil }
        return try? OSThread.spawn { [self] in
            while !stopped.load(ordering: .relaxed) {
                redraw()
                Clock.sleep(.milliseconds(100))  // the display's refresh rate; nothing waits on it
            }
        }
    }

    func stop(_ thread: OSThread?) {
        stopped.store(true, ordering: .relaxed)
        thread?.join()
        state.withLock { erase(&$0) }
    }

    func started(_ progress: RunProgress) { state.withLock { $0.active.append(progress) } }

    func ended(_ progress: RunProgress) { state.withLock { $0.active.removeAll { $0 === progress } } }

    /// Runs `body` (which prints) with the line erased, so output never mixes with it.
    func printing(_ body: () -> Void) {
        state.withLock { s in
            erase(&s)
            body()
        }
    }

    private func redraw() {
        state.withLock { s in
            guard !s.active.isEmpty else { return erase(&s) }
            let now = ContinuousClock.now
            let parts = s.active.map { p -> String in
                let snap = p.snapshot
                let seconds = (now - snap.started).components
                let tenths = Int(seconds.seconds) * 10 + Int(seconds.attoseconds / 100_000_000_000_000_000)
                return "\(snap.experiment): \(snap.phase) \(tenths / 10).\(tenths % 10)s, \(snap.packets) packets"
            }
            var line = "… " + parts.joined(separator: " | ")
            let width = Terminal.columns(Self.fd) - 1
            if line.count > width { line = String(line.prefix(max(0, width - 1))) + "…" }
            FileOutput.writeStandardError("\r\u{1B}[K" + line)
            s.shown = true
            Terminal.statusLineShown(true)
        }
    }

    private func erase(_ s: inout State) {
        guard s.shown else { return }
        FileOutput.writeStandardError("\r\u{1B}[K")
        s.shown = false
        Terminal.statusLineShown(false)
    }
}
