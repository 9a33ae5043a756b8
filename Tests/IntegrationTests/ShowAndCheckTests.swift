import Foundation
import Testing

/// `tcplab show` and `tcplab check` on captures made elsewhere: a student's `tshark -i any`
/// trace (pcapng, Linux cooked v2, with an unrelated UDP packet) and broken files.
@Suite struct ShowAndCheckTests {
    static let fixtures = Repository.root + "/Tests/IntegrationTests/Fixtures"
    static let studentTrace = fixtures + "/student/experiment-2-any.pcapng"

    @Test func aStudentsAnyDeviceTraceOfExperiment2Passes() throws {
        let result = try execute(Repository.binary, ["check", Self.studentTrace, "--experiment", "experiment-2",
                                                     "--experiments", Repository.experiments])
        #expect(result.status == 0, "\(result.output)\(result.error)")
        #expect(result.output.contains("experiment-2: passed (12/12 expectations held)"))
    }

    @Test func theSameTraceWithAServerSegmentCutOutFailsNamingTheMissingChunk() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Frame 10 is the server's third 5-byte piece (Seq=11).
        let cut = try execute("editcap", ["-r", Self.studentTrace, dir + "/cut.pcapng", "1-9", "11-17"])
        #expect(cut.status == 0, "\(cut.error)")
        let result = try execute(Repository.binary, ["check", dir + "/cut.pcapng", "--experiment", "experiment-2",
                                                     "--experiments", Repository.experiments])
        #expect(result.status == 1)
        #expect(result.output.contains("actual:   server bytes 11–15 (5 bytes) were not captured; packet 11 continues at Seq=16"))
        #expect(result.output.contains("actual:   saw 3 (5, 5, 5), 15 bytes"))
    }

    @Test func explainingAForeignCaptureSaysLikelyForCausesItCannotSee() throws {
        let checked = try execute(Repository.binary, ["check", Self.studentTrace, "--experiment", "experiment-2", "--explain",
                                                      "--experiments", Repository.experiments])
        #expect(checked.status == 0)
        #expect(checked.output.contains("Server replies 5 bytes (PSH,ACK Seq=1 Ack=21): Ack=21 because it received 20 bytes starting at 1. "
                                        + "Likely the server reads at most 5 bytes per recv()"))
        let shown = try execute(Repository.binary, ["show", Self.fixtures + "/corpus/retransmissions.pcap", "--explain"])
        #expect(shown.status == 0)
        #expect(shown.output.contains("Wireshark marks it [TCP Out-Of-Order]: its bytes start at Seq=7241"))
        #expect(shown.output.contains("with nothing new to acknowledge (window 81920). Wireshark marks it [TCP Dup ACK 12#1]: "
                                      + "the first duplicate of packet 12's Ack=7241"))
        #expect(!shown.output.contains("recv()"), "without an experiment there is no script to cite")
    }

    @Test func showAndCheckDrawTheLadderOfAForeignCapture() throws {
        let dir = try Repository.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let shown = try execute(Repository.binary, ["show", Self.studentTrace, "--ladder", dir + "/show.svg"])
        let checked = try execute(Repository.binary, ["check", Self.studentTrace, "--experiment", "experiment-2",
                                                      "--experiments", Repository.experiments, "--ladder", dir + "/check.svg"])
        #expect(shown.status == 0 && checked.status == 0)
        // The student's file holds 16 TCP packets of the experiment and one unrelated UDP packet.
        for name in ["show.svg", "check.svg"] {
            let svg = try String(contentsOfFile: dir + "/" + name, encoding: .utf8)
            #expect(svg.components(separatedBy: "class=\"arrow\"").count - 1 == 16, "\(name)")
        }
    }

    @Test func checkCanBeToldWhichSideIsTheClient() throws {
        let result = try execute(Repository.binary, ["check", Self.studentTrace, "--experiment", "experiment-2",
                                                     "--experiments", Repository.experiments, "--client", "127.0.0.1:55008"])
        #expect(result.status == 0, "\(result.output)\(result.error)")
        let wrong = try execute(Repository.binary, ["check", Self.studentTrace, "--experiment", "experiment-2",
                                                    "--experiments", Repository.experiments, "--client", "not-an-endpoint"])
        #expect(wrong.status == 64)
    }

    @Test func showPrintsTheRowsItCouldReadThenSaysWhereATruncatedFileEnds() throws {
        let result = try execute(Repository.binary, ["show", Self.fixtures + "/corpus/truncated.pcap"])
        #expect(result.status == 2)
        #expect(result.output.split(separator: "\n").count == 39)  // header + 38 whole packets
        #expect(result.error == "tcplab: \(Self.fixtures)/corpus/truncated.pcap: the file is cut short in the middle of packet 39: "
                + "it starts at byte 3787, and 43 of its 70 bytes are there\n")
    }

    @Test func showRejectsAMissingFileAndAFileThatIsNotACapture() throws {
        let missing = try execute(Repository.binary, ["show", "/nonexistent.pcap"])
        #expect(missing.status == 66)
        #expect(missing.error == "tcplab: /nonexistent.pcap: No such file or directory\n")
        let notCapture = try execute(Repository.binary, ["show", Repository.root + "/README.md"])
        #expect(notCapture.status == 2)
        #expect(notCapture.error.contains("is neither pcap nor pcapng"))
    }

    @Test func showFiltersWithBPFButKeepsFrameNumbersAndAnalysis() throws {
        let result = try execute(Repository.binary, ["show", Self.studentTrace, "--filter", "fin"])
        #expect(result.status == 0)
        let rows = result.output.split(separator: "\n").dropFirst()
        #expect(rows.count == 2)
        #expect(rows.first?.hasPrefix("    14 ") == true)
        let bad = try execute(Repository.binary, ["show", Self.studentTrace, "--filter", "port port"])
        #expect(bad.status == 64)
    }

    /// As with Wireshark's display filter, a hidden packet still counts: Time stays relative to
    /// the file's first packet, and HTTP reassembled across hidden segments keeps its Info.
    @Test func aFilteredRowIsTheSameLineAsInTheWholeList() throws {
        let trace = Self.fixtures + "/runs/lo/trace62.pcap"
        let whole = try execute(Repository.binary, ["show", trace]).output.split(separator: "\n").dropFirst()
        let byNumber = Dictionary(uniqueKeysWithValues: whole.map { (Int($0.prefix(6).trimmingCharacters(in: .whitespaces)) ?? 0, $0) })
        for filter in ["push", "port 8080 and not syn", "fin"] {
            let shown = try execute(Repository.binary, ["show", trace, "--filter", filter])
            #expect(shown.status == 0)
            let rows = shown.output.split(separator: "\n").dropFirst()
            #expect(!rows.isEmpty && rows.count < whole.count)
            for row in rows {
                let number = Int(row.prefix(6).trimmingCharacters(in: .whitespaces)) ?? 0
                #expect(row == byNumber[number], "--filter \(filter), packet \(number)")
            }
        }
        let json = try execute(Repository.binary, ["show", trace, "--filter", "fin", "--json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]])
        let times = rows.compactMap { $0["time"] as? String }
        #expect(times.count == rows.count && !times.isEmpty && !times.contains("0.000000000"), "\(times)")
    }

    @Test func showSummarisesConversationsAndWritesJSON() throws {
        let conversations = try execute(Repository.binary, ["show", Self.studentTrace, "--conversations"])
        #expect(conversations.output.contains("ShADadFf"))
        let json = try execute(Repository.binary, ["show", Self.studentTrace, "--json"])
        let rows = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]]
        #expect(rows?.count == 17)
        #expect(rows?.last?["protocolName"] as? String == "UDP")
    }

    /// Inputs the fuzzer once crashed on: each must now give rows or one clear error.
    @Test(arguments: ((try? FileManager.default.contentsOfDirectory(atPath: fixtures + "/fuzz-regressions")) ?? [])
            .filter { !$0.hasPrefix(".") && !FileManager.default.fileExists(atPath: fixtures + "/fuzz-regressions/" + $0 + "/.") }.sorted())
    func formerFuzzerCrashesAreHandled(name: String) throws {
        for options in [[], ["--conversations"], ["--json"]] {
            let result = try execute(Repository.binary, ["show", Self.fixtures + "/fuzz-regressions/" + name] + options)
            #expect([0, 2].contains(result.status), "\(name) \(options): exit \(result.status) \(result.error)")
        }
    }
}
