import LabPackets

/// Wireshark's default colouring rules (its `colorfilters` file), in its order: the first rule a
/// packet matches paints its row.
enum WiresharkColouring: String, CaseIterable {
    case badTCP, arp, icmp, tcpReset, http, synFin, tcp, udp, other

    static func rule(_ p: Packet, _ segment: AnalyzedSegment?, protocolName: String) -> WiresharkColouring {
        if segment?.analysis.flags.paintsBadTCP ?? false { return .badTCP }
        if protocolName == "ARP" { return .arp }
        if protocolName.hasPrefix("ICMP") { return .icmp }
        if let tcp = p.tcp {
            if tcp.flags.contains(.rst) { return .tcpReset }
            // `http || tcp.port == 80` comes before the SYN/FIN rule.
            if protocolName == "HTTP" || tcp.sourcePort == 80 || tcp.destinationPort == 80 { return .http }
            if !tcp.flags.isDisjoint(with: [.syn, .fin]) { return .synFin }
            return .tcp
        }
        if p.udpPorts != nil { return .udp }
        return .other
    }

    var cssClass: String {
        switch self {
        case .badTCP: "c-bad"
        case .arp: "c-arp"
        case .icmp: "c-icmp"
        case .tcpReset: "c-rst"
        case .http: "c-http"
        case .synFin: "c-synfin"
        case .tcp: "c-tcp"
        case .udp: "c-udp"
        case .other: "c-other"
        }
    }
}
