import LabModel
import LabSystem
import LabVerdict

/// How one student's code did on one experiment over its runs.
public struct CodeGrade: Sendable, Codable {
    public var student: String
    public var experiment: String
    public var server: String?
    public var client: String?
    public var runs: Int
    public var passed: Int
    /// Each pattern the runs produced, most frequent first: "17× …".
    public var patterns: [String]
    /// Why the code could not be run at all (a program not found), or the first failure's line.
    public var problem: String?
    public var exitCode: Int32
    /// Each expectation over the runs that judged it, in the experiment's order.
    public var expectations: [ExpectationTally] = []
    /// What each of the student's programs used at most over the runs, server first.
    public var programs: [ProgramTally] = []
    /// Runs in which one of the programs failed first (a crash, an exit status, the deadline, a
    /// wrong port), leaving expectations not reached; and the first such failure.
    public var rootCauseRuns = 0
    public var firstRootCause: String?

    public init(student: String, experiment: String, server: String?, client: String?) {
        self.student = student
        self.experiment = experiment
        self.server = server
        self.client = client
        runs = 0
        passed = 0
        patterns = []
        exitCode = 0
    }

    /// Every run passed, and there was at least one.
    public var passedAll: Bool { runs > 0 && passed == runs }

    /// Adds what the runs judged and what the programs used.
    public mutating func tally(_ results: [RunResult]) {
        for r in results {
            if let cause = r.verdict?.rootCause {
                rootCauseRuns += 1
                if firstRootCause == nil { firstRootCause = cause.reason }
            }
            for o in r.verdict?.outcomes ?? [] {
                let cause = o.failed ? r.mergedSendsCause(of: o) : nil
                if let i = expectations.firstIndex(where: { $0.path == o.path }) {
                    expectations[i].add(o, cause: cause)
                } else {
                    var t = ExpectationTally(expectation: o.expectation, path: o.path)
                    t.add(o, cause: cause)
                    expectations.append(t)
                }
            }
            for endpoint in r.record?.endpoints ?? [] {
                guard let program = endpoint.program else { continue }
                let side = endpoint.side.rawValue
                if let i = programs.firstIndex(where: { $0.side == side }) {
                    programs[i].add(program.sandbox)
                } else {
                    var t = ProgramTally(side: side)
                    t.add(program.sandbox)
                    programs.append(t)
                }
            }
        }
        programs.sort { $0.side == "server" && $1.side != "server" }
    }
}

/// One expectation over a student's runs.
public struct ExpectationTally: Sendable, Codable, Equatable {
    public var expectation: String
    /// `expect[N]` in the experiment's file.
    public var path: String
    public var held = 0
    public var failed = 0
    public var notApplicable = 0
    public var unobservable = 0
    public var notReached = 0
    /// What the first run where it did not hold saw.
    public var firstProblem: String?

    public init(expectation: String, path: String) {
        self.expectation = expectation
        self.path = path
    }

    public var runs: Int { held + failed + notApplicable + unobservable + notReached }
    /// Judged, and held, in every run; one that holds for tcplab's own endpoints only is not.
    public var heldEveryRun: Bool { held > 0 && held == runs }
    /// Judged and not met in some run: failed, or the trace ended before it.
    public var failedSomeRun: Bool { failed > 0 || unobservable > 0 }
    /// Never judged on the student's code: it holds for tcplab's own endpoints only.
    public var onlyNotApplicable: Bool { runs > 0 && notApplicable == runs }

    mutating func add(_ o: Outcome, cause: String? = nil) {
        switch o.status {
        case .held: held += 1
        case .failed: failed += 1
        case .notApplicable: notApplicable += 1
        case .unobservable: unobservable += 1
        case .notReached: notReached += 1
        }
        if o.status != .held && o.status != .notApplicable && firstProblem == nil { firstProblem = o.detail + (cause.map { "; \($0)" } ?? "") }
    }

    /// "held in 7 of 10 runs; failed 2, not reached 1".
    public var counts: String {
        let others = [("failed", failed), ("unobservable", unobservable), ("not reached", notReached)]
            .filter { $0.1 > 0 }.map { "\($0.0) \($0.1)" }
        return "held in \(held) of \(runs) run(s)" + (others.isEmpty ? "" : "; " + others.joined(separator: ", "))
    }
}

/// What one of a student's programs used at most over the runs, from its sandbox.
public struct ProgramTally: Sendable, Codable, Equatable {
    /// "server" or "client".
    public var side: String
    /// Runs it was started in under a sandbox that measured it.
    public var runs = 0
    public var maxCPUSeconds = 0.0
    /// Absent without a memory cgroup to measure it.
    public var maxPeakMemoryBytes: Int64?
    public var maxProcesses: Int?
    /// The first limit it reached, in words.
    public var limitHit: String?

    public init(side: String) { self.side = side }

    mutating func add(_ usage: SandboxUsage?) {
        guard let usage else { return }
        runs += 1
        maxCPUSeconds = max(maxCPUSeconds, Double(usage.cpuMicroseconds) / 1e6)
        if usage.peakMemory > 0 { maxPeakMemoryBytes = max(maxPeakMemoryBytes ?? 0, usage.peakMemory) }
        if let p = usage.processes { maxProcesses = max(maxProcesses ?? 0, p) }
        if limitHit == nil, let hit = usage.limitHit { limitHit = hit.description }
    }

    /// "server: at most 0.04 s CPU, 9.8 MiB, 3 processes over 10 runs".
    public var summary: String {
        var parts = ["\(String(format1: maxCPUSeconds)) s CPU"]
        if let m = maxPeakMemoryBytes { parts.append(SandboxLimits.bytes(Int(m))) }
        if let p = maxProcesses { parts.append("\(p) process\(p == 1 ? "" : "es")") }
        return "\(side): at most " + parts.joined(separator: ", ") + " over \(runs) run(s)" + (limitHit.map { "; reached \($0)" } ?? "")
    }
}

/// `grade --code --json`: the grades with the tool that made them (run-record.schema.json, codeGradeRecord).
public struct CodeGradeRecord: Sendable, Codable {
    public var format: Int
    public var tool: String
    public var codeGrades: [CodeGrade]
    /// Present in a shard's record only: which part of the class it holds, so a merge sees a
    /// shard given twice or left out.
    public var shard: Part?

    public struct Part: Codable, Sendable, Equatable {
        public var index: Int
        public var count: Int
        /// The students in the whole class.
        public var classStudents: Int

        public init(index: Int, count: Int, classStudents: Int) { (self.index, self.count, self.classStudents) = (index, count, classStudents) }
    }

    public init(format: Int = 1, tool: String, codeGrades: [CodeGrade], shard: Part? = nil) {
        self.format = format
        self.tool = tool
        self.codeGrades = codeGrades
        self.shard = shard
    }
}
