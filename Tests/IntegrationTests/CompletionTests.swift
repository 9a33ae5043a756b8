import Foundation
import Testing

/// Tab completion of experiment names (read from the experiments folder while completing) and of
/// capture files: bash's script sourced in bash, its completion function called as Tab calls it.
@Suite struct CompletionTests {
    /// A folder of two experiments of its own, and a folder of files to complete among.
    static func makeFolders() throws -> (root: String, experiments: String, work: String) {
        let root = try Repository.temporaryDirectory()
        let experiments = root + "/mine", work = root + "/work"
        let fm = FileManager.default
        try fm.createDirectory(atPath: experiments, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: work + "/sub", withIntermediateDirectories: true)
        try fm.copyItem(atPath: Repository.experiments + "/experiment-1.json", toPath: experiments + "/lab-one.json")
        try fm.copyItem(atPath: Repository.experiments + "/experiment-2.json", toPath: experiments + "/lab-two.json")
        try "notes\n".write(toFile: experiments + "/README.txt", atomically: true, encoding: .utf8)
        for name in ["a.pcap", "b.pcapng", "c.cap", "notes.txt", "report.html"] { _ = fm.createFile(atPath: work + "/" + name, contents: Data()) }
        return (root, experiments, work)
    }

    /// What bash's completion function offers for `line` (the cursor at its end), sorted.
    static func complete(_ line: String, script: String, in directory: String, environment: [String: String?] = [:]) throws -> [String] {
        let driver = """
            source "$1"
            COMP_LINE="$2"; COMP_POINT=${#COMP_LINE}
            read -ra COMP_WORDS <<< "$COMP_LINE"
            [[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
            COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
            COMPREPLY=()
            _tcplab "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let result = try execute("bash", ["-c", driver, "bash", script, Repository.binary + " " + line], in: directory, environment: environment)
        #expect(result.status == 0 && result.error.isEmpty, "\(line): \(result.error)")
        return result.output.split(separator: "\n").map(String.init).sorted()
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/bash"), "needs bash to source the script"))
    func bashCompletesExperimentNamesFromTheFolderAndCaptureFiles() throws {
        let (root, experiments, work) = try Self.makeFolders()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let script = root + "/tcplab.bash"
        let generated = try execute(Repository.binary, ["--generate-completion-script", "bash"])
        try generated.output.write(toFile: script, atomically: true, encoding: .utf8)
        let ours = ["lab-one", "lab-two"]
        #expect(try Self.complete("run --experiments \(experiments) ", script: script, in: work) == ours)
        #expect(try Self.complete("run --experiments \(experiments) lab-t", script: script, in: work) == ["lab-two"])
        #expect(try Self.complete("validate --experiments=\(experiments) l", script: script, in: work) == ours)
        #expect(try Self.complete("serve --experiments \(experiments) ", script: script, in: work) == ours)
        #expect(try Self.complete("client --experiments \(experiments) lab-o", script: script, in: work) == ["lab-one"])
        #expect(try Self.complete("check a.pcap --experiments \(experiments) --experiment ", script: script, in: work) == ours)
        #expect(try Self.complete("grade --code sub --experiments \(experiments) --experiment ", script: script, in: work) == ours)
        // Without --experiments, from where tcplab looks: here $TCPLAB_EXPERIMENTS.
        #expect(try Self.complete("run ", script: script, in: work, environment: ["TCPLAB_EXPERIMENTS": experiments]) == ours)
        #expect(try Self.complete("run experiment-6", script: script, in: work, environment: ["TCPLAB_EXPERIMENTS": Repository.experiments])
                == ["experiment-61", "experiment-62"])
        // A folder without experiments offers nothing, and says nothing.
        #expect(try Self.complete("run --experiments \(root)/none ", script: script, in: work).isEmpty)
        // Capture files (and folders to walk into), not the other files beside them.
        let captures = ["a.pcap", "b.pcapng", "c.cap", "sub"]
        #expect(try Self.complete("show ", script: script, in: work) == captures)
        #expect(try Self.complete("check ", script: script, in: work) == captures)
        #expect(try Self.complete("grade ", script: script, in: work) == captures)
        #expect(try Self.complete("check --experiments ", script: script, in: root) == ["mine", "work"], "--experiments completes folders")
    }

    /// zsh and fish call the same completion code in the binary; their scripts ask it at every place
    /// an experiment's name goes, and list capture extensions where a capture goes.
    @Test(arguments: ["zsh", "fish"])
    func zshAndFishAskForTheSameCompletions(_ shell: String) throws {
        let script = try execute(Repository.binary, ["--generate-completion-script", shell]).output
        for (command, place) in [("run", "positional@0"), ("validate", "positional@0"), ("serve", "positional@0"),
                                 ("client", "positional@0"), ("check", "--experiment"), ("grade", "--experiment")] {
            #expect(script.contains("---completion \(command) -- \(place)"), "\(shell): \(command) \(place)")
        }
        #expect(script.contains("pcapng"), "\(shell) completes capture files by extension")
    }

    /// What each shell's script runs on Tab: the binary answers with the names, one a line.
    @Test func theBinaryAnswersACompletionRequestWithTheFoldersNames() throws {
        let (root, experiments, _) = try Self.makeFolders()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let result = try execute(Repository.binary, ["---completion", "run", "--", "positional@0", "4", "4",
                                                     "tcplab", "run", "--experiments", experiments, "lab-"])
        #expect(result.status == 0)
        #expect(result.output == "lab-one\nlab-two\n", "\(result.output)\(result.error)")
    }
}
