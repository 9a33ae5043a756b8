/// One frame decoded down to TCP, or as far as it would go, with the bytes it came from.
public struct Packet: Sendable {
    /// 1-based, as Wireshark numbers frames.
    public var number: Int
    public var timestamp: Int64
    public var frameLength: Int
    public var headers: FrameHeaders
    /// The captured frame, which the TCP segment and the UDP payload are cut from.
    public var bytes: ArraySlice<UInt8>

    /// Boxed, so a packet without an error carries one pointer for it, not two strings:
    /// packets are copied several times on the hot path.
    private var malformedBox: MalformedBox?

    final class MalformedBox: Sendable {
        let error: DecodeError
        init(_ error: DecodeError) { self.error = error }
    }

    public init(number: Int, timestamp: Int64, frameLength: Int, headers: FrameHeaders, bytes: ArraySlice<UInt8>,
                malformed: DecodeError?) {
        self.number = number
        self.timestamp = timestamp
        self.frameLength = frameLength
        self.headers = headers
        self.bytes = bytes
        self.malformedBox = malformed.map(MalformedBox.init)
    }

    /// Decodes a frame of the given link type. Never throws and never traps: a bad layer
    /// leaves the layers above it nil and sets `malformed`.
    public static func decode(_ frame: CapturedFrame, number: Int, linkType: LinkType) -> Packet {
        var headers = FrameHeaders()
        var malformed: DecodeError?
        frame.bytes.withUnsafeBytes { bytes in
            do throws(DecodeError) {
                try headers.decode(bytes, linkType: linkType, snapped: frame.bytes.count < frame.originalLength)
            } catch {
                malformed = error
            }
        }
        return Packet(number: number, timestamp: frame.timestamp, frameLength: frame.originalLength, headers: headers,
                      bytes: frame.bytes, malformed: malformed)
    }

    /// Decodes a record read in place, copying its bytes so the packet can be kept.
    public static func decode(_ record: CaptureRecordView, number: Int) -> Packet {
        decode(CapturedFrame(timestamp: record.timestamp, originalLength: record.originalLength, bytes: [UInt8](record.bytes)),
               number: number, linkType: record.linkType)
    }

    public var source: IPAddress? { headers.source }
    public var destination: IPAddress? { headers.destination }
    public var ipProtocol: UInt8? { headers.ipProtocol }

    public var tcp: TCPSegment? { headers.tcp.map { TCPSegment(header: $0, bytes: transportBytes) } }

    /// UDP ports, kept so the capture can recognise its fence markers.
    public var udpPorts: (source: UInt16, destination: UInt16)? { headers.udp.map { ($0.sourcePort, $0.destinationPort) } }
    public var udpPayload: ArraySlice<UInt8> { headers.udp == nil ? [] : transportBytes.dropFirst(UDPHeader.length) }

    /// Why decoding stopped early (`[Malformed Packet]`), if it did.
    public var malformed: DecodeError? { malformedBox?.error }

    public var sourceEndpoint: Endpoint? { headers.sourceEndpoint }
    public var destinationEndpoint: Endpoint? { headers.destinationEndpoint }

    /// The transport header and what follows it, as captured.
    private var transportBytes: ArraySlice<UInt8> {
        let start = bytes.startIndex
        return bytes[(start + headers.transport.lowerBound)..<(start + headers.transport.upperBound)]
    }
}
