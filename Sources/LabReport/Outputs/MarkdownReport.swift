import LabModel
import LabVerdict
import LabPackets

/// The lab report for one run: the lab's text, the packet table, the explanation, the ladder
/// diagram, and the verdicts. Something a student reads to learn, and a TA grades against.
public struct MarkdownReport {
    public var result: RunResult
    /// Paths as the report should link them (relative to the report's folder).
    public var traceLink: String?
    public var ladderLink: String?
    public var kernel: String

    public init(result: RunResult, traceLink: String?, ladderLink: String?, kernel: String) {
        self.result = result
        self.traceLink = traceLink
        self.ladderLink = ladderLink
        self.kernel = kernel
    }

    public func render() -> String {
        let e = result.experiment
        var md = "# \(e.name): \(cell(e.title))\n\n"
        md += "\(e.lab)\n\n"
        md += "| | |\n|---|---|\n"
        md += "| Verdict | **\(result.status)**\(result.verdict.map { " (\(VerdictText.counts($0)))" } ?? "") |\n"
        if let traceLink { md += "| Trace | [\(cell(traceLink))](\(traceLink)) |\n" }
        md += "| Link | \(e.link.description) |\n| Kernel | \(cell(kernel)) |\n| Port | \(e.port) |\n\n"
        md += "## Packets\n\n" + packetTable() + "\n"
        if !result.explanations.isEmpty {
            md += "## What happens, packet by packet\n\n"
            for x in result.explanations { md += "- **\(x.packetLabel)** \(x.text)\n" }
            md += "\n"
        }
        if let ladderLink { md += "## Ladder diagram\n\n![Ladder diagram of \(e.name)](\(ladderLink))\n\n" }
        md += "## Expectations\n\n" + verdictTable()
        if let error = result.harnessError { md += "\n**The run could not be carried out:** \(error)\n" }
        md += "\n## What the steps were\n\n"
        for (side, steps) in [(Direction.server, e.server), (.client, e.client)] {
            let name = side == .server ? "Server" : "Client"
            if let program = result.record?.endpoint(side)?.program {
                md += "- \(name): the program `\(Program.quoted(program.command))` (\(program.origin.rawValue)), in `\(program.directory)`: \(program.endingText)\n"
            } else {
                md += "- \(name): " + steps.map { "`\($0.label)`" }.joined(separator: ", ") + "\n"
            }
        }
        for endpoint in result.record?.endpoints ?? [] {
            guard let program = endpoint.program else { continue }
            for (stream, output) in [("stdout", program.stdout), ("stderr", program.stderr)] where output.total > 0 {
                let cut = output.truncated ? " (the first \(output.bytes.count) of \(output.total) bytes)" : ""
                md += "\n### The \(endpoint.side) program's \(stream)\(cut)\n\n```text\n"
                var text = String(decoding: output.bytes, as: UTF8.self).replacing("```", with: "` ` `")
                while text.last?.isNewline == true { text.removeLast() }
                md += text + "\n```\n"
            }
        }
        if result.verdict?.status != .passed {
            let behaviour = ProgramBehaviour.lines(e, connections: result.connections, record: result.record)
            if !behaviour.isEmpty { md += "\n## What the programs did\n\n" + behaviour.map { "- \(cell($0))\n" }.joined() }
        }
        return md
    }

    private func packetTable() -> String {
        var md = "| No. | Time | Source | Destination | Protocol | Length | Info |\n|---:|---:|---|---|---|---:|---|\n"
        for r in PacketList(packets: result.packets, connections: result.connections).rows {
            md += "| \(r.number) | \(r.time) | \(r.source) | \(r.destination) | \(r.protocolName) | \(r.length) | \(cell(r.info)) |\n"
        }
        return md
    }

    private func verdictTable() -> String {
        guard let verdict = result.verdict else { return "Not judged.\n" }
        var md = "| | Expectation | Seen | Why |\n|---|---|---|---|\n"
        let reasons = Dictionary(result.experiment.expectations.map { ($0.path, $0.why ?? "") }, uniquingKeysWith: { a, _ in a })
        for problem in verdict.captureProblems { md += "| HARNESS | capture complete | \(cell(problem)) | |\n" }
        for failure in verdict.endpointFailures { md += "| FAIL | every step runs | \(cell(failure)) | |\n" }
        for o in verdict.outcomes {
            md += "| \(o.failed ? "**FAIL**" : VerdictText.mark(o.status)) | \(cell(o.expectation)) | \(cell(o.detail)) | \(cell(reasons[o.path] ?? "")) |\n"
        }
        return md
    }

    /// Table cells cannot hold pipes or line breaks.
    private func cell(_ text: String) -> String {
        text.replacing("|", with: "\\|").replacing("\n", with: " ")
    }
}
