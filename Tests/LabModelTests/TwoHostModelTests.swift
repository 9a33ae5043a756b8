import Foundation
import Testing
@testable import LabModel
import LabPackets
import LabSystem

/// The two-host link, the lab's listings and the per-topology expectations, as experiment files write them.
@Suite struct TwoHostModelTests {
    static func load(_ text: String) throws -> Experiment {
        try ExperimentLoader.decode(Data(text.utf8), path: "FILE", name: "x")
    }

    static func problem(_ text: String) -> String? {
        do {
            _ = try ExperimentLoader.decode(Data(text.utf8), path: "FILE", name: "x")
            return nil
        } catch {
            return error.description
        }
    }

    static func with(_ keys: String, expect: String = "") -> String {
        ExperimentLoaderTests.valid
            .replacingOccurrences(of: "\"title\": \"t\",", with: "\"title\": \"t\", \(keys)")
            .replacingOccurrences(of: "{\"handshake\": true}", with: "{\"handshake\": true}\(expect)")
    }

    @Test(arguments: [("10.0.2.15", 0x0a00_020f as UInt32), ("192.168.68.107", 0xc0a8_446b), ("0.0.0.0", 0), ("255.255.255.255", 0xffff_ffff)])
    func dottedQuadsParse(text: String, value: UInt32) {
        #expect(IPv4Address(text)?.value == value)
        #expect(IPv4Address(text)?.description == text)
    }

    @Test(arguments: ["10.0.2", "10.0.2.15.1", "10.0.2.256", "10.0.2.015", "10.0.2.-1", "10..2.15", " 10.0.2.15", "a.b.c.d", "10.0.2.1٥", ""])
    func otherTextIsNotAnAddress(text: String) {
        #expect(IPv4Address(text) == nil)
    }

    @Test func socketAddressesNeedAPort() {
        #expect(SocketAddress("10.0.2.15:12345") == SocketAddress(IPv4Address(0x0a00_020f), port: 12345))
        for bad in ["10.0.2.15", "10.0.2.15:", "10.0.2.15:0", "10.0.2.15:65536", ":80", "localhost:80"] {
            #expect(SocketAddress(bad) == nil, "\(bad)")
        }
    }

    @Test func aTwoHostLinkDefaultsToTheLabsTrace4Machines() throws {
        let e = try Self.load(Self.with("\"link\": {\"hosts\": \"two\"},"))
        let hosts = try #require(e.link.hosts)
        #expect(hosts.client.address.description == "10.0.2.4" && hosts.server.address.description == "10.0.2.15")
        #expect(hosts.capture == .client && hosts.captureInterface == "any")
        #expect(e.link.offloads == false && e.link.mtu == nil)
        #expect(e.link.serverAddress.description == "10.0.2.15")
        #expect(e.hostsKind == .lab)
    }

    @Test func aHostsTCPSettingsBecomeItsNamespacesSysctls() throws {
        let e = try Self.load(Self.with("""
            "link": {"hosts": "two", "server": {"address": "192.168.68.107", "standsFor": "VirtualBox's NAT",
              "tcp": {"timestamps": false, "sack": false, "windowScaling": false, "rmem": [4096, 65536, 6291456]}}},
            """))
        let server = try #require(e.link.hosts?.server)
        #expect(server.standsFor == "VirtualBox's NAT")
        #expect(server.tcp.sysctls.map { "\($0.name)=\($0.value)" } == [
            "net.ipv4.tcp_timestamps=0", "net.ipv4.tcp_sack=0", "net.ipv4.tcp_window_scaling=0", "net.ipv4.tcp_rmem=4096 65536 6291456",
        ])
        #expect(e.link.hosts?.client.tcp.sysctls.isEmpty == true, "a host without settings keeps Linux's")
    }

    @Test(arguments: [
        ("\"link\": {\"hosts\": \"three\"},", "link.hosts: expected \"one\" (lo) or \"two\""),
        ("\"link\": {\"client\": {}},", "link.client: unknown key 'client' in link"),
        ("\"link\": {\"hosts\": \"two\", \"server\": {\"address\": \"127.0.0.1\"}},", "link.server.address: expected a unicast address outside 127.0.0.0/8"),
        ("\"link\": {\"hosts\": \"two\", \"server\": {\"address\": \"10.0.2.4\"}},", "the two hosts need two addresses, but both are 10.0.2.4"),
        ("\"link\": {\"hosts\": \"two\", \"client\": {\"address\": \"10.0.2\"}},", "link.client.address: expected an IPv4 address such as \"10.0.2.15\", got \"10.0.2\""),
        ("\"link\": {\"hosts\": \"two\", \"client\": {\"tcp\": {\"rmem\": [4096, 131072]}}},", "link.client.tcp.rmem: expected [min, default, max]"),
        ("\"link\": {\"hosts\": \"two\", \"client\": {\"tcp\": {\"nagle\": false}}},", "link.client.tcp.nagle: unknown key 'nagle' in tcp"),
        ("\"link\": {\"hosts\": \"two\", \"capture\": \"router\"},", "link.capture: expected \"client\", \"server\" or \"both\""),
        ("\"labLink\": {\"mtu\": 1500},", "labLink: the lab's link is two hosts: add \"hosts\": \"two\""),
        ("\"labListing\": {\"trace\": \"trace1\", \"rows\": [\"client Seq=0\"]},", "labListing.rows[0]: expected a row such as"),
        ("\"labListing\": {\"trace\": \"trace1\", \"rows\": [\"client [SYN] Seq=-1\"]},", "labListing.rows[0]: expected a row such as"),
    ])
    func badLinksAndListingsPointAtTheKey(keys: String, message: String) {
        let problem = Self.problem(Self.with(keys))
        #expect(problem?.hasPrefix("FILE:") == true && problem?.contains(message) == true, "\(problem ?? "accepted")")
    }

    @Test func expectationsForOneTopologyAreLeftOutOnTheOther() throws {
        let e = try Self.load(Self.with("\"labLink\": {\"hosts\": \"two\"},",
                                        expect: ", {\"rst\": \"none\", \"hosts\": [\"lab\"]}, {\"finOrder\": [\"client\", \"server\"], \"hosts\": [\"lo\"]}"))
        #expect(e.expectations.count == 4)
        #expect(e.applicableExpectations.map(\.path) == ["expect[0]", "expect[2]", "expect[3]"])
        let lab = try #require(e.on(.lab))
        #expect(lab.applicableExpectations.map(\.path) == ["expect[0]", "expect[1]", "expect[3]"])
        #expect(lab.on(.lo)?.applicableExpectations.map(\.path) == ["expect[0]", "expect[2]", "expect[3]"])
        let problem = Self.problem(Self.with("", expect: ", {\"rst\": \"none\", \"hosts\": [\"wan\"]}"))
        #expect(problem?.contains("expect[1].hosts: expected a list of \"lo\" (one host) and \"lab\" (two hosts), got [\"wan\"]") == true, "\(problem ?? "accepted")")
    }

    @Test func anExperimentWithoutALabLinkHasNoLabHosts() throws {
        #expect(try Self.load(ExperimentLoaderTests.valid).on(.lab) == nil)
    }

    @Test func listingRowsReadAsWiresharksInfo() throws {
        let syn = try #require(LabListing.Row("client [SYN] Seq=0 Win=64240 Len=0 MSS=1460 SACK_PERM …"))
        #expect(syn.from == .client && syn.flags == "SYN" && syn.seq == 0 && syn.win == 64240 && syn.len == 0 && syn.mss == 1460)
        #expect(syn.options == ["SACK_PERM"] && syn.moreOptions)
        #expect(syn.optionsMatch(["SACK_PERM", "TSval", "WS=128"]), "… allows more options")
        #expect(!syn.optionsMatch(["TSval", "WS=128"]), "SACK_PERM is missing")
        let full = try #require(LabListing.Row("server [SYN, ACK] Seq=0 Ack=1 Win=65160 Len=0 MSS=1460 SACK_PERM TSval WS"))
        #expect(full.optionsMatch(["SACK_PERM", "TSval", "WS=128"]), "WS without a value matches any scale")
        #expect(!full.optionsMatch(["SACK_PERM", "TSval"]), "without … the list is exact")
        #expect(LabListing.Row("server [ACK] Ack=131")?.seq == nil)
        for bad in ["[SYN] Seq=0", "router [SYN]", "client [SYNACK]", "client [ACK] Seq=x", "client [ACK] Foo=1"] {
            #expect(LabListing.Row(bad) == nil, "\(bad)")
        }
    }
}
