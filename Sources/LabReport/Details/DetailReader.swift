import LabPackets

/// Reads a frame's fields for the details tree: every read is checked against the bytes
/// captured, and a read past them returns nil, so the tree stops where the frame does.
struct DetailReader {
    let bytes: [UInt8]
    var count: Int { bytes.count }

    func u8(_ at: Int) -> UInt8? { at >= 0 && at < bytes.count ? bytes[at] : nil }
    func u16(_ at: Int) -> UInt16? {
        guard let a = u8(at), let b = u8(at + 1) else { return nil }
        return UInt16(a) << 8 | UInt16(b)
    }
    func u32(_ at: Int) -> UInt32? {
        guard let a = u16(at), let b = u16(at + 2) else { return nil }
        return UInt32(a) << 16 | UInt32(b)
    }
    func has(_ range: Range<Int>) -> Bool { range.lowerBound >= 0 && range.upperBound <= bytes.count }

    static func hex2(_ b: UInt8) -> String { hex(UInt64(b), digits: 2) }
    static func hex4(_ n: Int) -> String { hex(UInt64(max(0, n)), digits: 4) }
    static func hex(_ n: UInt64, digits: Int) -> String {
        let s = String(n, radix: 16)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }

    func mac(_ at: Int) -> String? {
        guard has(at..<at + 6) else { return nil }
        return bytes[at..<at + 6].map(Self.hex2).joined(separator: ":")
    }

    /// "0100 .... = Version: 4": `value`'s bits under `mask` of a `width`-bit field, the others dots.
    static func bits(_ value: UInt64, mask: UInt64, width: Int) -> String {
        var out = ""
        for i in stride(from: width - 1, through: 0, by: -1) {
            let bit = UInt64(1) << UInt64(i)
            out += mask & bit == 0 ? "." : value & bit == 0 ? "0" : "1"
            if i % 4 == 0 && i > 0 { out += " " }
        }
        return out
    }

    /// Where the network layer starts and which it is, after writing the link layer's node.
    /// Only the nodes are drawn here: where IP starts is LabPackets' `LinkLayer` decision, the
    /// one the packet list makes, so the tree and the list never disagree about a frame.
    func link(_ type: LinkType, into nodes: inout [DetailNode]) -> (etherType: UInt16, start: Int)? {
        guard linkNode(type, into: &nodes) else { return nil }
        if type == .ethernet { return vlanTags(into: &nodes) }
        let network = bytes.withUnsafeBytes { frame in try? LinkLayer.network(frame, linkType: type) }
        return network.map { ($0.etherType, $0.start) }
    }

    /// Writes the link layer's node; false when its header is cut short (the node then says so).
    private func linkNode(_ type: LinkType, into nodes: inout [DetailNode]) -> Bool {
        switch type {
        case .ethernet:
            guard let dst = mac(0), let src = mac(6), let etherType = u16(12) else { return malformed("Ethernet II", into: &nodes) }
            nodes.append(DetailNode("Ethernet II, Src: \(src), Dst: \(dst)", 0..<14, [
                DetailNode("Destination: \(dst)", 0..<6), DetailNode("Source: \(src)", 6..<12),
                DetailNode("Type: \(Self.etherTypeName(etherType))", 12..<14),
            ]))
            return true
        case .linuxSLL:
            guard let packetType = u16(0), let hatype = u16(2), let length = u16(4), let proto = u16(14) else {
                return malformed("Linux cooked capture v1", into: &nodes)
            }
            let address = bytes[6..<6 + Int(min(length, 8))].map(Self.hex2).joined(separator: ":")
            nodes.append(DetailNode("Linux cooked capture v1", 0..<16, [
                DetailNode("Packet type: \(Self.packetTypeName(packetType)) (\(packetType))", 0..<2),
                DetailNode("Link-layer address type: \(Self.hardwareName(hatype)) (\(hatype))", 2..<4),
                DetailNode("Link-layer address length: \(length)", 4..<6),
                DetailNode("Source: \(address)", 6..<6 + Int(min(length, 8))),
                length < 8 ? DetailNode("Unused: " + bytes[6 + Int(length)..<14].map(Self.hex2).joined(), 6 + Int(length)..<14) : nil,
                DetailNode("Protocol: \(Self.etherTypeName(proto))", 14..<16),
            ].compactMap { $0 }))
            return true
        case .linuxSLL2:
            guard let proto = u16(0), let index = u32(4), let hatype = u16(8), let packetType = u8(10), let length = u8(11), has(0..<20) else {
                return malformed("Linux cooked capture v2", into: &nodes)
            }
            let used = Int(min(length, 8))
            nodes.append(DetailNode("Linux cooked capture v2", 0..<20, [
                DetailNode("Protocol: \(Self.etherTypeName(proto))", 0..<2),
                DetailNode("Interface index: \(index)", 4..<8),
                DetailNode("Link-layer address type: \(Self.hardwareName(hatype)) (\(hatype))", 8..<10),
                DetailNode("Packet type: \(Self.packetTypeName(UInt16(packetType))) (\(packetType))", 10..<11),
                DetailNode("Link-layer address length: \(length)", 11..<12),
                DetailNode("Source: " + bytes[12..<12 + used].map(Self.hex2).joined(separator: ":"), 12..<12 + used),
                used < 8 ? DetailNode("Unused: " + bytes[12 + used..<20].map(Self.hex2).joined(), 12 + used..<20) : nil,
            ].compactMap { $0 }))
            return true
        case .null, .loop:
            guard has(0..<4) else { return malformed("Null/Loopback", into: &nodes) }
            let little = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
            let family = type == .loop || little > 0xffff ? u32(0) ?? 0 : little
            let ipv6: Set<UInt32> = [10, 24, 28, 30]
            let name = family == 2 ? "IP" : ipv6.contains(family) ? "IPv6" : "Unknown"
            nodes.append(DetailNode("Null/Loopback", 0..<4, [DetailNode("Family: \(name) (\(family))", 0..<4)]))
            return true
        case .raw, .rawBSD, .rawOpenBSD:
            nodes.append(DetailNode("Raw packet data", nil))
            return true
        default:
            return false
        }
    }

    /// One node per 802.1Q or 802.1ad tag, stacked ones (QinQ) too, read by LabPackets' own
    /// Ethernet decoder so the tree and the packet list agree on where IP starts. A tag cut short
    /// ends the tree there; the packet's decoding error then says why.
    private func vlanTags(into nodes: inout [DetailNode]) -> (UInt16, Int)? {
        let read = bytes.withUnsafeBytes { frame -> (etherType: UInt16, start: Int)? in
            try? EthernetHeader.walk(frame) { tag in
                let title = tag.protocolID == 0x88a8 ? "IEEE 802.1ad, ID: \(tag.vlanID)"
                    : "802.1Q Virtual LAN, PRI: \(tag.priority), DEI: \(tag.dropEligible), ID: \(tag.vlanID)"
                nodes.append(DetailNode(title, tag.offset..<tag.offset + 4,
                                        [DetailNode("Type: \(Self.etherTypeName(tag.nextType))", tag.offset + 2..<tag.offset + 4)]))
            }
        }
        return read.map { ($0.etherType, $0.start) }
    }

    private func malformed(_ layer: String, into nodes: inout [DetailNode]) -> Bool {
        nodes.append(DetailNode("[Malformed Packet: the \(layer) header is cut short]", 0..<bytes.count))
        return false
    }

    static func etherTypeName(_ t: UInt16) -> String {
        let name = switch t {
        case 0x0800: "IPv4"
        case 0x86dd: "IPv6"
        case 0x0806: "ARP"
        case 0x8100: "802.1Q Virtual LAN"
        case 0x88a8: "802.1ad Provider Bridge (Q-in-Q)"
        default: "Unknown"
        }
        return "\(name) (0x\(hex(UInt64(t), digits: 4)))"
    }

    static func packetTypeName(_ t: UInt16) -> String {
        switch t {
        case 0: "Unicast to us"
        case 1: "Broadcast"
        case 2: "Multicast"
        case 3: "Unicast to another host"
        case 4: "Sent by us"
        default: "Unknown"
        }
    }

    static func hardwareName(_ t: UInt16) -> String {
        switch t {
        case 1: "Ethernet"
        case 772: "Loopback"
        case 65534: "None"
        default: "Unknown"
        }
    }
}
