/// What the Section Header Block says about the whole file: who wrote it and under which
/// conditions, for whoever opens the trace later in Wireshark.
public struct PcapngSection: Sendable, Equatable {
    /// `shb_userappl`, e.g. "tcplab 0.3.0".
    public var application: String
    /// `opt_comment`, e.g. "experiment-2 on Linux 6.1.0, link lo (MTU 1500, offloads off)".
    public var comment: String?
    /// `shb_hardware`.
    public var hardware: String?
    /// `shb_os`.
    public var os: String?

    public init(application: String, comment: String? = nil, hardware: String? = nil, os: String? = nil) {
        self.application = application
        self.comment = comment
        self.hardware = hardware
        self.os = os
    }
}
