/// What the server, the in-process browser and the judge all need to read from HTTP/1.x bytes.
public enum HTTPMessage {
    /// Where CRLFCRLF starts, as an offset from the slice's start; nil while the head is incomplete.
    public static func headEnd(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard bytes.count >= 4 else { return nil }
        var i = bytes.startIndex
        while i + 3 < bytes.endIndex {
            if bytes[i] == 0x0d && bytes[i + 1] == 0x0a && bytes[i + 2] == 0x0d && bytes[i + 3] == 0x0a {
                return i - bytes.startIndex
            }
            i += 1
        }
        return nil
    }

    /// The Content-Length header among a head's lines (the start line is skipped), if any.
    public static func contentLength(_ lines: [Substring]) -> Int? {
        lines.dropFirst().first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst(15).filter { $0 != " " }) }
    }
}
