import Foundation
import Testing

/// Three graders at once: two in PID namespaces of their own, as two containers of one host run
/// them, and one on the host. The two see themselves at the same low pids, and none can see the
/// host's, yet all share the uid space, cgroupfs and /tmp. Each must keep its own sandboxes (uids,
/// cgroups, scratch folders) and sweep only what a gone tcplab of its own namespace left, so every
/// student's every run runs, and passes unless the wire shows a retransmission.
@Suite(.serialized) struct ConcurrentGraderTests {
    static let students = ["ada", "bob", "cy"]

    @Test(.enabled(if: SandboxTests.canRun, "needs root, unshare (util-linux) and /usr/bin/python3"))
    func gradersInSeparatePIDNamespacesDoNotShareOrSweepSandboxes() throws {
        let root = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for student in Self.students {
            let folder = root + "/class/" + student
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            // With TCP_NODELAY, so its segments do not depend on the load, as the lab's Nagle-bound
            // server's do (it merged two 5-byte pieces in 1 of 90 runs under the whole suite's load).
            let server = try #require(PIDNamespaceRuns.RootCauseTests.programs["echo_server.py"])
            try server.write(toFile: folder + "/server.py", atomically: true, encoding: .utf8)
            try "{\"experiment-2\": {\"server\": \"python3 server.py {port}\"}}"
                .write(toFile: folder + "/tcplab.json", atomically: true, encoding: .utf8)
        }
        _ = try execute("/bin/chmod", ["-R", "a+rX", root])
        let results = Results()
        let both = DispatchGroup()
        let graders = 3
        for grader in 0..<graders {
            DispatchQueue.global().async(group: both) {
                let grade = [Repository.binary, "grade", root + "/class", "--code", "--repeat", "30", "--jobs", "3",
                             "--experiments", Repository.experiments, "--out", root + "/out\(grader)", "--json", root + "/grades\(grader).json"]
                // Grader 0 runs on the host, where the others' sweeps once took its live sandboxes.
                let result = grader == 0
                    ? try? execute(grade[0], Array(grade.dropFirst()))
                    : try? execute("/usr/bin/unshare", ["--pid", "--fork", "--mount-proc"] + grade)
                results.set(grader, result)
            }
        }
        both.wait()
        for grader in 0..<graders {
            let result = try #require(results.get(grader), "grader \(grader) did not run")
            #expect(result.status == 0, "grader \(grader): \(result.output)\(result.error)")
            // Every run ran, and no program failed (a sandbox taken or swept from under it fails its
            // program: "joining its cgroups: ENOENT"). A run that did not pass may only show what the
            // wire shows under this load (9 runs at once on 2 cores): a segment resent when its ACK
            // came after the retransmission timeout, which no sandbox causes.
            let data = try Data(contentsOf: URL(fileURLWithPath: root + "/grades\(grader).json"))
            let grades = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["codeGrades"] as? [[String: Any]] ?? []
            #expect(grades.map { $0["student"] as? String ?? "" } == Self.students, "grader \(grader): \(result.output)")
            for g in grades {
                let name = "grader \(grader), \(g["student"] ?? "")"
                #expect(g["runs"] as? Int == 30 && g["rootCauseRuns"] as? Int == 0, "\(name): \(result.output)\(result.error)")
                let unmet = (g["expectations"] as? [[String: Any]] ?? []).filter { ($0["held"] as? Int ?? 0) + ($0["notApplicable"] as? Int ?? 0) < 30 }
                #expect(unmet.allSatisfy { ($0["firstProblem"] as? String ?? "").contains("resent") }, "\(name): \(unmet)\n\(result.output)")
            }
        }
    }
}

/// The two graders' results. @unchecked: each slot is written by one thread under the lock and
/// read after the group's wait.
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var finished: [Int: Finished] = [:]
    func set(_ grader: Int, _ result: Finished?) { lock.withLock { finished[grader] = result } }
    func get(_ grader: Int) -> Finished? { lock.withLock { finished[grader] } }
}
