import LabPackets

/// Builds Ethernet/IPv4/TCP frames in code, field by field, for decoder and engine tests.
public struct FrameBuilder {
    public var client = (address: UInt32(0x7f00_0001), port: UInt16(40000))
    public var server = (address: UInt32(0x7f00_0001), port: UInt16(12345))
    public var clientISN: UInt32 = 1000
    public var serverISN: UInt32 = 5000
    public var time: Int64 = 1_700_000_000_000_000_000

    public init() {}

    public static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xff)] }
    public static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }

    /// TCP header + payload.
    public static func tcp(sourcePort: UInt16, destinationPort: UInt16, seq: UInt32, ack: UInt32,
                           flags: TCPFlags, window: UInt16 = 512, options: [UInt8] = [], payload: [UInt8] = []) -> [UInt8] {
        var padded = options
        while padded.count % 4 != 0 { padded.append(1) }  // NOP padding
        let offset = UInt16((20 + padded.count) / 4)
        return be16(sourcePort) + be16(destinationPort) + be32(seq) + be32(ack)
            + be16(offset << 12 | flags.rawValue)  // data offset + flags
            + be16(window) + [0, 0] + [0, 0]  // window, checksum, urgent pointer
            + padded + payload
    }

    public static func ipv4(source: UInt32, destination: UInt32, protocolNumber: UInt8, payload: [UInt8]) -> [UInt8] {
        [0x45, 0]  // v4, IHL 5; DSCP
            + be16(UInt16(20 + payload.count))  // total length
            + [0, 0, 0x40, 0]  // id; DF
            + [64, protocolNumber, 0, 0]  // ttl, protocol, checksum
            + be32(source) + be32(destination) + payload
    }

    public static func ethernet(_ payload: [UInt8], etherType: UInt16 = 0x0800) -> [UInt8] {
        [UInt8](repeating: 0, count: 12) + be16(etherType) + payload
    }

    /// An Ethernet frame with VLAN tags inserted after its addresses, outermost first: each is
    /// a tag protocol ID (0x8100 802.1Q, 0x88a8 802.1ad) and its control field (PCP, DEI, VID).
    public static func tagged(_ frame: CapturedFrame, _ tags: [(protocolID: UInt16, control: UInt16)]) -> CapturedFrame {
        let bytes = Array(frame.bytes)
        let tagBytes = tags.flatMap { be16($0.protocolID) + be16($0.control) }
        let out = Array(bytes.prefix(12)) + tagBytes + Array(bytes.dropFirst(12))
        return CapturedFrame(timestamp: frame.timestamp, originalLength: out.count, bytes: out)
    }

    /// One segment of the connection, as a frame, with sequence numbers given relative
    /// to the ISNs (the way a student reads them).
    public mutating func segment(from side: Direction, seq: UInt32, ack: UInt32? = nil, flags: TCPFlags,
                                 payload: [UInt8] = [], options: [UInt8] = [], window: UInt16 = 512,
                                 advance: Int64 = 1_000) -> CapturedFrame {
        let (src, dst) = side == .client ? (client, server) : (server, client)
        let (isn, peerISN) = side == .client ? (clientISN, serverISN) : (serverISN, clientISN)
        let tcp = Self.tcp(sourcePort: src.port, destinationPort: dst.port, seq: isn &+ seq,
                           ack: ack.map { peerISN &+ $0 } ?? 0, flags: ack == nil ? flags : flags.union(.ack),
                           window: window, options: options, payload: payload)
        let bytes = Self.ethernet(Self.ipv4(source: src.address, destination: dst.address, protocolNumber: 6, payload: tcp))
        time += advance
        return CapturedFrame(timestamp: time, originalLength: bytes.count, bytes: bytes)
    }

    /// The frames of a whole lab-style exchange: handshake, the given data, then the FINs.
    public mutating func exchange(client clientData: [[UInt8]], server serverData: [[UInt8]],
                                  firstFIN: Direction = .client) -> [CapturedFrame] {
        var frames = [
            segment(from: .client, seq: 0, flags: .syn, options: [2, 4, 0xff, 0xd7, 3, 3, 7]),  // MSS 65495, WS 7
            segment(from: .server, seq: 0, ack: 1, flags: .syn, options: [2, 4, 0xff, 0xd7, 3, 3, 7]),
            segment(from: .client, seq: 1, ack: 1, flags: []),
        ]
        var next: [Direction: UInt32] = [.client: 1, .server: 1]
        for (side, chunks) in [(Direction.client, clientData), (.server, serverData)] {
            for chunk in chunks {
                frames.append(segment(from: side, seq: next[side]!, ack: next[side.other]!, flags: .psh, payload: chunk))
                next[side]! += UInt32(chunk.count)
            }
        }
        let second = firstFIN.other
        frames.append(segment(from: firstFIN, seq: next[firstFIN]!, ack: next[second]!, flags: .fin))
        frames.append(segment(from: second, seq: next[second]!, ack: next[firstFIN]! + 1, flags: .fin))
        frames.append(segment(from: firstFIN, seq: next[firstFIN]! + 1, ack: next[second]! + 1, flags: []))
        return frames
    }

    /// A classic little-endian microsecond pcap file of Ethernet frames.
    public static func pcapFile(_ frames: [CapturedFrame]) -> [UInt8] {
        func le32(_ v: UInt32) -> [UInt8] { be32(v).reversed() }
        func le16(_ v: UInt16) -> [UInt8] { be16(v).reversed() }
        var file = le32(0xa1b2_c3d4) + le16(2) + le16(4)  // magic_number, version_major, version_minor
            + le32(0) + le32(0) + le32(262_144) + le32(1)  // thiszone, sigfigs, snaplen, network (EN10MB)
        for frame in frames {
            let seconds = frame.timestamp / 1_000_000_000, micros = frame.timestamp % 1_000_000_000 / 1000
            file += le32(UInt32(seconds)) + le32(UInt32(micros))  // ts_sec, ts_usec
                + le32(UInt32(frame.bytes.count)) + le32(UInt32(frame.originalLength))  // incl_len, orig_len
                + Array(frame.bytes)
        }
        return file
    }

    /// `connections` lab-style exchanges whose segments are interleaved (round robin), each on
    /// its own client port, as a busy capture has them; connection i carries i bytes.
    public static func interleaved(connections: Int) -> [CapturedFrame] {
        var exchanges: [[CapturedFrame]] = []
        for i in 0..<connections {
            var builder = FrameBuilder()
            builder.client.port = UInt16(20_000 + i)
            builder.time += Int64(i) * 1000  // whole microseconds, as a pcap file keeps them
            exchanges.append(builder.exchange(client: [[UInt8](repeating: 0x61, count: i % 1000 + 1)], server: [[0x41]]))
        }
        let longest = exchanges.map(\.count).max() ?? 0
        return (0..<longest).flatMap { step in exchanges.compactMap { step < $0.count ? $0[step] : nil } }
    }

    public static func decode(_ frames: [CapturedFrame]) -> [Packet] {
        frames.enumerated().map { Packet.decode($1, number: $0 + 1, linkType: .ethernet) }
    }
}
