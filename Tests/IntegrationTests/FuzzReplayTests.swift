import Foundation
import Testing

/// The fuzz targets' regression inputs and seeds, replayed through the plain build of
/// `capture-fuzzer` (which runs each file through a surface, as libFuzzer would): every one must
/// run to its end. A crash the fuzzers find goes into `fuzz-regressions/SURFACE/` and is replayed here.
@Suite struct FuzzReplayTests {
    static let replayer = Repository.root + "/.build/debug/capture-fuzzer"
    static let fixtures = Repository.root + "/Tests/IntegrationTests/Fixtures"

    static func files(in folder: String, ending: String = "") -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { !$0.hasPrefix(".") && $0.hasSuffix(ending) }.sorted().map { folder + "/" + $0 }
    }

    /// Each surface's inputs: its regressions, plus the seeds its `make fuzz-…` target starts from.
    static func inputs(_ surface: String) -> [String] {
        let regressions = files(in: fixtures + "/fuzz-regressions/" + surface)
        switch surface {
        case "experiment": return regressions + files(in: Repository.experiments, ending: ".json").filter { !$0.hasSuffix("schema.json") }
        case "http": return regressions + files(in: Repository.root + "/Fuzz/seeds/http")
        default: return regressions + files(in: fixtures + "/hostile", ending: ".pcap") + files(in: fixtures + "/fuzz-regressions", ending: ".pcapng")
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: replayer), "needs the capture-fuzzer replayer (swift build builds it)"),
          arguments: ["experiment", "judge", "http", "check"])
    func everyRegressionAndSeedRunsThrough(surface: String) throws {
        let inputs = Self.inputs(surface)
        #expect(!inputs.isEmpty)
        let result = try execute(Self.replayer, inputs, environment: ["TCPLAB_FUZZ": surface])
        #expect(result.status == 0, "\(surface): exit \(result.status)\n\(result.error.suffix(2000))")
    }
}
