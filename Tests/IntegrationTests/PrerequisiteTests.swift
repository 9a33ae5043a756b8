import Foundation
import Testing

/// What the conditional tests need, checked where they are meant to run. Every test that can be
/// skipped says why in the output (a Swift Testing condition); on CI, where `.ci/run` sets
/// TCPLAB_REQUIRE_ALL_TESTS=1, a missing prerequisite fails here instead, naming it, so no test
/// CI should run is ever skipped there quietly. The fixture folders the parameterized tests read
/// must exist and hold files, or those tests would run zero cases.
@Suite struct PrerequisiteTests {
    static let required = ProcessInfo.processInfo.environment["TCPLAB_REQUIRE_ALL_TESTS"] == "1"

    static func executable(_ candidates: String...) -> Bool {
        candidates.contains(where: FileManager.default.isExecutableFile(atPath:))
    }

    /// Each prerequisite of a conditional test, with what it is for.
    static let prerequisites: [(String, Bool)] = [
        ("root (namespaces and capture: experiments, reports, interrupts, programs)", getuid() == 0),
        ("chromium (the headless-browser runs)", executable("/usr/bin/chromium")),
        ("rsvg-convert (the ladder rendered as a picture)", executable("/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert")),
        ("tshark (the Info oracle and the reports' readers)", executable("/usr/bin/tshark")),
        ("python3 (the lab's code, the measuring script)", executable("/usr/bin/python3")),
        ("strace (--strace)", executable("/usr/bin/strace")),
        ("a C compiler (the non-Python test programs)", executable("/usr/bin/cc", "/opt/swift/usr/bin/clang")),
        ("script (the status line on a terminal)", executable("/usr/bin/script")),
        ("taskset (the one-core scan)", executable("/usr/bin/taskset")),
        ("unshare and ip (the emulated container profile)", executable("/usr/bin/unshare") && executable("/usr/sbin/ip", "/usr/bin/ip")),
        ("the capture-fuzzer replayer (the fuzz regressions)", executable(Repository.root + "/.build/debug/capture-fuzzer")),
    ]

    @Test(.enabled(if: required, "set TCPLAB_REQUIRE_ALL_TESTS=1 (as .ci/run does) to make a missing prerequisite fail"))
    func everyPrerequisiteIsHereOnCI() {
        for (what, present) in Self.prerequisites {
            #expect(present, "CI must run the tests that need \(what), and it is missing")
        }
    }

    @Test(arguments: ["corpus", "lab", "fuzz-regressions", "runs", "student", "hostile"])
    func everyFixtureFolderHoldsFiles(folder: String) {
        let path = Repository.root + "/Tests/IntegrationTests/Fixtures/" + folder
        let files = (try? FileManager.default.subpathsOfDirectory(atPath: path)) ?? []
        #expect(!files.isEmpty, "\(path) is missing or empty, so the tests that read it would run no case")
    }

    @Test func theExperimentsAreThere() {
        #expect(Repository.experimentNames.count >= 8, "\(Repository.experiments): \(Repository.experimentNames)")
    }
}
