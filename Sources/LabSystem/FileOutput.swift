#if canImport(Glibc)
import Glibc
#endif

public enum FileOutput {
    public static func writeStandardError(_ text: String) {
        _ = text.withCString { write(2, $0, strlen($0)) }
    }
}
