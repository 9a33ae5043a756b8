import LabSystem

/// Maps request targets to files under one root, and never to anything outside it.
public struct StaticSite: Sendable {
    /// The root, canonical: every symlink resolved.
    public let root: String

    public init(root: String) throws(SystemError) {
        self.root = try FileSystem.realPath(root)
    }

    public enum Lookup: Equatable, Sendable {
        case file(path: String, contentType: String)
        /// 403 or 404, and why (for the server's own log, never sent).
        case refused(status: Int, reason: String)
    }

    static let types = [
        "html": "text/html; charset=utf-8", "htm": "text/html; charset=utf-8", "ico": "image/x-icon",
        "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "css": "text/css",
        "js": "text/javascript", "txt": "text/plain; charset=utf-8", "svg": "image/svg+xml",
    ]

    /// Confinement in three steps: decode the path strictly (refusing NUL, encoded slashes and
    /// backslashes), refuse any `.` or `..` segment, then resolve symlinks and require the
    /// result to stay under the root.
    public func lookup(_ target: String) -> Lookup {
        guard target.hasPrefix("/") else { return .refused(status: 404, reason: "target is not an absolute path") }
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard let decoded = Self.percentDecoded(path) else {
            return .refused(status: 404, reason: "bad or forbidden percent-encoding")
        }
        if decoded.contains("\0") || decoded.contains("\\") { return .refused(status: 404, reason: "NUL or backslash") }
        let segments = decoded.split(separator: "/", omittingEmptySubsequences: true)
        if segments.contains(where: { $0 == ".." || $0 == "." }) { return .refused(status: 404, reason: "dot segment") }
        var candidate = root + "/" + segments.joined(separator: "/")
        if segments.isEmpty || FileSystem.isDirectory(candidate) { candidate += "/index.html" }
        guard let resolved = try? FileSystem.realPath(candidate) else { return .refused(status: 404, reason: "no such file") }
        guard resolved.hasPrefix(root + "/") else { return .refused(status: 403, reason: "resolves outside the root") }
        guard FileSystem.isRegularFile(resolved) else { return .refused(status: 404, reason: "not a regular file") }
        let ext = resolved.split(separator: ".").last.map { $0.lowercased() } ?? ""
        return .file(path: resolved, contentType: Self.types[ext] ?? "application/octet-stream")
    }

    /// Decodes %XX escapes; nil for a malformed escape, an encoded slash or an encoded NUL.
    static func percentDecoded(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == 0x25 else { bytes.append(byte); continue }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            let decoded = high << 4 | low
            if decoded == 0x2f || decoded == 0x00 || decoded == 0x5c { return nil }  // '/', NUL, '\'
            bytes.append(decoded)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }
}
