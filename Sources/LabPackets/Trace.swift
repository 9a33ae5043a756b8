/// A capture decoded and analysed: its packets in file order, and the TCP connections they form.
/// The first link of every command's chain; what the judge and the reports read.
public struct Trace: Sendable {
    public var packets: [Packet]
    public var connections: [Connection]

    public init(packets: [Packet], connections: [Connection]) {
        self.packets = packets
        self.connections = connections
    }

    /// Decodes frames of one link type, numbered from 1, and groups them into connections.
    public init(frames: [CapturedFrame], linkType: LinkType) {
        let packets = frames.enumerated().map { Packet.decode($1, number: $0 + 1, linkType: linkType) }
        self.init(packets: packets, connections: ConversationAnalyzer.analyze(packets))
    }

    /// Groups already decoded packets into connections.
    public init(packets: [Packet]) {
        self.init(packets: packets, connections: ConversationAnalyzer.analyze(packets))
    }
}

extension DecodeError {
    /// True when the frame's link type is one tcplab does not decode: the whole file then holds
    /// nothing it can read, which is a property of the file, not of one packet.
    public var isUnsupportedLinkType: Bool {
        if case let .invalid(layer, field, _, _) = self { return layer == "frame" && field == "linktype" }
        return false
    }
}
