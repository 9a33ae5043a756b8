import Foundation
import LabPackets
import LabTestSupport
import Testing

/// `show --json` carries each TCP row's fields as values, and with `--conversations` or
/// `--explain` holds them beside the packets in one object.
@Suite struct ShowJSONTests {
    static func capture() throws -> String {
        var builder = FrameBuilder()
        let frames = builder.exchange(client: [Array("Hello".utf8)], server: [Array("HELLO".utf8)])
        let folder = try Repository.temporaryDirectory()
        let path = folder + "/hello.pcap"
        try Data(FrameBuilder.pcapFile(frames)).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func json(_ arguments: [String]) throws -> Any {
        let run = try execute(Repository.binary, ["show", "--json"] + arguments)
        #expect(run.status == 0, "\(run.error)")
        return try JSONSerialization.jsonObject(with: Data(run.output.utf8))
    }

    @Test func rowsCarryTheirTCPFields() throws {
        let rows = try #require(try Self.json([Self.capture()]) as? [[String: Any]])
        #expect(rows.count == 8)
        let syn = try #require(rows[0]["tcp"] as? [String: Any])
        #expect(syn["flags"] as? [String] == ["SYN"] && syn["seq"] as? Int == 0 && syn["ack"] == nil)
        #expect(syn["from"] as? String == "client" && syn["stream"] as? Int == 0 && syn["len"] as? Int == 0)
        let reply = try #require(rows[4]["tcp"] as? [String: Any])
        #expect(reply["flags"] as? [String] == ["PSH", "ACK"] && reply["seq"] as? Int == 1 && reply["ack"] as? Int == 6)
        #expect(reply["len"] as? Int == 5 && reply["from"] as? String == "server" && reply["analysis"] as? [String] == [])
        #expect(reply["sourcePort"] as? Int == 12345 && reply["window"] as? Int != nil)
    }

    @Test func conversationsAndExplanationJoinThePackets() throws {
        let path = try Self.capture()
        let all = try #require(try Self.json(["--conversations", "--explain", path]) as? [String: Any])
        #expect(Set(all.keys) == ["packets", "conversations", "explanation"])
        #expect((all["packets"] as? [Any])?.count == 8)
        let connections = try #require(all["conversations"] as? [[String: Any]])
        #expect(connections.count == 1 && connections[0]["history"] as? String != nil)
        let sentences = try #require(all["explanation"] as? [[String: Any]])
        let text = try execute(Repository.binary, ["show", "--explain", path]).output
        #expect(!sentences.isEmpty)
        for s in sentences { #expect(text.contains(s["text"] as? String ?? "∅")) }

        let conversationsOnly = try #require(try Self.json(["--conversations", path]) as? [String: Any])
        #expect(Set(conversationsOnly.keys) == ["packets", "conversations"])
        let explainOnly = try #require(try Self.json(["--explain", path]) as? [String: Any])
        #expect(Set(explainOnly.keys) == ["packets", "explanation"])
    }
}
