import LabPackets

/// Where the transport header starts and ends in the frame, and which protocol it is.
struct TransportPlace {
    var protocolNumber: UInt8
    var start: Int
    /// Where the captured bytes of the segment end, and how long it was on the wire (a capture
    /// with a short snap length has fewer bytes than the IP header says).
    var end: Int
    var wireLength: Int
}

extension DetailReader {
    func network(_ link: (etherType: UInt16, start: Int), into nodes: inout [DetailNode]) -> TransportPlace? {
        switch link.etherType {
        case 0x0800: ipv4(at: link.start, into: &nodes)
        case 0x86dd: ipv6(at: link.start, into: &nodes)
        default: nil
        }
    }

    private func ipv4(at o: Int, into nodes: inout [DetailNode]) -> TransportPlace? {
        guard let first = u8(o), let tos = u8(o + 1), let total = u16(o + 2), let id = u16(o + 4), let fragment = u16(o + 6),
              let ttl = u8(o + 8), let proto = u8(o + 9), let checksum = u16(o + 10), has(o..<o + 20) else {
            nodes.append(DetailNode("[Malformed Packet: the IPv4 header is cut short]", o..<count))
            return nil
        }
        let ihl = Int(first & 0xf) * 4
        let source = bytes[o + 12..<o + 16].map(String.init).joined(separator: ".")
        let destination = bytes[o + 16..<o + 20].map(String.init).joined(separator: ".")
        let flags = fragment >> 13
        var flagText = "Flags: 0x\(flags)"
        if flags & 2 != 0 { flagText += ", Don't fragment" }
        if flags & 1 != 0 { flagText += ", More fragments" }
        let children = [
            DetailNode(Self.bits(UInt64(first), mask: 0xf0, width: 8) + " = Version: \(first >> 4)", o..<o + 1),
            DetailNode(Self.bits(UInt64(first), mask: 0x0f, width: 8) + " = Header Length: \(ihl) bytes (\(first & 0xf))", o..<o + 1),
            Self.differentiatedServices(tos, at: o + 1),
            DetailNode("Total Length: \(total)", o + 2..<o + 4),
            DetailNode("Identification: 0x\(Self.hex(UInt64(id), digits: 4)) (\(id))", o + 4..<o + 6),
            DetailNode(Self.bits(UInt64(flags) << 5, mask: 0xe0, width: 8) + " = " + flagText, o + 6..<o + 7, [
                DetailNode(Self.bits(UInt64(flags) << 5, mask: 0x80, width: 8) + " = Reserved bit: " + (flags & 4 != 0 ? "Set" : "Not set"), o + 6..<o + 7),
                DetailNode(Self.bits(UInt64(flags) << 5, mask: 0x40, width: 8) + " = Don't fragment: " + (flags & 2 != 0 ? "Set" : "Not set"), o + 6..<o + 7),
                DetailNode(Self.bits(UInt64(flags) << 5, mask: 0x20, width: 8) + " = More fragments: " + (flags & 1 != 0 ? "Set" : "Not set"), o + 6..<o + 7),
            ]),
            DetailNode(Self.bits(UInt64(fragment), mask: 0x1fff, width: 16) + " = Fragment Offset: \(Int(fragment & 0x1fff) * 8)", o + 6..<o + 8),
            DetailNode("Time to Live: \(ttl)", o + 8..<o + 9),
            DetailNode("Protocol: \(Self.protocolName(proto)) (\(proto))", o + 9..<o + 10),
            DetailNode("Header Checksum: 0x\(Self.hex(UInt64(checksum), digits: 4)) [validation disabled]", o + 10..<o + 12),
            DetailNode("[Header checksum status: Unverified]"),
            DetailNode("Source Address: \(source)", o + 12..<o + 16),
            DetailNode("Destination Address: \(destination)", o + 16..<o + 20),
        ]
        nodes.append(DetailNode("Internet Protocol Version 4, Src: \(source), Dst: \(destination)", o..<min(count, o + max(20, ihl)), children))
        guard ihl >= 20, fragment & 0x1fff == 0 else { return nil }
        let end = min(count, o + Int(total))
        return TransportPlace(protocolNumber: proto, start: o + ihl, end: max(o + ihl, end), wireLength: max(0, Int(total) - ihl))
    }

    private func ipv6(at o: Int, into nodes: inout [DetailNode]) -> TransportPlace? {
        guard let word = u32(o), let payload = u16(o + 4), let next = u8(o + 6), let hops = u8(o + 7), has(o..<o + 40) else {
            nodes.append(DetailNode("[Malformed Packet: the IPv6 header is cut short]", o..<count))
            return nil
        }
        let source = IPAddress.v6(bytes[o + 8..<o + 24]).description
        let destination = IPAddress.v6(bytes[o + 24..<o + 40]).description
        let traffic = UInt8(truncatingIfNeeded: word >> 20)
        let flow = word & 0xfffff
        let w = UInt64(word)
        let classNode = Self.differentiatedServices(traffic, at: o, ipv6Word: w)
        nodes.append(DetailNode("Internet Protocol Version 6, Src: \(source), Dst: \(destination)", o..<o + 40, [
            DetailNode(Self.bits(UInt64(word >> 24), mask: 0xf0, width: 8) + " = Version: \(word >> 28)", o..<o + 1),
            classNode,
            DetailNode(Self.bits(w & 0xffffff, mask: 0xfffff, width: 24) + " = Flow Label: 0x\(Self.hex(UInt64(flow), digits: 5))", o + 1..<o + 4),
            DetailNode("Payload Length: \(payload)", o + 4..<o + 6),
            DetailNode("Next Header: \(Self.protocolName(next)) (\(next))", o + 6..<o + 7),
            DetailNode("Hop Limit: \(hops)", o + 7..<o + 8),
            DetailNode("Source Address: \(source)", o + 8..<o + 24),
            DetailNode("Destination Address: \(destination)", o + 24..<o + 40),
        ]))
        guard next == 6 || next == 17 else { return nil }
        return TransportPlace(protocolNumber: next, start: o + 40, end: min(count, o + 40 + Int(payload)), wireLength: Int(payload))
    }

    /// "Differentiated Services Field: 0x00 (DSCP: CS0, ECN: Not-ECT)" and its two parts; for
    /// IPv6, the same bits inside the first 32-bit word ("Traffic Class").
    static func differentiatedServices(_ tos: UInt8, at offset: Int, ipv6Word: UInt64? = nil) -> DetailNode {
        let dscp = tos >> 2, ecn = tos & 3
        let summary = "0x\(hex(UInt64(tos), digits: 2)) (DSCP: \(dscpShort(dscp)), ECN: \(ecnShort(ecn)))"
        if let word = ipv6Word {
            return DetailNode(bits(word, mask: 0x0ff0_0000, width: 32) + " = Traffic Class: " + summary, offset..<offset + 2, [
                DetailNode(bits(word, mask: 0x0fc0_0000, width: 32) + " = Differentiated Services Codepoint: \(dscpLong(dscp)) (\(dscp))", offset..<offset + 2),
                DetailNode(bits(word, mask: 0x0030_0000, width: 32) + " = Explicit Congestion Notification: \(ecnLong(ecn)) (\(ecn))", offset + 1..<offset + 2),
            ])
        }
        return DetailNode("Differentiated Services Field: " + summary, offset..<offset + 1, [
            DetailNode(bits(UInt64(tos), mask: 0xfc, width: 8) + " = Differentiated Services Codepoint: \(dscpLong(dscp)) (\(dscp))", offset..<offset + 1),
            DetailNode(bits(UInt64(tos), mask: 0x03, width: 8) + " = Explicit Congestion Notification: \(ecnLong(ecn)) (\(ecn))", offset..<offset + 1),
        ])
    }

    static func dscpShort(_ d: UInt8) -> String {
        switch d {
        case 0, 8, 16, 24, 32, 40, 48, 56: "CS\(d / 8)"
        case 46: "EF PHB"
        case 10, 12, 14, 18, 20, 22, 26, 28, 30, 34, 36, 38: "AF\(d / 8)\((d % 8) / 2)"
        default: "Unknown"
        }
    }

    static func dscpLong(_ d: UInt8) -> String {
        switch d {
        case 0: "Default"
        case 8, 16, 24, 32, 40, 48, 56: "Class Selector \(d / 8)"
        case 46: "Expedited Forwarding"
        case 10, 12, 14, 18, 20, 22, 26, 28, 30, 34, 36, 38: "Assured Forwarding \(d / 8)\((d % 8) / 2)"
        default: "Unknown"
        }
    }

    static func ecnShort(_ e: UInt8) -> String { ["Not-ECT", "ECT(1)", "ECT(0)", "CE"][Int(e & 3)] }
    static func ecnLong(_ e: UInt8) -> String {
        ["Not ECN-Capable Transport", "ECN-Capable Transport codepoint '01'", "ECN-Capable Transport codepoint '10'",
         "Congestion Experienced"][Int(e & 3)]
    }

    static func protocolName(_ p: UInt8) -> String {
        switch p {
        case 1: "ICMP"
        case 6: "TCP"
        case 17: "UDP"
        case 58: "ICMPv6"
        default: "Unknown"
        }
    }
}
