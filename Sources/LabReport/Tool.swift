/// Who writes tcplab's files, as the files say it (`shb_userappl`, the JSON record's `tool`).
public enum Tool {
    public static let version = "0.1.0"
    public static let label = "tcplab \(version)"
}
