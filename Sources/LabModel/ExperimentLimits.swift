/// The largest values an experiment file may hold. Each bounds what a run can cost (memory, time,
/// threads) so no file can crash tcplab or run it away; the schema states the same numbers.
public enum ExperimentLimits {
    /// Bytes of the file itself.
    public static let fileBytes = 1 << 20
    /// Objects and lists inside each other.
    public static let depth = 32
    /// Bytes of any one string (a `send` text, a name, a reason).
    public static let stringBytes = 65_536
    public static let steps = 1_000
    public static let expectations = 1_000
    /// One `recv` buffer, and one `send` (text × repeat, or an echo's read × repeat).
    public static let callBytes = 16 << 20
    public static let repeatCount = 1_000_000
    /// Bytes one `stream` step sends.
    public static let streamBytes = 1 << 30
    /// Bytes one side's `send`, `sendBack` and `stream` steps send in all.
    public static let sideBytes = 1 << 30
    /// Any one duration (a sleep, a timeout, a gap).
    public static let duration: Duration = .seconds(3_600)
    /// A side's `sleep` steps together.
    public static let sleepTotal: Duration = .seconds(3_600)
    public static let stepTimeout: Duration = .seconds(600)
}
