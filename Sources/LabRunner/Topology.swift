import LabModel
import LabPackets
import LabSystem

/// The network a run's endpoints live in: one namespace whose lo carries both sides, or two
/// namespaces, one per host, joined by a veth pair that nothing else is attached to.
struct Topology {
    let server: NetworkNamespace
    let client: NetworkNamespace
    /// The host the capture is on and the address its fences are sent to, across the link.
    let capture: Direction
    let fenceDestination: IPv4Address
    /// What libpcap opens in the capture's namespace.
    let captureInterface: String

    func namespace(for side: Direction) -> NetworkNamespace { side == .server ? server : client }

    /// Sets the network up from the calling thread, which is left in the capture's namespace.
    static func make(for link: LinkProfile) throws(SystemError) -> Topology {
        guard let hosts = link.hosts else {
            let namespace = try NetworkNamespace.unshareCurrentThread()
            try Interface.up("lo")
            if let mtu = link.mtu { try Interface.setMTU("lo", mtu) }
            if !link.offloads { try Interface.setOffloads("lo", enabled: false) }
            return Topology(server: namespace, client: namespace, capture: .client, fenceDestination: .loopback, captureInterface: "lo")
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
        let side = hosts.capture == .server ? Direction.server : .client
        try (side == .server ? server : client).enter()
        return Topology(server: server, client: client, capture: side,
                        fenceDestination: hosts.host(side == .server ? .client : .server).address,
                        captureInterface: hosts.captureInterface)
    }

    /// A new namespace standing for one host, with that host's TCP settings. IPv6 is off so
    /// its link-local chatter (DAD, router solicitations) never shares the link with the run.
    private static func host(_ host: Host) throws(SystemError) -> NetworkNamespace {
        let namespace = try NetworkNamespace.unshareCurrentThread()
        try Interface.up("lo")
        for name in ["net.ipv6.conf.all.disable_ipv6", "net.ipv6.conf.default.disable_ipv6"] where Sysctl.exists(name) {
            try Sysctl.set(name, "1")
        }
        for (name, value) in host.tcp.sysctls { try Sysctl.set(name, value) }
        return namespace
    }
}
