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

    let capture: LiveCapture
    let wakeup: Wakeup
    let fencePort: UInt16
    /// Where the fences are sent: lo's own address, or across the link to the other host.
    let fenceDestination: IPv4Address
    /// A per-run token in each marker, so only this run's fences count.
    private let token: [UInt8] = (0..<8).map { _ in UInt8.random(in: 0...255) }

    private(set) var frames: [CapturedFrame] = []
    private(set) var tracker = TeardownTracker()
    private(set) var startSeen = false
    private(set) var endSeen = false
    private(set) var duplicates = 0
    var teardownSeen = false
    let progress: RunProgress?

    init(capture: LiveCapture, wakeup: Wakeup, fencePort: UInt16, fenceDestination: IPv4Address, progress: RunProgress?) {
        self.capture = capture
        self.wakeup = wakeup
        self.fencePort = fencePort
        self.fenceDestination = fenceDestination
        self.progress = progress
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
            try capture.wait(wakeup: wakeup, timeout: .seconds(1))
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
            try capture.wait(wakeup: wakeup, timeout: left)
            try read()
        }
        return true
    }

    private mutating func read() throws {
        for frame in try capture.readAvailable() {
            let packet = Packet.decode(frame, number: frames.count + 1, linkType: capture.linkType)
            if let ports = packet.udpPorts, ports.destination == fencePort {
                if packet.udpPayload.elementsEqual(Array("start".utf8) + token) { startSeen = true }
                if packet.udpPayload.elementsEqual(Array("end".utf8) + token) { endSeen = true }
                continue
            }
            if let last = frames.last, last == frame { duplicates += 1 }
            frames.append(frame)
            tracker.add(packet)
        }
        progress?.captured(frames.count)
    }
}
