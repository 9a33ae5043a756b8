/// One frame decoded down to TCP, or as far as it would go.
public struct Packet: Sendable {
    /// 1-based, as Wireshark numbers frames.
    public var number: Int
    public var timestamp: Int64
    public var frameLength: Int
    public var source: IPAddress?
    public var destination: IPAddress?
    public var ipProtocol: UInt8?
    public var tcp: TCPSegment?
    /// UDP ports, kept so the capture can recognise its fence markers.
    public var udpPorts: (source: UInt16, destination: UInt16)? { udp.map { ($0.source, $0.destination) } }
    public var udpPayload: ArraySlice<UInt8> { udp?.payload ?? [] }

    /// Boxed like `malformed`: rare in TCP traces, and it would otherwise widen every packet.
    private var udp: UDPBox?

    final class UDPBox: Sendable {
        let source: UInt16
        let destination: UInt16
        let payload: ArraySlice<UInt8>
        init(source: UInt16, destination: UInt16, payload: ArraySlice<UInt8>) {
            (self.source, self.destination, self.payload) = (source, destination, payload)
        }
    }
    /// Why decoding stopped early (`[Malformed Packet]`), if it did.
    public var malformed: DecodeError? {
        get { malformedBox?.error }
        set { malformedBox = newValue.map(MalformedBox.init) }
    }

    /// Boxed, so a packet without an error carries one pointer for it, not two strings:
    /// packets are copied several times on the hot path.
    private var malformedBox: MalformedBox?

    final class MalformedBox: Sendable {
        let error: DecodeError
        init(_ error: DecodeError) { self.error = error }
    }

    public var sourceEndpoint: Endpoint? {
        guard let source, let tcp else { return nil }
        return Endpoint(address: source, port: tcp.sourcePort)
    }

    public var destinationEndpoint: Endpoint? {
        guard let destination, let tcp else { return nil }
        return Endpoint(address: destination, port: tcp.destinationPort)
    }

    /// Decodes a frame of the given link type. Never throws and never traps: a bad layer
    /// leaves the layers above it nil and sets `malformed`.
    public static func decode(_ frame: CapturedFrame, number: Int, linkType: LinkType) -> Packet {
        var packet = Packet(number: number, timestamp: frame.timestamp, frameLength: frame.originalLength)
        do throws(DecodeError) {
            guard let (etherType, network) = try LinkLayer.network(frame.bytes, linkType: linkType) else { return packet }
            try packet.decodeNetwork(etherType: etherType, network, snapped: frame.bytes.count < frame.originalLength)
        } catch {
            packet.malformed = error
        }
        return packet
    }

    /// `snapped` says the capture kept only the start of the frame, so an IP length beyond the
    /// captured bytes is expected, not a malformed packet.
    private mutating func decodeNetwork(etherType: UInt16, _ bytes: ArraySlice<UInt8>, snapped: Bool) throws(DecodeError) {
        let transport: ArraySlice<UInt8>
        let claimed: Int
        switch etherType {
        case 0x0800:
            let ip = try IPv4Header.decode(bytes, snapped: snapped)
            (source, destination, ipProtocol) = (.v4(ip.source), .v4(ip.destination), ip.protocolNumber)
            guard ip.fragmentOffset == 0 else { return }  // later fragments carry no transport header
            (transport, claimed) = (ip.payload, ip.payloadLength)
        case 0x86dd:
            let ip = try IPv6Header.decode(bytes, snapped: snapped)
            (source, destination, ipProtocol) = (ip.source, ip.destination, ip.nextHeader)
            guard let payload = ip.payload else { return }
            (transport, claimed) = (payload, ip.payloadLength)
        default:
            return
        }
        switch ipProtocol {
        case 6:
            tcp = try TCPSegment.decode(transport, claimedLength: claimed)
        case 17:
            var c = ByteCursor(transport, layer: "udp")
            let sourcePort = try c.u16("srcport"), destinationPort = try c.u16("dstport")
            try c.skip(4, "length/checksum")
            udp = UDPBox(source: sourcePort, destination: destinationPort, payload: c.rest())
        default:
            return
        }
    }
}

/// Strips the link layer and says which network protocol follows.
enum LinkLayer {
    static func network(_ bytes: ArraySlice<UInt8>, linkType: LinkType) throws(DecodeError) -> (UInt16, ArraySlice<UInt8>)? {
        switch linkType {
        case .ethernet:
            var c = ByteCursor(bytes, layer: "eth")
            try c.skip(12, "dst/src")
            var etherType = try c.u16("type")
            while etherType == 0x8100 || etherType == 0x88a8 {  // 802.1Q / 802.1ad tags
                try c.skip(2, "vlan.tci")
                etherType = try c.u16("vlan.etype")
            }
            return (etherType, c.rest())
        case .null, .loop:
            var c = ByteCursor(bytes, layer: "null")
            let family = try c.u32("family", littleEndian: linkType == .null && bytes.first != 0)
            // AF_INET is 2 everywhere; AF_INET6 is 10, 24, 28 or 30 depending on the OS.
            switch family {
            case 2: return (0x0800, c.rest())
            case 10, 24, 28, 30: return (0x86dd, c.rest())
            default: return nil
            }
        case .raw, .rawBSD, .rawOpenBSD:
            guard let first = bytes.first else { throw .truncated(layer: "raw", field: "version", offset: 0, needed: 1) }
            switch first >> 4 {
            case 4: return (0x0800, bytes)
            case 6: return (0x86dd, bytes)
            default: throw .invalid(layer: "raw", field: "version", offset: 0, detail: "IP version \(first >> 4)")
            }
        case .linuxSLL:
            var c = ByteCursor(bytes, layer: "sll")
            try c.skip(14, "pkttype/hatype/halen/addr")
            let proto = try c.u16("protocol")
            return (proto, c.rest())
        case .linuxSLL2:
            var c = ByteCursor(bytes, layer: "sll2")
            let proto = try c.u16("protocol")
            try c.skip(18, "reserved/ifindex/hatype/pkttype/halen/addr")
            return (proto, c.rest())
        default:
            throw .invalid(layer: "frame", field: "linktype", offset: 0, detail: "link type \(linkType.rawValue) is not supported")
        }
    }
}

struct IPv4Header {
    var source: UInt32
    var destination: UInt32
    var protocolNumber: UInt8
    var fragmentOffset: Int
    var payload: ArraySlice<UInt8>
    /// The payload's length by the header, which exceeds `payload.count` in a snapped frame.
    var payloadLength: Int

    static func decode(_ bytes: ArraySlice<UInt8>, snapped: Bool) throws(DecodeError) -> IPv4Header {
        var c = ByteCursor(bytes, layer: "ip")
        let versionIHL = try c.u8("version/ihl")
        guard versionIHL >> 4 == 4 else { throw c.invalid("version", "\(versionIHL >> 4), expected 4") }
        let headerLength = Int(versionIHL & 0x0f) * 4
        guard headerLength >= 20 else { throw c.invalid("hdr_len", "\(headerLength) bytes is below the minimum of 20") }
        try c.skip(1, "dsfield")
        let totalLength = Int(try c.u16("len"))
        guard totalLength >= headerLength else { throw c.invalid("len", "\(totalLength) is below the header length \(headerLength)") }
        try c.skip(2, "id")
        let fragment = try c.u16("frag_offset")
        try c.skip(1, "ttl")
        let protocolNumber = try c.u8("proto")
        try c.skip(2, "checksum")
        let source = try c.u32("src"), destination = try c.u32("dst")
        try c.skip(headerLength - 20, "options")
        // Ethernet pads short frames: the IP length, not the frame, says where the payload ends.
        let claimed = totalLength - headerLength
        guard claimed <= c.remaining || snapped else {
            throw .truncated(layer: "ip", field: "payload", offset: c.position, needed: claimed - c.remaining)
        }
        let payload = try c.take(min(claimed, c.remaining), "payload")
        return IPv4Header(source: source, destination: destination, protocolNumber: protocolNumber,
                          fragmentOffset: Int(fragment & 0x1fff), payload: payload, payloadLength: claimed)
    }
}

struct IPv6Header {
    var source: IPAddress
    var destination: IPAddress
    /// The protocol after any extension headers.
    var nextHeader: UInt8
    /// Nil for a non-first fragment, which carries no transport header.
    var payload: ArraySlice<UInt8>?
    /// The transport payload's length by the header, after extension headers.
    var payloadLength: Int

    static func decode(_ bytes: ArraySlice<UInt8>, snapped: Bool) throws(DecodeError) -> IPv6Header {
        var c = ByteCursor(bytes, layer: "ipv6")
        let version = try c.u8("version")
        guard version >> 4 == 6 else { throw c.invalid("version", "\(version >> 4), expected 6") }
        try c.skip(3, "tclass/flow")
        let payloadLength = Int(try c.u16("plen"))
        var next = try c.u8("nxt")
        try c.skip(1, "hlim")
        let source = try IPAddress.v6(c.take(16, "src")), destination = try IPAddress.v6(c.take(16, "dst"))
        guard payloadLength <= c.remaining || snapped else {
            throw .truncated(layer: "ipv6", field: "payload", offset: c.position, needed: payloadLength - c.remaining)
        }
        var body = ByteCursor(try c.take(min(payloadLength, c.remaining), "payload"), layer: "ipv6")
        var firstFragment = true
        extensionHeaders: while true {
            switch next {
            case 0, 43, 60:  // hop-by-hop, routing, destination options
                next = try body.u8("ext.nxt")
                let length = Int(try body.u8("ext.len")) * 8 + 6
                try body.skip(length, "ext.data")
            case 44:  // fragment
                next = try body.u8("fragment.nxt")
                try body.skip(1, "fragment.reserved")
                let offset = try body.u16("fragment.offset")
                try body.skip(4, "fragment.id")
                firstFragment = offset >> 3 == 0
            case 51:  // authentication header: length in 4-byte units, minus 2
                next = try body.u8("ah.nxt")
                let length = (Int(try body.u8("ah.len")) + 2) * 4 - 2
                try body.skip(length, "ah.data")
            default:
                break extensionHeaders
            }
        }
        let headers = body.position
        return IPv6Header(source: source, destination: destination, nextHeader: next,
                          payload: firstFragment ? body.rest() : nil, payloadLength: payloadLength - headers)
    }
}
