// Durations as experiment files write them and as messages print them.

/// "5s", "40ms", "1.5s", "250us" → Duration.
public func parseDuration(_ text: String) -> Duration? {
    let units: [(String, Double)] = [("ms", 1e-3), ("us", 1e-6), ("µs", 1e-6), ("ns", 1e-9), ("s", 1)]
    for (suffix, scale) in units where text.hasSuffix(suffix) {
        // A value past a million seconds is no duration anyone means, and past about 9.2e9 s its
        // nanoseconds would not fit in an Int64.
        guard let value = Double(text.dropLast(suffix.count)), value >= 0, value.isFinite, value * scale <= 1e6 else { return nil }
        return .nanoseconds(Int64((value * scale * 1e9).rounded()))
    }
    return nil
}

public func formatDuration(_ d: Duration) -> String {
    let ns = Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9
    if ns >= 1e9 { return trimmed(ns / 1e9) + "s" }
    if ns >= 1e6 { return trimmed(ns / 1e6) + "ms" }
    return trimmed(ns / 1e3) + "µs"
}

private func trimmed(_ v: Double) -> String {
    let r = (v * 1000).rounded() / 1000
    return r == r.rounded() ? String(Int(r)) : String(r)
}
