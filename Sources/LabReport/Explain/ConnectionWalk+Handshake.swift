import LabPackets

extension ConnectionWalk {
    func describeSyn(_ s: AnalyzedSegment) -> String {
        let port = connection.endpoint(s.from).port
        let options = optionWords(s.segment)
        if !s.flags.contains(.ack) {
            return "\(s.from.title) opens the connection from port \(port): SYN with Seq=0 (relative; the real initial "
                + "sequence number is \(s.segment.sequence))\(options.isEmpty ? "" : ", announcing \(options)")."
        }
        let other = s.from.other
        return "\(s.from.title) accepts on port \(port): SYN,ACK with its own Seq=0 (real ISN \(s.segment.sequence)) and "
            + "Ack=\(s.relativeAcknowledgment ?? 0), because the \(other)'s SYN counts as one sequence number"
            + "\(options.isEmpty ? "" : "; it announces \(options)")."
    }

    /// "MSS 65495, window scale ×128, SACK permitted, timestamps".
    func optionWords(_ segment: TCPSegment) -> String {
        var words: [String] = []
        for option in segment.options {
            switch option {
            case let .maximumSegmentSize(mss): words.append("MSS \(mss)")
            case let .windowScale(shift): words.append("window scale ×\(1 << min(Int(shift), 14))")
            case .sackPermitted: words.append("SACK permitted")
            case .timestamp: words.append("timestamps")
            default: continue
            }
        }
        return words.joined(separator: ", ")
    }

    /// The MSS the receiver of `side`'s segments announced in its SYN: the cap on their size.
    func mss(for side: Direction) -> Int? { announcedMSS[side.other] }

    /// Each side's MSS from its first SYN, looked up once: a connection whose SYNs were not
    /// captured would otherwise be searched end to end for every segment.
    static func announcedMSS(_ connection: Connection) -> [Direction: Int] {
        var mss: [Direction: Int] = [:]
        for side in [Direction.client, .server] {
            mss[side] = connection.segments.first { $0.from == side && $0.flags.contains(.syn) }?.segment.mss.map(Int.init)
        }
        return mss
    }

    /// True when the segment is as large as the receiver's MSS allows, once options are paid for.
    func isFullSized(_ s: AnalyzedSegment) -> Bool {
        guard let mss = mss(for: s.from), s.length > 0 else { return false }
        return s.length + (s.segment.headerLength - 20) == mss
    }

    func fullSizeReason(_ s: AnalyzedSegment) -> String {
        let mss = mss(for: s.from) ?? 0
        let options = s.segment.headerLength - 20
        return options == 0
            ? "the \(s.from.other)'s MSS of \(mss) is the most one segment may carry"
            : "the \(s.from.other)'s MSS of \(mss) minus \(bytes(options)) of TCP options leaves \(bytes(mss - options)) of data"
    }

    func flagText(_ s: AnalyzedSegment) -> String { s.flags.names.joined(separator: ",") }

    func numbers(_ s: AnalyzedSegment) -> String {
        "\(flagText(s)) Seq=\(s.relativeSequence)" + (s.relativeAcknowledgment.map { " Ack=\($0)" } ?? "")
    }
}
