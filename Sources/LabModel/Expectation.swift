import LabPackets

/// A segment named the way a student would: "server data 2", "client fin", "server last".
public struct SegmentReference: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        case syn, data, fin, rst
        /// Any segment, pure ACKs included; useful with `last`.
        case segment
    }

    public enum Ordinal: Sendable, Equatable {
        case nth(Int)
        case last
    }

    public var side: Direction
    public var kind: Kind
    public var ordinal: Ordinal

    public var description: String {
        switch ordinal {
        case .last: kind == .segment ? "\(side) last" : "\(side) last \(kind)"
        case let .nth(n): n == 1 && kind != .data && kind != .segment ? "\(side) \(kind)" : "\(side) \(kind) \(n)"
        }
    }

    /// Parses "server data 2", "client fin", "server last", "client last data".
    public init?(parsing text: String) {
        let words = text.lowercased().split(separator: " ").map(String.init)
        guard let first = words.first, let side = Direction(rawValue: first) else { return nil }
        self.side = side
        switch words.count {
        case 2 where words[1] == "last":
            (kind, ordinal) = (.segment, .last)
        case 2:
            guard let kind = Kind(rawValue: words[1]) else { return nil }
            (self.kind, ordinal) = (kind, .nth(1))
        case 3 where words[1] == "last":
            guard let kind = Kind(rawValue: words[2]) else { return nil }
            (self.kind, ordinal) = (kind, .last)
        case 3:
            guard let kind = Kind(rawValue: words[1]), let n = Int(words[2]), n >= 1 else { return nil }
            (self.kind, ordinal) = (kind, .nth(n))
        default:
            return nil
        }
    }
}

/// What the packets must show. Each is data in the experiment file, judged by `Verdict`.
public struct Expectation: Sendable {
    public enum Kind: Sendable {
        /// SYN from the client, SYN-ACK from the server, then the client's ACK, first in the connection.
        case handshake
        case connections(Int)
        /// The sizes of one side's data segments (pure ACKs are never counted).
        /// `mss`: every segment but the last is exactly this size, the last at most that.
        case data(from: Direction, sizes: [Int]?, count: Int?, total: Int?, mss: SegmentSize?)
        case payload(from: Direction, equals: Payload)
        case segment(SegmentReference, flags: TCPFlags?, seq: UInt32?, ack: UInt32?, len: Int?)
        /// The connection's first request line, as the client sent it.
        case request(String)
        /// The connection's response: its status, and a body of exactly these bytes when given
        /// (Content-Length must agree).
        case response(status: Int, body: [UInt8]?, bodyName: String?)
        /// The server's data segments that carry the response to `request` (found on whichever
        /// connection it was sent): how many, and that all but the last are `mss` bytes.
        case responseSegments(request: String, count: Int, mss: SegmentSize?)
        /// Every request line of the trace, across connections, in the order sent.
        case requests([String])
        /// Every response status of the trace, across connections, in the order sent.
        case statuses([Int])
        /// The sides that send FIN, in order; empty means no FIN at all.
        case finOrder([Direction])
        /// The side that sends RST; nil means no RST from anyone.
        case rst(from: Direction?)
        case gap(from: SegmentReference, to: SegmentReference, window: TimeWindow)
    }

    public enum Payload: Sendable, Equatable {
        case text(String)
        /// The other side's bytes, transformed, repeated.
        case transformOf(Direction, Step.Transform, repeat: Int)
    }

    public var kind: Kind
    /// Which connection, 1-based, in order of appearance; `Expectation.eachWithData` for every
    /// connection that carried data (a browser opens and reuses connections as it likes).
    public var connection: Int

    public static let eachWithData = 0
    /// Where it is in the file (`expect[3]`), so a failure can point there.
    public var path: String
    /// The lab's reason for the pattern, for students reading the verdict.
    public var why: String?
    /// Set when the expectation describes how tcplab's own run pins the behaviour (a socket
    /// option, its own web files) rather than the lesson: the reason, shown when `check` finds it
    /// not applicable to someone else's capture.
    public var runsOnly: String?
    /// Set when the lab's literal code (`--endpoints lab`) does not give this pattern
    /// deterministically on Linux: why, from the trace. Such runs report it as not applicable.
    public var labCodeDiffers: String?
    /// The clients it applies to (both unless the file says otherwise).
    public var clients: [ClientKind] = ClientKind.allCases
    /// The topologies it holds on; nil for both.
    public var hosts: [HostsChoice]?
}

/// The size of a full segment: a number of bytes, or whatever the receiver's MSS allows.
public enum SegmentSize: Sendable, Equatable {
    case bytes(Int)
    /// The receiver's announced MSS less the TCP options each segment carries: 1448 on an
    /// Ethernet-sized link with timestamps, 1460 without (VirtualBox's NAT).
    case announced
}

/// A timing window. `about` uses packetdrill's tolerance: the larger of 4 ms and 12.5 %.
public struct TimeWindow: Sendable, Equatable, CustomStringConvertible {
    public var atLeast: Duration?
    public var atMost: Duration?
    public var about: Duration?

    public var bounds: (Duration, Duration) {
        if let about {
            let tolerance = max(.milliseconds(4), about * 0.125)
            return (about - tolerance, about + tolerance)
        }
        return (atLeast ?? .zero, atMost ?? .seconds(1_000_000))
    }

    public var description: String {
        if let about { return "about \(formatDuration(about)) (±max(4ms, 12.5%))" }
        switch (atLeast, atMost) {
        case let (l?, m?): return "between \(formatDuration(l)) and \(formatDuration(m))"
        case let (l?, nil): return "at least \(formatDuration(l))"
        case let (nil, m?): return "at most \(formatDuration(m))"
        case (nil, nil): return "any time"
        }
    }
}
