import LabModel
import LabCapture
import LabPackets
import LabSystem

/// Reads a live capture and keeps the experiment's frames, recognising the fence markers
/// and following the teardown, so the run knows when it holds every packet.
struct CaptureSession {
    enum Fence: String { case start, end }

    struct FenceNotSeen: Error, CustomStringConvertible {
        var fence: Fence
        var within: Duration
        var description: String { "the \(fence.rawValue) fence was not captured within \(formatDuration(within))" }
    }

    /// One capture per captured host; the first is the one the run is checked on.
    let captures: [LiveCapture]
    let wakeup: Wakeup
    let fencePort: UInt16
    /// Where the fences are sent: lo's own address, or across the link to the other host.
    let fenceDestination: IPv4Address
    /// A per-run token in each marker, so only this run's fences count.
    private let token: [UInt8] = (0..<8).map { _ in UInt8.random(in: 0...255) }

    /// The checked capture's frames.
    private(set) var frames: [CapturedFrame] = []
    /// The other hosts' frames, when more than one is captured.
    private(set) var otherFrames: [[CapturedFrame]] = []
    private(set) var tracker = TeardownTracker()
    /// Each capture's fences: a fence counts once every capture has seen it.
    private var starts: [Bool], ends: [Bool]
    var startSeen: Bool { starts.allSatisfy { $0 } }
    var endSeen: Bool { ends.allSatisfy { $0 } }
    private(set) var duplicates = 0
    var teardownSeen = false
    let progress: RunProgress?

    var capture: LiveCapture { captures[0] }

    init(captures: [LiveCapture], wakeup: Wakeup, fencePort: UInt16, fenceDestination: IPv4Address, progress: RunProgress?) {
        self.captures = captures
        self.wakeup = wakeup
        self.fencePort = fencePort
        self.fenceDestination = fenceDestination
        self.progress = progress
        starts = captures.map { _ in false }
        ends = starts
        otherFrames = captures.dropFirst().map { _ in [] }
    }

    /// Every host's frames in time order, when more than one is captured.
    var mergedFrames: [CapturedFrame]? {
        guard !otherFrames.isEmpty else { return nil }
        let tagged = frames.map { ($0, 0) } + otherFrames.enumerated().flatMap { i, list in list.map { ($0, i + 1) } }
        // Stable: frames with equal times keep their capture's order, the checked host's first.
        return tagged.enumerated().sorted { a, b in
            (a.element.0.timestamp, a.element.1, a.offset) < (b.element.0.timestamp, b.element.1, b.offset)
        }.map(\.element.0)
    }

    /// Sends a marker and reads until it comes back through the capture.
    mutating func fence(_ fence: Fence, within limit: Duration) throws {
        try Marker.send(to: fenceDestination, port: fencePort, payload: Array(fence.rawValue.utf8) + token)
        let seen = try pump(within: limit) { fence == .start ? $0.startSeen : $0.endSeen }
        if !seen { throw FenceNotSeen(fence: fence, within: limit) }
    }

    /// Reads packets as they arrive until `done` holds, with no deadline of its own:
    /// the endpoints' step deadlines bound it.
    mutating func pump(until done: (Self) -> Bool) throws {
        while !done(self) {
            try LiveCapture.wait(captures, wakeup: wakeup, timeout: .seconds(1))
            try read()
        }
    }

    /// Reads packets until `done` holds or `limit` passes; says which.
    @discardableResult
    mutating func pump(within limit: Duration, until done: (Self) -> Bool) throws -> Bool {
        let deadline = ContinuousClock.now + limit
        try read()
        while !done(self) {
            let left = deadline - ContinuousClock.now
            if left <= .zero { return false }
            try LiveCapture.wait(captures, wakeup: wakeup, timeout: left)
            try read()
        }
        return true
    }

    private mutating func read() throws {
        for (index, capture) in captures.enumerated() {
            for frame in try capture.readAvailable() {
                let packet = Packet.decode(frame, number: frames.count + 1, linkType: capture.linkType)
                if let ports = packet.udpPorts, ports.destination == fencePort {
                    if packet.udpPayload.elementsEqual(Array("start".utf8) + token) { starts[index] = true }
                    if packet.udpPayload.elementsEqual(Array("end".utf8) + token) { ends[index] = true }
                    continue
                }
                // Only what came between this run's own fences: a reused capture may still hold
                // the end of the run before.
                guard starts[index], !ends[index] else { continue }
                guard index == 0 else {
                    otherFrames[index - 1].append(frame)
                    continue
                }
                if let last = frames.last, last == frame { duplicates += 1 }
                frames.append(frame)
                tracker.add(packet)
            }
        }
        progress?.captured(frames.count)
    }
}
