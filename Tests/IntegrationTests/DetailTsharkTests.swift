import Foundation
import Testing

let tsharkPath = ["/usr/bin/tshark", "/usr/local/bin/tshark"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// `show --detail N` and `--hex N` against tshark itself: every line of tcplab's tree appears in
/// `tshark -n -V`'s tree of the same packet, and the bytes equal `tshark -x`'s, on captures of
/// every link type tcplab reads.
@Suite(.enabled(if: tsharkPath != nil, "tshark is not installed: --detail and --hex are not compared with it"))
struct DetailTsharkTests {
    static let fixtures = Repository.root + "/Tests/IntegrationTests/Fixtures/"
    static let captures = ["corpus/any-sll.pcap", "corpus/any-sll2.pcap", "corpus/ipv6.pcap", "corpus/http.pcap",
                           "corpus/null-loop.pcap", "corpus/raw.pcap", "corpus/retransmissions.pcap", "corpus/commented.pcapng",
                           "corpus/zero-window.pcap", "lab/lab-trace1-nat-sll.pcap", "lab/lab-trace4-vms-eth.pcap",
                           "lab/lab-http-12345-sll.pcap", "lab/lab-http-edges-12345-eth.pcap"]

    /// tshark's tree lines per frame, trimmed; a pcapng frame's title also without its interface.
    static func tsharkFrames(_ path: String) throws -> [Set<String>] {
        let run = try execute(try #require(tsharkPath), ["-n", "-r", path, "-V"])
        var frames: [Set<String>] = []
        for line in run.output.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("Frame "), line.contains(" bytes on wire ") {
                frames.append([])
                if let cut = line.range(of: " on interface ") { frames[frames.count - 1].insert(String(line[..<cut.lowerBound])) }
            }
            if !frames.isEmpty { frames[frames.count - 1].insert(line.trimmingCharacters(in: .whitespaces)) }
        }
        return frames
    }

    @Test(arguments: captures)
    func everyLineIsTsharks(_ capture: String) throws {
        let path = Self.fixtures + capture
        let frames = try Self.tsharkFrames(path)
        #expect(!frames.isEmpty)
        var lines = 0
        for n in 1...min(frames.count, 30) {
            let run = try execute(Repository.binary, ["show", path, "--detail", "\(n)"])
            #expect(run.status == 0, "\(run.error)")
            for line in run.output.split(separator: "\n") {
                let text = line.trimmingCharacters(in: .whitespaces)
                lines += 1
                #expect(frames[n - 1].contains(text), "\(capture) #\(n): tshark has no line \"\(text)\"")
            }
        }
        #expect(lines > 0)
    }

    @Test(arguments: captures)
    func bytesAreTsharks(_ capture: String) throws {
        let path = Self.fixtures + capture
        for n in [1, 2, 4] {
            let ours = try execute(Repository.binary, ["show", path, "--hex", "\(n)"])
            let theirs = try execute(try #require(tsharkPath), ["-r", path, "-x", "-Y", "frame.number==\(n)"])
            guard !theirs.output.isEmpty else { continue }
            // tshark adds blocks for bytes it reassembled; the frame's own block comes first.
            let frameBlock = theirs.output.components(separatedBy: "\n\n").first.map { $0 + "\n\n" } ?? ""
            #expect(ours.output == frameBlock, "\(capture) #\(n)")
        }
    }

    @Test func aPacketPastTheLastSaysHowManyThereAre() throws {
        let run = try execute(Repository.binary, ["show", Self.fixtures + "corpus/http.pcap", "--detail", "5000"])
        #expect(run.status == 64)
        #expect(run.error.contains("has ") && run.error.contains("packets; --detail 5000 is past the last"))
        let zero = try execute(Repository.binary, ["show", Self.fixtures + "corpus/http.pcap", "--hex", "0"])
        #expect(zero.status != 0 && zero.error.contains("counts packets from 1"))
    }
}
