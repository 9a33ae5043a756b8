#if canImport(Glibc)
import Glibc
#endif
import CLinux

public enum Terminal {
    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// The terminal's width in columns, or 80 when it will not say.
    public static func columns(_ fd: Int32) -> Int {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    /// Whether a status line is on screen, so an interrupt erases it on the way out.
    public static func statusLineShown(_ shown: Bool) { clinux_set_status_line_shown(shown ? 1 : 0) }

    /// Whether the environment variable is set (NO_COLOR counts when set at all).
    public static func environmentHas(_ name: String) -> Bool { getenv(name) != nil }
}
