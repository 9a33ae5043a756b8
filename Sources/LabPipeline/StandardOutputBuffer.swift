import LabReport
import LabSystem

/// Collects output as bytes and writes it in large pieces: a million `print` calls cost more
/// than the decoding.
public struct StandardOutputBuffer: ~Copyable {
    /// Rows are written straight into it (`PacketLineWriter`), so the listing builds no strings.
    public var bytes = ByteBuffer(capacity: flushAt + 4096)
    static let flushAt = 1 << 20

    public init() {}

    public mutating func append(_ s: String) {
        bytes.append(s)
        flushIfFull()
    }

    public mutating func flushIfFull() {
        if bytes.count >= Self.flushAt { flush() }
    }

    public mutating func flush() {
        bytes.withBytes { FileOutput.writeStandardOutput($0) }
        bytes.removeAll()
    }
}
