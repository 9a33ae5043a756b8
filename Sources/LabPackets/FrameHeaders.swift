/// What a frame's headers say, from the link layer down to TCP or UDP, as plain values.
///
/// Decoding reads borrowed bytes and keeps no reference to them: `tcplab show` decodes and
/// analyses a whole capture without one allocation or retain per packet. `Packet` pairs this
/// with the frame's bytes when options, payloads or rows are wanted.
public struct FrameHeaders: Sendable {
    public var source: IPAddress?
    public var destination: IPAddress?
    public var ipProtocol: UInt8?
    public var tcp: TCPHeader?
    public var udp: UDPHeader?
    /// Where the transport header starts in the frame, and where its captured bytes end.
    public var transport: Range<Int> = 0..<0
    /// Linux cooked capture's packet type: 0 received by the capturing host, 4 sent by it.
    public var linuxPacketType: UInt8?

    public init() {}

    /// The TCP segment's source address and port; nil without TCP.
    public var sourceEndpoint: Endpoint? {
        guard let source, let tcp else { return nil }
        return Endpoint(address: source, port: tcp.sourcePort)
    }

    public var destinationEndpoint: Endpoint? {
        guard let destination, let tcp else { return nil }
        return Endpoint(address: destination, port: tcp.destinationPort)
    }

    /// Decodes into these (empty) headers as far as the bytes allow, and throws why it stopped
    /// when a layer is bad (`[Malformed Packet]`): the layers above it stay nil. Never traps.
    /// In place, because the headers are large enough that returning them would cost a copy.
    /// `snapped` says the capture kept only the start of the frame, so an IP length beyond it is no error.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer, linkType: LinkType, snapped: Bool) throws(DecodeError) {
        if linkType == .linuxSLL || linkType == .linuxSLL2 { linuxPacketType = LinkLayer.packetType(bytes, linkType: linkType) }
        guard let (etherType, start) = try LinkLayer.network(bytes, linkType: linkType) else { return }
        try decodeNetwork(etherType: etherType, UnsafeRawBufferPointer(rebasing: bytes[start...]), at: start, snapped: snapped)
    }

    @inline(__always)
    private mutating func decodeNetwork(etherType: UInt16, _ bytes: UnsafeRawBufferPointer, at start: Int,
                                        snapped: Bool) throws(DecodeError) {
        let claimed: Int
        let payload: Range<Int>
        switch etherType {
        case 0x0800:
            let ip = try IPv4Header.decode(bytes, snapped: snapped)
            (source, destination, ipProtocol) = (.v4(ip.source), .v4(ip.destination), ip.protocolNumber)
            guard ip.fragmentOffset == 0 else { return }  // later fragments carry no transport header
            (payload, claimed) = (ip.payload, ip.payloadLength)
        case 0x86dd:
            let ip = try IPv6Header.decode(bytes, snapped: snapped)
            (source, destination, ipProtocol) = (ip.source, ip.destination, ip.nextHeader)
            guard let range = ip.payload else { return }
            (payload, claimed) = (range, ip.payloadLength)
        default:
            return
        }
        transport = (start + payload.lowerBound)..<(start + payload.upperBound)
        let segment = UnsafeRawBufferPointer(rebasing: bytes[payload])
        switch ipProtocol {
        case 6:
            tcp = try TCPHeader.decode(segment, claimedLength: claimed)
        case 17:
            udp = try UDPHeader.decode(segment)
        default:
            return
        }
    }
}

public struct UDPHeader: Sendable, Equatable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// The header's length; the payload follows it in the frame.
    static let length = 8

    static func decode(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> UDPHeader {
        var c = ByteCursor(bytes, layer: "udp")
        let sourcePort = try c.u16("srcport"), destinationPort = try c.u16("dstport")
        try c.skip(4, "length/checksum")
        return UDPHeader(sourcePort: sourcePort, destinationPort: destinationPort)
    }
}

/// Strips the link layer and says which network protocol follows, and where: for the packet
/// decoder and for the details tree alike.
public enum LinkLayer {
    /// SLL's pkttype (bytes 0–1) or SLL2's (byte 10): who the frame was for.
    static func packetType(_ bytes: UnsafeRawBufferPointer, linkType: LinkType) -> UInt8? {
        let at = linkType == .linuxSLL ? 1 : 10
        return bytes.count > at ? bytes[at] : nil
    }

    /// The network protocol's type and where it starts; nil for a protocol family tcplab does
    /// not read, and an error where the header is cut short or the link type is unknown.
    @inline(__always)
    public static func network(_ bytes: UnsafeRawBufferPointer, linkType: LinkType) throws(DecodeError) -> (etherType: UInt16, start: Int)? {
        switch linkType {
        case .ethernet:
            return try EthernetHeader.walk(bytes)
        case .null, .loop:
            var c = ByteCursor(bytes, layer: "null")
            // NULL is in the capturing host's byte order: a nonzero first byte means little-endian.
            let family = try c.u32("family", littleEndian: linkType == .null && bytes.first != 0)
            // AF_INET is 2 everywhere; AF_INET6 is 10, 24, 28 or 30 depending on the OS.
            switch family {
            case 2: return (0x0800, c.position)
            case 10, 24, 28, 30: return (0x86dd, c.position)
            default: return nil
            }
        case .raw, .rawBSD, .rawOpenBSD:
            guard let first = bytes.first else { throw .truncated(layer: "raw", field: "version", offset: 0, needed: 1) }
            switch first >> 4 {
            case 4: return (0x0800, 0)
            case 6: return (0x86dd, 0)
            default: throw .invalid(layer: "raw", field: "version", offset: 0, detail: "IP version \(first >> 4)")
            }
        case .linuxSLL:
            var c = ByteCursor(bytes, layer: "sll")
            try c.skip(14, "pkttype/hatype/halen/addr")
            let proto = try c.u16("protocol")
            return (proto, c.position)
        case .linuxSLL2:
            var c = ByteCursor(bytes, layer: "sll2")
            let proto = try c.u16("protocol")
            try c.skip(18, "reserved/ifindex/hatype/pkttype/halen/addr")
            return (proto, c.position)
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
    /// Where the payload lies in the bytes given to `decode`.
    var payload: Range<Int>
    /// The payload's length by the header, which exceeds `payload.count` in a snapped frame.
    var payloadLength: Int

    @inline(__always)
    static func decode(_ bytes: UnsafeRawBufferPointer, snapped: Bool) throws(DecodeError) -> IPv4Header {
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
        let start = c.position
        try c.skip(min(claimed, c.remaining), "payload")
        return IPv4Header(source: source, destination: destination, protocolNumber: protocolNumber,
                          fragmentOffset: Int(fragment & 0x1fff), payload: start..<c.position, payloadLength: claimed)
    }
}

struct IPv6Header {
    var source: IPAddress
    var destination: IPAddress
    /// The protocol after any extension headers.
    var nextHeader: UInt8
    /// Where the transport payload lies in the bytes given to `decode`; nil for a non-first
    /// fragment, which carries no transport header.
    var payload: Range<Int>?
    /// The transport payload's length by the header, after extension headers.
    var payloadLength: Int

    @inline(never)  // rare next to IPv4: kept out of the hot path
    static func decode(_ bytes: UnsafeRawBufferPointer, snapped: Bool) throws(DecodeError) -> IPv6Header {
        var c = ByteCursor(bytes, layer: "ipv6")
        let version = try c.u8("version")
        guard version >> 4 == 6 else { throw c.invalid("version", "\(version >> 4), expected 6") }
        try c.skip(3, "tclass/flow")
        let payloadLength = Int(try c.u16("plen"))
        var next = try c.u8("nxt")
        try c.skip(1, "hlim")
        let source = IPAddress.v6(try c.take(16, "src")), destination = IPAddress.v6(try c.take(16, "dst"))
        guard payloadLength <= c.remaining || snapped else {
            throw .truncated(layer: "ipv6", field: "payload", offset: c.position, needed: payloadLength - c.remaining)
        }
        let start = c.position
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
                          payload: firstFragment ? (start + headers)..<(start + body.bytes.count) : nil,
                          payloadLength: payloadLength - headers)
    }
}
