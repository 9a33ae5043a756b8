import LabPackets

/// What a program did with its TCP sockets, read from `strace -f` output: each send and receive
/// call with its byte count, and the close. Pure text parsing: any input gives some answer.
public struct SocketCalls: Sendable, Equatable {
    public struct Read: Sendable, Equatable {
        /// The buffer size asked for.
        public var asked: Int
        /// What the call returned: bytes, 0 at end of stream, -1 on error.
        public var got: Int
    }

    public var pid: Int
    public var fd: Int
    /// "accept" for a connection the program accepted, "connect" for one it opened.
    public var opened: String
    /// Bytes each send/write call took (-1 for a call that failed).
    public var sends: [Int] = []
    public var reads: [Read] = []
    public var shutdown = false
    public var closed = false

    public var bytesRead: Int { reads.reduce(0) { $0 + max(0, $1.got) } }

    /// "send() ×4 → 5, 5, 5, 5; recv(1024) ×2 → 20, 0; close() after reading 20 bytes": byte counts per call.
    public var description: String {
        var parts: [String] = []
        if !sends.isEmpty { parts.append("send() ×\(sends.count) → \(Self.list(sends))") }
        var i = 0
        while i < reads.count {
            let asked = reads[i].asked
            var j = i
            while j < reads.count && reads[j].asked == asked { j += 1 }
            parts.append("recv(\(asked)) ×\(j - i) → \(Self.list(reads[i..<j].map(\.got)))")
            i = j
        }
        if shutdown { parts.append("shutdown()") }
        parts.append(closed ? "close() after reading \(bytesRead) bytes" : "never closed (the kernel closed it at exit)")
        return parts.joined(separator: "; ")
    }

    static func list(_ values: [Int]) -> String {
        abbreviated(values.map { $0 < 0 ? "failed" : String($0) }, limit: 10)
    }
}

/// Reads `strace -f -qq -s 0 -e trace=…` output into the program's connections, in the order
/// it opened them.
public enum StraceLog {
    /// The system calls `parse` understands; tcplab asks strace for exactly these.
    public static let calls = ["socket", "accept", "accept4", "connect", "read", "write", "recvfrom", "sendto",
                               "recvmsg", "sendmsg", "shutdown", "close"]

    public static func parse(_ text: String) -> [SocketCalls] {
        var pending: [Int: String] = [:]
        var streamSockets: Set<Int> = []  // fds from socket(SOCK_STREAM) not yet connected
        var found: [SocketCalls] = []
        var open: [Int: Int] = [:]  // fd → index in `found`
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            var line = Substring(raw)
            guard let space = line.firstIndex(of: " "), let pid = Int(line[..<space]) else { continue }
            // strace pads the pid to five columns: "4723  close(3)".
            line = line[line.index(after: space)...].drop { $0 == " " }
            if line.hasSuffix("<unfinished ...>") {
                pending[pid] = String(line.dropLast("<unfinished ...>".count))
                continue
            }
            if line.hasPrefix("<... "), let close = line.firstIndex(of: ">") {
                line = Substring((pending.removeValue(forKey: pid) ?? "") + line[line.index(after: close)...])
            }
            // strace pads the result into a column: `close(3)          = 0`.
            guard let paren = line.firstIndex(of: "("), let equals = lastRange(of: " = ", in: line),
                  let end = line[..<equals.lowerBound].lastIndex(of: ")"), paren < end else { continue }
            let name = String(line[..<paren])
            let arguments = line[line.index(after: paren)..<end].split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.drop { $0 == " " } }
            let result = Int(line[equals.upperBound...].prefix { $0 == "-" || $0.isNumber }) ?? -1
            let fd = arguments.first.flatMap { Int($0) } ?? -1
            switch name {
            case "socket":
                if result >= 0, line.contains("SOCK_STREAM") { streamSockets.insert(result) }
            case "accept", "accept4":
                streamSockets.remove(fd)  // a listener, not a connection
                if result >= 0 {
                    open[result] = found.count
                    found.append(SocketCalls(pid: pid, fd: result, opened: "accept"))
                }
            case "connect":
                if streamSockets.contains(fd), open[fd] == nil, result == 0 || line.contains("EINPROGRESS") {
                    open[fd] = found.count
                    found.append(SocketCalls(pid: pid, fd: fd, opened: "connect"))
                }
            case "sendto", "write", "sendmsg":
                if let i = open[fd] { found[i].sends.append(result) }
            case "recvfrom", "read", "recvmsg":
                if let i = open[fd] {
                    let asked = name == "recvmsg" ? -1 : arguments.count > 2 ? Int(arguments[2]) ?? -1 : -1
                    found[i].reads.append(.init(asked: asked, got: result))
                }
            case "shutdown":
                if let i = open[fd] { found[i].shutdown = true }
            case "close":
                if let i = open.removeValue(forKey: fd) { found[i].closed = true }
                streamSockets.remove(fd)
            default:
                continue
            }
        }
        return found
    }

    /// Where `target` last occurs in `text`: a call's result follows its last " = ".
    static func lastRange(of target: String, in text: Substring) -> Range<Substring.Index>? {
        var index = text.endIndex
        while index > text.startIndex {
            index = text.index(before: index)
            if text[index...].hasPrefix(target) { return index..<text.index(index, offsetBy: target.count) }
        }
        return nil
    }
}
