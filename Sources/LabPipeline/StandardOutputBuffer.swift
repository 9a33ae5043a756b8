import LabSystem

/// Collects output and writes it in large pieces: a million `print` calls cost more than the decoding.
public struct StandardOutputBuffer {
    private var text = ""

    public init() {}

    public mutating func append(_ s: String) {
        text += s
        if text.utf8.count >= 1 << 20 { flush() }
    }

    public mutating func flush() {
        FileOutput.writeStandardOutput(text)
        text = ""
    }
}
