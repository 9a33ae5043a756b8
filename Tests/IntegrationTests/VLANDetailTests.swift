import Foundation
import LabPackets
import LabTestSupport
import Testing

/// 802.1ad and stacked (QinQ) VLAN tags, as `show --detail` reads them, judged by tshark on a
/// capture built in code: the same tags in the same order, then the same IP and TCP.
@Suite(.enabled(if: tsharkPath != nil, "tshark is not installed: VLAN details are not compared with it"))
struct VLANDetailTests {
    /// Each frame's tags, outermost first: none, 802.1Q, 802.1ad, QinQ both ways, and three deep.
    static let stacks: [[(protocolID: UInt16, control: UInt16)]] = [
        [], [(0x8100, 5)], [(0x88a8, 7)], [(0x88a8, 3 << 13 | 100), (0x8100, 5 << 13 | 1 << 12 | 200)],
        [(0x8100, 10), (0x8100, 20)], [(0x88a8, 1), (0x8100, 2), (0x8100, 4095)],
    ]

    static func capture() throws -> String {
        var builder = FrameBuilder()
        let frames = stacks.enumerated().map { i, tags in
            FrameBuilder.tagged(builder.segment(from: .client, seq: UInt32(i), flags: .syn), tags)
        }
        let path = try Repository.temporaryDirectory() + "/vlan.pcap"
        try Data(FrameBuilder.pcapFile(frames)).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The lines of tshark's tree that name a VLAN tag, and those that start IP and TCP.
    static func layerTitles(_ lines: [String]) -> [String] {
        lines.filter { ["802.1Q Virtual LAN,", "IEEE 802.1ad,", "Internet Protocol", "Transmission Control Protocol"]
            .contains(where: $0.hasPrefix) }
    }

    @Test func tagsAndLayersAreTsharks() throws {
        let path = try Self.capture()
        let frames = try DetailTsharkTests.tsharkFrames(path)
        let theirs = try execute(try #require(tsharkPath), ["-n", "-r", path, "-V"])
        let tsharkTrees = theirs.output.components(separatedBy: "\n\nFrame ").map { $0.split(separator: "\n").map(String.init) }
        try #require(frames.count == Self.stacks.count && tsharkTrees.count == Self.stacks.count)
        for n in 1...Self.stacks.count {
            let run = try execute(Repository.binary, ["show", path, "--detail", "\(n)"])
            #expect(run.status == 0, "\(run.error)")
            let ours = run.output.split(separator: "\n").map(String.init)
            for line in ours {
                let text = line.trimmingCharacters(in: .whitespaces)
                #expect(frames[n - 1].contains(text), "frame \(n): tshark has no line \"\(text)\"")
            }
            let titles = Self.layerTitles(ours)
            #expect(titles == Self.layerTitles(tsharkTrees[n - 1]), "frame \(n)")
            #expect(titles.count == Self.stacks[n - 1].count + 2, "frame \(n): \(titles)")
            #expect(!ours.contains { $0.contains("Malformed") || $0.contains("Unknown") }, "frame \(n)")
        }
    }

    @Test func theListDecodesTheTCPBehindEveryTag() throws {
        let path = try Self.capture()
        // tshark names a provider's (802.1ad) tag's ID apart from a customer's (802.1Q).
        let fields = try execute(try #require(tsharkPath), ["-n", "-r", path, "-T", "fields", "-e", "ieee8021ad.id",
                                                            "-e", "vlan.id", "-e", "tcp.srcport"])
        func ids(_ tags: [(protocolID: UInt16, control: UInt16)], _ protocolID: UInt16) -> String {
            tags.filter { $0.protocolID == protocolID }.map { String($0.control & 0xfff) }.joined(separator: ",")
        }
        let expected = Self.stacks.map { ids($0, 0x88a8) + "\t" + ids($0, 0x8100) + "\t40000" }
        #expect(fields.output.split(separator: "\n").map(String.init) == expected)
        let list = try execute(Repository.binary, ["show", path])
        #expect(list.status == 0, "\(list.error)")
        let rows = list.output.split(separator: "\n").dropFirst()
        #expect(rows.count == Self.stacks.count)
        #expect(rows.allSatisfy { $0.contains("40000 → 12345 [SYN]") })
    }
}
