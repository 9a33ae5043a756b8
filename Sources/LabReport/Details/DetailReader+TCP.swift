import LabPackets

extension DetailReader {
    func tcp(at o: Int, end: Int, wireLength: Int, segment s: AnalyzedSegment?, http: Bool, into nodes: inout [DetailNode]) {
        guard let sport = u16(o), let dport = u16(o + 2), let seq = u32(o + 4), let ack = u32(o + 8), let offFlags = u16(o + 12),
              let window = u16(o + 14), let checksum = u16(o + 16), let urgent = u16(o + 18) else {
            nodes.append(DetailNode("[Malformed Packet: the TCP header is cut short]", o..<count))
            return
        }
        let headerLength = Int(offFlags >> 12) * 4
        let flags = TCPFlags(rawValue: offFlags & 0x1ff)
        let payloadLength = max(0, wireLength - headerLength)
        let relSeq = s?.relativeSequence ?? seq
        let relAck = s?.relativeAcknowledgment
        var title = "Transmission Control Protocol, Src Port: \(sport), Dst Port: \(dport), Seq: \(relSeq)"
        if flags.contains(.ack) { title += ", Ack: \(relAck ?? ack)" }
        title += ", Len: \(payloadLength)"
        var children = [DetailNode("Source Port: \(sport)", o..<o + 2), DetailNode("Destination Port: \(dport)", o + 2..<o + 4)]
        if let s { children.append(DetailNode("[Stream index: \(s.connection - 1)]")) }
        children.append(DetailNode("[TCP Segment Len: \(payloadLength)]", o + 12..<o + 13))
        children.append(DetailNode("Sequence Number: \(relSeq)    (relative sequence number)", o + 4..<o + 8))
        children.append(DetailNode("Sequence Number (raw): \(seq)", o + 4..<o + 8))
        let consumed = UInt32(payloadLength) + (flags.contains(.syn) ? 1 : 0) + (flags.contains(.fin) ? 1 : 0)
        if consumed > 0 { children.append(DetailNode("[Next Sequence Number: \(relSeq &+ consumed)    (relative sequence number)]")) }
        if flags.contains(.ack) {
            children.append(DetailNode("Acknowledgment Number: \(relAck ?? ack)    (relative ack number)", o + 8..<o + 12))
            children.append(DetailNode("Acknowledgment number (raw): \(ack)", o + 8..<o + 12))
        } else if ack == 0 {
            children.append(DetailNode("Acknowledgment Number: 0", o + 8..<o + 12))
            children.append(DetailNode("Acknowledgment number (raw): 0", o + 8..<o + 12))
        }
        children.append(DetailNode(Self.bits(UInt64(offFlags >> 8), mask: 0xf0, width: 8) + " = Header Length: \(headerLength) bytes (\(offFlags >> 12))", o + 12..<o + 13))
        children.append(Self.flagsNode(offFlags & 0xfff, at: o + 12))
        children.append(DetailNode("Window: \(window)", o + 14..<o + 16))
        if let s {
            children.append(DetailNode("[Calculated window size: \(s.window)]", o + 14..<o + 16))
            if !flags.contains(.syn), window > 0, s.window > Int(window) {
                children.append(DetailNode("[Window size scaling factor: \(s.window / Int(window))]"))
            }
        }
        children.append(DetailNode("Checksum: 0x\(Self.hex(UInt64(checksum), digits: 4)) [unverified]", o + 16..<o + 18))
        children.append(DetailNode("[Checksum Status: Unverified]"))
        children.append(DetailNode("Urgent Pointer: \(urgent)", o + 18..<o + 20))
        if headerLength > 20, has(o + 20..<o + headerLength) {
            children.append(options(o + 20..<o + headerLength, segment: s))
        }
        if let s, !s.analysis.flags.isEmpty {
            children.append(DetailNode("[SEQ/ACK analysis]", nil, [DetailNode("[TCP Analysis Flags]", nil, Self.expertLines(s))]))
        }
        if payloadLength > 0 { children.append(DetailNode("TCP payload (\(payloadLength) byte\(payloadLength == 1 ? "" : "s"))", min(end, o + headerLength)..<end)) }
        if headerLength < 20 || o + headerLength > count {
            children.append(DetailNode("[Malformed Packet: the TCP header says \(headerLength) bytes]", o..<count))
        }
        nodes.append(DetailNode(title, o..<min(count, o + max(20, headerLength)), children))
        if http, payloadLength > 0, o + headerLength < end, let head = httpHead(o + headerLength..<end) { nodes.append(head) }
    }

    /// "Flags: 0x018 (PSH, ACK)" and a line per bit, as tshark draws them.
    static func flagsNode(_ value: UInt16, at offset: Int) -> DetailNode {
        let flags = TCPFlags(rawValue: value & 0x1ff)
        let names = flags.names.isEmpty ? "<None>" : flags.names.joined(separator: ", ")
        let v = UInt64(value)
        func line(_ mask: UInt64, _ name: String) -> DetailNode {
            DetailNode(bits(v, mask: mask, width: 12) + " = \(name): " + (v & mask != 0 ? "Set" : "Not set"), offset..<offset + 2)
        }
        let letters = Array("········CEUAPRSF")
        var summary = ""
        for i in stride(from: 11, through: 0, by: -1) {
            let set = v & (1 << UInt64(i)) != 0
            summary.append(i <= 7 && set ? letters[15 - i] : i == 8 && set ? "A" : "·")
        }
        return DetailNode("Flags: 0x\(hex(v, digits: 3)) (\(names))", offset..<offset + 2, [
            line(0xe00, "Reserved"), line(0x100, "Accurate ECN"), line(0x080, "Congestion Window Reduced"),
            line(0x040, "ECN-Echo"), line(0x020, "Urgent"), line(0x010, "Acknowledgment"), line(0x008, "Push"),
            line(0x004, "Reset"), line(0x002, "Syn"), line(0x001, "Fin"),
            DetailNode("[TCP Flags: \(summary)]"),
        ])
    }

    private func options(_ range: Range<Int>, segment s: AnalyzedSegment?) -> DetailNode {
        var children: [DetailNode] = []
        var summary: [String] = []
        var i = range.lowerBound
        while i < range.upperBound {
            let kind = bytes[i]
            if kind == 0 {
                summary.append("End of Option List (EOL)")
                children.append(DetailNode("TCP Option - End of Option List (EOL)", i..<i + 1, [DetailNode("Kind: End of Option List (0)", i..<i + 1)]))
                break
            }
            if kind == 1 {
                summary.append("No-Operation (NOP)")
                children.append(DetailNode("TCP Option - No-Operation (NOP)", i..<i + 1, [DetailNode("Kind: No-Operation (1)", i..<i + 1)]))
                i += 1
                continue
            }
            guard i + 1 < range.upperBound else { break }
            let length = Int(bytes[i + 1])
            guard length >= 2, i + length <= range.upperBound else {
                children.append(DetailNode("[Malformed Packet: option \(kind) says \(length) bytes]", i..<range.upperBound))
                break
            }
            let r = i..<i + length
            let kindLine = { (name: String) in DetailNode("Kind: \(name) (\(kind))", i..<i + 1) }
            let lengthLine = DetailNode("Length: \(length)", i + 1..<i + 2)
            switch (kind, length) {
            case (2, 4):
                let mss = u16(i + 2) ?? 0
                summary.append("Maximum segment size")
                children.append(DetailNode("TCP Option - Maximum segment size: \(mss) bytes", r,
                                           [kindLine("Maximum Segment Size"), lengthLine, DetailNode("MSS Value: \(mss)", i + 2..<i + 4)]))
            case (3, 3):
                let shift = bytes[i + 2]
                summary.append("Window scale")
                children.append(DetailNode("TCP Option - Window scale: \(shift) (multiply by \(1 << Int(min(shift, 30))))", r, [
                    kindLine("Window Scale"), lengthLine, DetailNode("Shift count: \(shift)", i + 2..<i + 3),
                    DetailNode("[Multiplier: \(1 << Int(min(shift, 30)))]"),
                ]))
            case (4, 2):
                summary.append("SACK permitted")
                children.append(DetailNode("TCP Option - SACK permitted", r, [kindLine("SACK Permitted"), lengthLine]))
            case (8, 10):
                let value = u32(i + 2) ?? 0, echo = u32(i + 6) ?? 0
                summary.append("Timestamps")
                children.append(DetailNode("TCP Option - Timestamps: TSval \(value), TSecr \(echo)", r, [
                    kindLine("Time Stamp Option"), lengthLine, DetailNode("Timestamp value: \(value)", i + 2..<i + 6),
                    DetailNode("Timestamp echo reply: \(echo)", i + 6..<i + 10),
                ]))
            case (5, _):
                // Blocks relative to the receiver's base, as tshark writes them.
                let base = s.flatMap { a in a.relativeAcknowledgment.map { a.segment.acknowledgment &- $0 } } ?? 0
                let blocks = stride(from: i + 2, to: i + length - 7, by: 8).compactMap { b in
                    u32(b).flatMap { left in u32(b + 4).map { "\(left &- base)-\($0 &- base)" } }
                }
                summary.append("SACK")
                children.append(DetailNode("TCP Option - SACK " + blocks.joined(separator: " "), r, [kindLine("SACK"), lengthLine]))
            default:
                summary.append("Unknown")
                children.append(DetailNode("TCP Option - Unknown (\(kind))", r, [lengthLine]))
            }
            i += length
        }
        return DetailNode("Options: (\(range.count) bytes), " + summary.joined(separator: ", "), range, children)
    }

    static func expertLines(_ s: AnalyzedSegment) -> [DetailNode] {
        let f = s.analysis.flags
        var lines: [String] = []
        if f.contains(.retransmission) { lines.append("[Expert Info (Note/Sequence): This frame is a (suspected) retransmission]") }
        if f.contains(.fastRetransmission) { lines.append("[Expert Info (Note/Sequence): This frame is a (suspected) fast retransmission]") }
        if f.contains(.spuriousRetransmission) { lines.append("[Expert Info (Note/Sequence): This frame is a (suspected) spurious retransmission]") }
        if f.contains(.outOfOrder) { lines.append("[Expert Info (Warning/Sequence): This frame is a (suspected) out-of-order segment]") }
        if f.contains(.duplicateAck) { lines.append("[Expert Info (Note/Sequence): Duplicate ACK (#\(s.analysis.duplicateAckNumber))]") }
        if f.contains(.lostSegment) { lines.append("[Expert Info (Warning/Sequence): Previous segment(s) not captured (common at capture start)]") }
        if f.contains(.ackedUnseen) { lines.append("[Expert Info (Warning/Sequence): ACKed segment that wasn't captured (common at capture start)]") }
        if f.contains(.zeroWindow) { lines.append("[Expert Info (Warning/Sequence): TCP Zero Window segment]") }
        if f.contains(.windowFull) { lines.append("[Expert Info (Warning/Sequence): TCP window specified by the receiver is now completely full]") }
        if f.contains(.windowUpdate) { lines.append("[Expert Info (Chat/Sequence): TCP window update]") }
        if f.contains(.keepAlive) { lines.append("[Expert Info (Note/Sequence): TCP keep-alive segment]") }
        if f.contains(.keepAliveAck) { lines.append("[Expert Info (Note/Sequence): ACK to a TCP keep-alive segment]") }
        if f.contains(.zeroWindowProbe) { lines.append("[Expert Info (Note/Sequence): TCP Zero Window Probe]") }
        if f.contains(.zeroWindowProbeAck) { lines.append("[Expert Info (Note/Sequence): ACK to a TCP Zero Window Probe]") }
        if f.contains(.portsReused) { lines.append("[Expert Info (Note/Sequence): A new tcp session is started with the same ports as an earlier session in this trace]") }
        return lines.map { DetailNode($0) }
    }

    /// The request or response head the segment carries whole: its start line and headers, each
    /// with its CRLF written out as tshark shows it.
    func httpHead(_ range: Range<Int>) -> DetailNode? {
        guard has(range) else { return nil }
        let payload = bytes[range]
        var lines: [(text: String, bytes: Range<Int>)] = []
        var start = range.lowerBound
        var i = range.lowerBound
        while i + 1 < range.upperBound {
            if payload[i] == 0x0d && payload[i + 1] == 0x0a {
                let text = String(decoding: payload[start..<i], as: UTF8.self)
                lines.append((text, start..<i + 2))
                start = i + 2
                i += 2
                if text.isEmpty { break }
                continue
            }
            i += 1
        }
        guard let last = lines.last, last.text.isEmpty, let first = lines.first, !first.text.isEmpty else { return nil }
        var children: [DetailNode] = []
        let parts = first.text.split(separator: " ", maxSplits: 2).map(String.init)
        var startChildren: [DetailNode] = []
        if first.text.hasPrefix("HTTP/"), parts.count >= 2 {
            startChildren = [DetailNode("Response Version: \(parts[0])"), DetailNode("Status Code: \(parts[1])")]
            if parts.count == 3 { startChildren.append(DetailNode("Response Phrase: \(parts[2])")) }
        } else if parts.count == 3 {
            startChildren = [DetailNode("Request Method: \(parts[0])"), DetailNode("Request URI: \(parts[1])"),
                             DetailNode("Request Version: \(parts[2])")]
        } else {
            return nil
        }
        children.append(DetailNode(first.text + "\\r\\n", first.bytes, startChildren))
        for line in lines.dropFirst() { children.append(DetailNode(line.text + "\\r\\n", line.bytes)) }
        return DetailNode("Hypertext Transfer Protocol", range.lowerBound..<last.bytes.upperBound, children)
    }

    func udp(at o: Int, end: Int, into nodes: inout [DetailNode]) {
        guard let sport = u16(o), let dport = u16(o + 2), let length = u16(o + 4), let checksum = u16(o + 6) else {
            nodes.append(DetailNode("[Malformed Packet: the UDP header is cut short]", o..<count))
            return
        }
        nodes.append(DetailNode("User Datagram Protocol, Src Port: \(sport), Dst Port: \(dport)", o..<o + 8, [
            DetailNode("Source Port: \(sport)", o..<o + 2), DetailNode("Destination Port: \(dport)", o + 2..<o + 4),
            DetailNode("Length: \(length)", o + 4..<o + 6),
            DetailNode("Checksum: 0x\(Self.hex(UInt64(checksum), digits: 4)) [unverified]", o + 6..<o + 8),
            DetailNode("[Checksum Status: Unverified]"),
        ]))
    }
}
