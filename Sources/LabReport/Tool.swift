import LabSystem

/// Who writes tcplab's files, as the files say it (`shb_userappl`, the JSON record's `tool`).
public enum Tool {
    /// The version the source declares; contrib/release/version.sh reads it from here.
    public static let sourceVersion = "0.1.0"
    /// The release's own version (git describe, `make dist` writes it to PREFIX/VERSION beside
    /// PREFIX/bin/tcplab), so `--version` and the records name the tarball a course installed;
    /// a binary run from a build folder has none and says the source's.
    public static let version: String = releaseVersion() ?? sourceVersion
    public static let label = "tcplab \(version)"

    static func releaseVersion() -> String? {
        guard let binary = FileSystem.executablePath else { return nil }
        let parts = binary.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[parts.count - 2] == "bin" else { return nil }
        let file = parts.dropLast(2).joined(separator: "/") + "/VERSION"
        guard let bytes = try? FileReader(path: file).read(upTo: 128) else { return nil }
        return parse(bytes)
    }

    /// One short line of a version's characters, or nil: a stray VERSION of something else
    /// beside /usr/local/bin must not become tcplab's.
    static func parse(_ bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        let line = text.hasSuffix("\n") ? String(text.dropLast()) : text
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-+_")
        guard !line.isEmpty, line.count <= 64, line.allSatisfy(allowed.contains),
              line.first?.isNumber == true || line.first == "v" else { return nil }
        return line
    }
}
