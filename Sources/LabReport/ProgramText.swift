import LabModel
import LabPackets
import LabSystem

/// What a program that played a side did, in a few lines: its command, how it ended, and the
/// tail of what it printed.
public enum ProgramText {
    /// How many of the last lines of each stream are shown in the terminal (the JSON keeps 64 KiB).
    static let tailLines = 5

    public static func lines(_ program: ProgramRecord, side: Direction) -> [String] {
        var lines = ["\(side) program (\(program.origin.rawValue)): \(Program.quoted(program.command)) — \(program.endingText)"]
        if let usage = program.sandbox { lines.append("  " + usageLine(usage)) }
        if let sockets = program.sockets {
            if sockets.isEmpty { lines.append("  system calls (strace): no TCP connection opened" + (program.straceNote.map { " (\($0))" } ?? "")) }
            for (i, socket) in sockets.enumerated() {
                let which = sockets.count > 1 ? " \(i + 1)" : ""
                lines.append("  system calls (strace), connection\(which) (\(socket.opened), fd \(socket.fd)): \(socket.description)")
            }
        }
        for (name, output) in [("stdout", program.stdout), ("stderr", program.stderr)] where output.total > 0 {
            let text = String(decoding: output.bytes, as: UTF8.self)
            let all = text.split(whereSeparator: \.isNewline)
            let shown = all.suffix(tailLines)
            let cut = output.truncated ? ", the first \(output.bytes.count) kept" : ""
            lines.append("  \(name) (\(output.total) bytes\(cut)\(all.count > shown.count ? ", last \(shown.count) lines" : "")):")
            lines += shown.map { "    " + String($0.prefix(300)) }
        }
        return lines
    }

    /// "sandbox uid 2004792321: 0.04 s CPU, peak memory 9.8 MiB, 3 processes", and the limit it reached.
    public static func usageLine(_ usage: SandboxUsage) -> String {
        let who = usage.uid.map { " uid \($0)" } ?? ""
        let cpu = String(format1: Double(usage.cpuMicroseconds) / 1e6)
        let processes = usage.processes.map { ", \($0) process\($0 == 1 ? "" : "es")" } ?? ""
        let copied = usage.copiedFiles + usage.skippedFiles > 0
            ? ", \(usage.copiedFiles) file(s) of out copied back" + (usage.skippedFiles > 0 ? ", \(usage.skippedFiles) left" : "") : ""
        let hit = usage.limitHit.map { "; LIMIT REACHED: \($0)" } ?? ""
        let memory = usage.peakMemory > 0 ? ", peak memory \(SandboxLimits.bytes(Int(usage.peakMemory)))" : ""
        return "\(usage.level.rawValue)\(who): \(cpu) s CPU\(memory)\(processes)\(copied)\(hit)"
    }
}
