import LabCapture
import LabModel
import LabPackets
import LabSystem

/// The network a run's endpoints live in: one namespace whose lo carries both sides, or two
/// namespaces, one per host, joined by a veth pair that nothing else is attached to.
struct Topology {
    /// Nil for both in the current namespace, which every thread of the process is already in.
    let server: NetworkNamespace?
    let client: NetworkNamespace?
    /// The hosts captured, the one the run is checked on first.
    let captureSides: [Direction]
    /// The host the fences are sent from, and where to: across the link, through every capture.
    let fenceSide: Direction
    let fenceDestination: IPv4Address
    /// What libpcap opens in the capture's namespace.
    let captureInterface: String

    func namespace(for side: Direction) -> NetworkNamespace? { side == .server ? server : client }

    /// Moves the calling thread into the side's host; nothing in the current namespace.
    func enter(_ side: Direction) throws(SystemError) { try namespace(for: side)?.enter() }

    /// Opens a capture in each captured host's namespace, the checked one first, and leaves the
    /// calling thread in the fences' namespace. Both hosts' captures are Linux cooked v2 on
    /// "any", as `tshark -i any` writes them, so the merged trace says which way each packet went.
    func openCaptures(_ settings: LiveCapture.Settings) throws -> [LiveCapture] {
        var captures: [LiveCapture] = []
        for side in captureSides {
            try enter(side)
            var settings = settings
            settings.interface = captureInterface
            if captureSides.count > 1, captureInterface == "any" { settings.linkType = .linuxSLL2 }
            captures.append(try LiveCapture(settings))
        }
        try enter(fenceSide)
        return captures
    }

    /// Sets the network up from the calling thread.
    static func make(for link: LinkProfile) throws(SystemError) -> Topology {
        guard let hosts = link.hosts else {
            let namespace = try NetworkNamespace.unshareCurrentThread()
            try Interface.up("lo")
            try forgetConnections()
            if let mtu = link.mtu { try Interface.setMTU("lo", mtu) }
            if !link.offloads { try Interface.setOffloads("lo", enabled: false) }
            return Topology(server: namespace, client: namespace, captureSides: [.client], fenceSide: .client,
                            fenceDestination: .loopback, captureInterface: "lo")
        }
        let client = try host(hosts.client)
        let server = try host(hosts.server)
        let eth = TwoHosts.interface
        try client.enter()
        try Interface.createVethPair(eth, peer: eth, peerNamespace: server)
        for (namespace, me, peer) in [(server, hosts.server, hosts.client), (client, hosts.client, hosts.server)] {
            try namespace.enter()
            try Interface.addAddress(eth, local: me.address, peer: peer.address)
            try Interface.setMTU(eth, link.mtu ?? TwoHosts.defaultMTU)
            try Interface.setOffloads(eth, enabled: link.offloads)
            try Interface.up(eth)
        }
        let sides: [Direction] = switch hosts.capture {
        case .client: [.client]
        case .server: [.server]
        case .both: [.client, .server]
        }
        let fenceSide = sides[0]
        return Topology(server: server, client: client, captureSides: sides, fenceSide: fenceSide,
                        fenceDestination: hosts.host(fenceSide.other).address, captureInterface: hosts.captureInterface)
    }

    /// The namespace the process is in, used as it is: nothing of it is changed, so a link the
    /// experiment needs must already hold. Nil when it does; else why not, and what would change it.
    static func unmet(_ link: LinkProfile) throws(SystemError) -> String? {
        if link.hosts != nil {
            return "it needs two hosts joined by a veth pair: their own network namespaces (unshare(CLONE_NEWNET), refused "
                + "where namespaces are) and CAP_NET_ADMIN for the veth and its addresses"
        }
        let changeable = "changing it needs CAP_NET_ADMIN, and tcplab changes no link of a namespace it did not make"
        if try !Interface.isUp("lo") { return "lo is down; \(changeable)" }
        let mtu = try Interface.mtu("lo"), wanted = link.mtu ?? 65536
        if mtu != wanted { return "it needs lo's MTU at \(wanted), and it is \(mtu); \(changeable)" }
        let offloads = try Interface.offloads("lo")
        let names = ["TSO", "GSO", "GRO"]
        let wrong = zip(names, offloads).filter { $0.1 != link.offloads }.map(\.0)
        if !wrong.isEmpty {
            return "it needs lo's segmentation offloads \(link.offloads ? "on" : "off"), and \(wrong.joined(separator: ", ")) "
                + "\(wrong.count == 1 ? "is" : "are") \(link.offloads ? "off" : "on"); \(changeable)"
        }
        return nil
    }

    /// The current namespace's lo, for a link that `unmet` found already holding.
    static func current() -> Topology {
        Topology(server: nil, client: nil, captureSides: [.client], fenceSide: .client, fenceDestination: .loopback,
                 captureInterface: "lo")
    }

    /// A new namespace standing for one host, with that host's TCP settings. IPv6 is off so
    /// its link-local chatter (DAD, router solicitations) never shares the link with the run.
    private static func host(_ host: Host) throws(SystemError) -> NetworkNamespace {
        let namespace = try NetworkNamespace.unshareCurrentThread()
        try Interface.up("lo")
        for name in ["net.ipv6.conf.all.disable_ipv6", "net.ipv6.conf.default.disable_ipv6"] where Sysctl.exists(name) {
            try Sysctl.set(name, "1")
        }
        try forgetConnections()
        for (name, value) in host.tcp.sysctls { try Sysctl.set(name, value) }
        return namespace
    }

    /// Linux remembers each peer's RTT, window and ssthresh when a connection closes and starts
    /// the next connection to it from them; runs that share a namespace must each start fresh.
    private static func forgetConnections() throws(SystemError) {
        try Sysctl.set("net.ipv4.tcp_no_metrics_save", "1")
    }
}
