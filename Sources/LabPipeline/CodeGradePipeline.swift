import FoundationEssentials
import LabModel
import LabPackets
import LabReport
import LabSystem
import Synchronization

/// One student's code against one experiment.
public struct CodeSubmission: Sendable {
    public var student: String
    /// The student's folder: their programs run in it.
    public var folder: String
    public var experiment: String
    /// The commands as written, by side; a side left out stays scripted.
    public var commands: [Direction: [String]]
    /// Why there is nothing to run, when there is not.
    public var missing: String?
}

/// `grade --code`: each student's programs played against each experiment, `repeat` times, each
/// run in a namespace of its own, so no two students' programs ever share one.
public enum CodeGradePipeline {
    public static let manifestName = "tcplab.json"

    /// The submissions under `folder`: one per student folder and experiment. A student's
    /// `tcplab.json` maps experiment names to `{"server": "…", "client": "…"}` commands; without
    /// one, `server.py` and `client.py` (whichever exist) play each of `experiments`.
    public static func submissions(_ folders: [String], experiments: [String]) throws(CommandFailure) -> [CodeSubmission] {
        var found: [CodeSubmission] = []
        for root in folders {
            guard FileManager.default.fileExists(atPath: root) else { throw GradePipeline.missing(root) }
            guard FileSystem.isDirectory(root) else { throw CommandFailure("\(root): not a folder of student folders", exitCode: 66) }
            // A student's own repository, as Gradescope and GitHub Classroom hand it over: the programs lie in it.
            if isSubmission(root) {
                let folder = (try? FileSystem.realPath(root)) ?? root
                found += try submissions(of: GradePipeline.lastComponent(folder), in: folder, experiments: experiments)
                continue
            }
            let students = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
                .filter { !$0.hasPrefix(".") && FileSystem.isDirectory(root + "/" + $0) }.sorted(by: naturalOrder)
            if students.isEmpty { throw CommandFailure("\(root): no student folders in it", exitCode: 66) }
            let base = (try? FileSystem.realPath(root)) ?? root
            for student in students {
                let folder = (try? FileSystem.realPath(root + "/" + student)) ?? root + "/" + student
                // A link out of the class folder would have the grader run, and show, someone else's files.
                guard folder.hasPrefix(base + "/") else {
                    found += experiments.map {
                        CodeSubmission(student: student, folder: folder, experiment: $0, commands: [:],
                                       missing: "its folder is a symlink out of the class folder (to \(folder)), so it is not run")
                    }
                    continue
                }
                do { found += try submissions(of: student, in: folder, experiments: experiments) } catch where error.exitCode == 65 {
                    // One student's broken tcplab.json is that student's row, not the class's end.
                    found += (experiments.isEmpty ? ["-"] : experiments).map {
                        CodeSubmission(student: student, folder: folder, experiment: $0, commands: [:],
                                       missing: error.description.replacing(folder + "/", with: ""))
                    }
                }
            }
        }
        return found
    }

    /// Whether `folder` itself holds a student's programs, rather than one folder per student.
    public static func isSubmission(_ folder: String) -> Bool {
        [manifestName, "server.py", "client.py"].contains { FileSystem.isRegularFile(folder + "/" + $0) }
    }

    static func submissions(of student: String, in folder: String, experiments: [String]) throws(CommandFailure) -> [CodeSubmission] {
        let manifest = folder + "/" + manifestName
        if FileSystem.isRegularFile(manifest) {
            let entries: [String: [String: String]]
            let bytes: [UInt8]
            do { bytes = try FileSystem.contents(of: manifest) } catch {
                throw CommandFailure("\(manifest): cannot read it: \(SystemError.describe(error.errno))", exitCode: 66)
            }
            do { entries = try JSONDecoder().decode([String: [String: String]].self, from: Data(bytes)) } catch {
                throw CommandFailure("\(manifest): \(JSONReason.of(error, in: bytes)); expected {\"experiment-2\": {\"server\": \"python3 server.py {port}\", "
                                     + "\"client\": \"…\"}}", exitCode: 65)
            }
            var found: [CodeSubmission] = []
            for (name, sides) in entries.sorted(by: { naturalOrder($0.key, $1.key) }) where experiments.isEmpty || experiments.contains(name) {
                var commands: [Direction: [String]] = [:]
                for (key, line) in sides {
                    guard let side = Direction(rawValue: key) else {
                        throw CommandFailure("\(manifest): \(name).\(key): expected \"server\" or \"client\"", exitCode: 65)
                    }
                    switch Program.words(of: line) {
                    case let .success(words): commands[side] = words
                    case let .failure(error): throw CommandFailure("\(manifest): \(name).\(key): \(error)", exitCode: 65)
                    }
                }
                found.append(CodeSubmission(student: student, folder: folder, experiment: name, commands: commands))
            }
            for name in experiments where !entries.keys.contains(name) {
                found.append(CodeSubmission(student: student, folder: folder, experiment: name, commands: [:],
                                            missing: "its \(manifestName) has no entry for \(name)"))
            }
            return found.sorted { naturalOrder($0.experiment, $1.experiment) }
        }
        var commands: [Direction: [String]] = [:]
        if FileSystem.isRegularFile(folder + "/server.py") { commands[.server] = ["python3", "server.py", "{port}"] }
        if FileSystem.isRegularFile(folder + "/client.py") { commands[.client] = ["python3", "client.py", "{host}", "{port}"] }
        guard !experiments.isEmpty else {
            throw CommandFailure("\(folder): no \(manifestName), so name the experiment its server.py and client.py are for with --experiment", exitCode: 64)
        }
        return experiments.map {
            CodeSubmission(student: student, folder: folder, experiment: $0, commands: commands,
                           missing: commands.isEmpty ? "no server.py or client.py, and no \(manifestName)" : nil)
        }
    }

    /// The whole of `grade --code`: find the submissions, run them, write the files asked for;
    /// returns the table and the exit code.
    public static func run(_ folders: [String], experiments: [String], loader: ExperimentLoader, repeats: Int, out: String,
                           deadline: Duration?, jobs: Int, outputs: GradeOutputs = GradeOutputs(), isolation: Isolation = Isolation(),
                           shard: Shard? = nil) throws(CommandFailure) -> (table: String, exitCode: Int32) {
        let known: [String]
        do { known = try loader.names() } catch { throw CommandFailure(error) }
        for name in experiments where !known.contains(name) {
            throw CommandFailure(ExperimentError.unknown(name: name, directory: loader.directory, known: known))
        }
        var found = try submissions(folders, experiments: experiments)
        var shardLine = ""
        var part: CodeGradeRecord.Part?
        if let shard {
            let all = Set(found.map(\.student))
            found = found.filter { shard.holds($0.student) }
            shardLine = "shard \(shard): \(Set(found.map(\.student)).count) of \(all.count) student(s)\n"
            part = CodeGradeRecord.Part(index: shard.index, count: shard.count, classStudents: all.count)
        }
        // A points file's mistake is found before any student's code runs.
        var scoring: (path: String, experiments: [Experiment], points: GradescopePoints)?
        if let path = outputs.gradescope {
            try GradescopeGrades.requireOneSubmission(found.map(\.student))
            var all: [Experiment] = []
            do throws(ExperimentError) { for name in known { all.append(try loader.load(name)) } } catch { throw CommandFailure(error) }
            let points = try outputs.points.map { p throws(CommandFailure) in try GradescopePoints.load(p, experiments: all) } ?? GradescopePoints()
            scoring = (path, all, points)
        }
        do { try OutputWriter.makeFolder(out) } catch { throw CommandFailure(error) }
        let grades = grade(found, loader: loader, repeats: repeats, out: out, deadline: deadline, jobs: jobs, isolation: isolation)
        do {
            try write(grades, outputs, shard: part)
            if let scoring {
                try OutputWriter.write(GradescopeGrades.render(grades, experiments: scoring.experiments, points: scoring.points), to: scoring.path)
            }
        } catch { throw CommandFailure(error) }
        // A shard of one student is still a class's part: its status is the class's, not the student's grade.
        return (shardLine + table(grades), exitCode(grades, oneSubmission: shard == nil && Set(found.map(\.student)).count == 1))
    }

    /// `grade --code --merge`: the shards' records written and tabled as one run over the class.
    public static func merge(_ files: [String], outputs: GradeOutputs) throws(CommandFailure) -> (table: String, exitCode: Int32) {
        let grades = try CodeGradeMerge.read(files)
        do { try write(grades, outputs) } catch { throw CommandFailure(error) }
        return (table(grades), exitCode(grades))
    }

    /// Every file asked for, each written whole.
    static func write(_ grades: [CodeGrade], _ outputs: GradeOutputs, shard: CodeGradeRecord.Part? = nil) throws(OutputError) {
        if let json = outputs.json {
            try OutputWriter.write(try OutputWriter.encodeJSON(CodeGradeRecord(tool: Tool.label, codeGrades: grades, shard: shard)), to: json,
                                   what: "the grades")
        }
        if let csv = outputs.csv { try OutputWriter.write(CodeGradeReport.csv(grades), to: csv) }
        if let junit = outputs.junit { try OutputWriter.write(CodeGradeReport.junit(grades), to: junit) }
        if let summary = outputs.summary {
            try OutputWriter.write(CodeGradeReport.summary(grades, html: summary.lowercased().hasSuffix(".html")), to: summary)
        }
    }

    /// Runs every submission `repeats` times on `jobs` threads; traces go under `out/student/`.
    public static func grade(_ submissions: [CodeSubmission], loader: ExperimentLoader, repeats: Int, out: String,
                             deadline: Duration?, jobs: Int, isolation: Isolation = Isolation()) -> [CodeGrade] {
        let grades = Mutex([CodeGrade?](repeating: nil, count: submissions.count))
        let hosts = RunHostPool()
        defer { hosts.close() }
        ParallelWork.forEach(submissions.count, jobs: jobs) { i in
            let grade = self.grade(submissions[i], loader: loader, repeats: repeats, out: out, deadline: deadline, hosts: hosts,
                                   isolation: isolation)
            grades.withLock { $0[i] = grade }
        }
        return grades.withLock { $0.compactMap { $0 } }
    }

    static func grade(_ s: CodeSubmission, loader: ExperimentLoader, repeats: Int, out: String, deadline: Duration?,
                      hosts: RunHostPool, isolation: Isolation = Isolation()) -> CodeGrade {
        var grade = CodeGrade(student: s.student, experiment: s.experiment,
                              server: s.commands[.server].map(Program.quoted), client: s.commands[.client].map(Program.quoted))
        func fail(_ message: String, _ code: Int32) -> CodeGrade {
            grade.problem = message
            grade.exitCode = code
            return grade
        }
        if let missing = s.missing { return fail(missing, 66) }
        let experiment: Experiment
        do { experiment = try loader.load(s.experiment).withInProcessClient() } catch { return fail(error.description, error.exitCode) }
        var choice = EndpointChoice()
        choice.commands = s.commands
        choice.directory = s.folder
        choice.deadline = deadline
        choice.isolation = isolation
        let chosen: Experiment
        // A scripted choice keeps every experiment, so `apply` gives one back.
        do { chosen = try choice.apply(to: experiment, named: true) ?? experiment } catch { return fail(error.description, error.exitCode) }
        let folder = out + "/" + s.student
        do { try OutputWriter.makeFolder(folder) } catch { return fail(error.description, error.exitCode) }
        var plan = RunPlan(out: folder)
        plan.repeats = repeats
        plan.style = RunText.Style(quiet: true, explain: false, color: false)
        let series = RunSeries.run(chosen, plan: plan, observer: nil, hosts: hosts)
        grade.runs = series.results.count
        grade.passed = series.results.count { $0.verdict?.status == .passed }
        grade.patterns = series.patterns.rows
        grade.tally(series.results)
        let failure = series.results.lazy.compactMap { r in r.verdict?.outcomes.first(where: \.failed).map { (run: r, outcome: $0) } }.first
        grade.problem = series.errors.first ?? series.results.lazy.compactMap { $0.verdict?.endpointFailures.first }.first
            ?? failure.map { "\($0.outcome.expectation): \($0.outcome.detail)" + ($0.run.mergedSendsCause(of: $0.outcome).map { "; \($0)" } ?? "") }
        grade.exitCode = series.exitCode
        return grade
    }

    /// The table a TA reads: a row per student and experiment with the pass rate and what went
    /// wrong first, then each pattern the runs produced on a line of its own.
    public static func table(_ grades: [CodeGrade]) -> String {
        let header = ["student", "experiment", "passed", "first problem"]
        let rows = grades.map { g in
            [g.student, g.experiment, g.runs == 0 ? "-" : "\(g.passed)/\(g.runs)", g.passed == g.runs && g.runs > 0 ? "" : g.problem ?? ""]
        }
        let widths = (0..<3).map { i in ([header] + rows).map { $0[i].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            (0..<3).map { cells[$0] + String(repeating: " ", count: widths[$0] - cells[$0].count) }.joined(separator: "  ") + "  " + cells[3]
        }
        var lines = [line(header)]
        for (g, row) in zip(grades, rows) {
            lines.append(line(row))
            lines += g.patterns.map { "    " + $0 }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// For a class: 0 when every submission ran, 2 when some could not be run at all; the
    /// verdicts are in the table. For one student, the status is the grade, as a command grader
    /// (GitHub Classroom, a CI job) reads it: 0 when every run of every experiment passed, 1 when not.
    public static func exitCode(_ grades: [CodeGrade], oneSubmission: Bool = false) -> Int32 {
        if oneSubmission { return grades.allSatisfy(\.passedAll) ? 0 : 1 }
        return grades.contains { $0.runs == 0 } ? 2 : 0
    }
}
