// The other ways input enters tcplab, each a libFuzzer target picked by TCPLAB_FUZZ:
// experiment files, a capture through the judge and the explainer of every shipped experiment,
// HTTP request heads with the server's path confinement, and `check`/`grade` on any file.
import FoundationEssentials
import LabHTTP
import LabModel
import LabPackets
import LabPipeline
import LabReport
import LabVerdict
import LabSystem
#if canImport(Glibc)
import Glibc
#endif

enum Surfaces {
    /// The repository's experiments, found from this file's place in the checkout.
    static let experimentsFolder: String = {
        ProcessInfo.processInfo.environment["TCPLAB_EXPERIMENTS"]
            ?? String(#filePath.dropLast("Fuzz/Surfaces.swift".count)) + "Experiments"
    }()

    static let experiments: [Experiment] = {
        let loader = ExperimentLoader(directory: experimentsFolder)
        return ((try? loader.names()) ?? []).compactMap { try? loader.load($0) }
    }()

    static let site: StaticSite? = try? StaticSite(root: experimentsFolder + "/www")

    /// Any bytes as an experiment file in the experiments folder: decoded and validated, and
    /// when it decodes, its derived forms (lab code, browser, each client) and labels built too.
    static func experimentFile(_ bytes: [UInt8]) {
        do {
            let e = try ExperimentLoader.decode(Data(bytes), path: experimentsFolder + "/fuzzed.json")
            _ = (e.server + e.client).map(\.label)
            _ = e.withLabCode()?.programs.count
            for kind in ClientKind.allCases { _ = e.with(client: kind)?.expectations.count }
            _ = e.deadline
        } catch {
            _ = error.description
        }
    }

    /// Any bytes as a capture, judged and explained against every shipped experiment, with
    /// and without a run record, and drawn as a ladder.
    static func judgeAndExplain(_ bytes: [UInt8]) {
        var parser = CaptureParser()
        parser.append(bytes)
        var frames: [CapturedFrame] = []
        var linkType = LinkType.ethernet
        while frames.count < 2_000, let record = try? parser.next() {
            frames.append(record.frame)
            linkType = record.linkType
        }
        let trace = Trace(frames: frames, linkType: linkType)
        for experiment in experiments {
            let verdict = Verdict.judge(experiment, packets: trace.packets, connections: trace.connections)
            _ = VerdictText.render(verdict)
            let explained = Explainer(connections: trace.connections, source: ExplanationSource(experiment: experiment)).explain()
            _ = Explanation.render(explained)
        }
        _ = LadderDiagram(connections: trace.connections, title: "fuzz").render()
    }

    /// Any bytes as an HTTP request head, and its target through the server's confinement.
    static func httpRequest(_ bytes: [UInt8]) {
        if let head = try? HTTPRequestHead(parsing: bytes[...]) {
            _ = site?.lookup(head.target)
        }
        _ = site?.lookup(String(decoding: bytes.prefix(512), as: UTF8.self))
    }

    /// Any bytes as a file handed to `check` (ranked against every experiment, and judged
    /// against one) and to `grade`.
    static func checkAndGrade(_ bytes: [UInt8]) {
        let folder = FileSystem.temporaryFolder + "/tcplab-fuzz-\(getpid())"
        try? FileSystem.makeDirectories(folder)
        let path = folder + "/trace2.pcap"
        guard (try? AtomicFile.write(bytes, to: path)) != nil else { return }
        defer { FileSystem.remove(path) }
        _ = FileCheck.run(path, candidates: experiments, given: false, client: nil, explain: true).exitCode(strict: true)
        if let first = experiments.first {
            _ = FileCheck.run(path, candidates: [first], given: true, client: nil, explain: false).exitCode(strict: false)
        }
        _ = GradePipeline.grade([(student: "s", path: path)], experiments: experiments, jobs: 1).map(\.row.status)
    }

    static func run(_ name: String, _ bytes: [UInt8]) -> Bool {
        switch name {
        case "experiment": experimentFile(bytes)
        case "judge": judgeAndExplain(bytes)
        case "http": httpRequest(bytes)
        case "check": checkAndGrade(bytes)
        default: return false
        }
        return true
    }
}
