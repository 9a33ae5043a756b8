import LabPackets

/// `show --json`'s rows straight from `ListingBatch`es: the bytes `JSONEncoder` gives for each
/// `PacketRow` with `.sortedKeys` and `.withoutEscapingSlashes` (no pretty printing), rows
/// separated by ",\n", without a `PacketRow`, a `String` per field or an encoder per row. The
/// Info column is the listing's own (`writeTCPInfo`), so the two cannot drift apart.
/// `ListingPrinterTests` hold these bytes to the encoder's on every fixture.
extension ListingPrinter {
    /// Appends every row of `batch` but the hidden ones as JSON array elements; `.raw` text (the
    /// array's opening) goes out as it is.
    mutating func writeJSON(_ batch: ListingBatch, into out: inout ByteBuffer) {
        batch.text.withUnsafeBytes { text in
            for row in batch.rows {
                let own = UnsafeRawBufferPointer(rebasing: text[row.textRange])
                switch row.kind {
                case .raw:
                    out.append(own)
                    continue
                case .line:
                    separate(&out)
                    out.append(own)
                    continue
                case .tcp, .hidden:
                    break
                }
                var summary: (String, String)?
                if ListingRowMaker.mayBeHTTP(row.tcp) {
                    let segment = TCPSegment(header: row.tcp, bytes: batch.text[row.textRange])
                    summary = http.summary(AnalyzedSegment(packetIndex: row.number - 1, number: row.number, timestamp: row.timestamp,
                                                           segment: segment, placement: row.placement))
                }
                guard row.kind == .tcp else { continue }
                separate(&out)
                writeJSONRow(row, summary: summary, own: own, into: &out)
            }
        }
    }

    private mutating func separate(_ out: inout ByteBuffer) {
        if jsonRows > 0 { out.append(",\n" as StaticString) }
        jsonRows += 1
    }

    private func writeJSONRow(_ row: ListingRow, summary: (String, String)?, own: UnsafeRawBufferPointer, into out: inout ByteBuffer) {
        let index = slot(for: row)
        let start = index * Self.slotBytes
        let slot = slots[index]
        out.append("{\"destination\":\"" as StaticString)
        out.append(UnsafeRawBufferPointer(start: slotText + start + max(slot.sourceLength, 15) + 1, count: slot.destinationLength))
        out.append("\",\"info\":" as StaticString)
        if let (_, info) = summary {
            out.jsonString(info)
        } else {
            out.byte(0x22)
            if !row.placement.analysis.flags.isEmpty { out.append(row.placement.analysis.infoPrefix) }
            let optionsEnd = min(row.tcp.headerLength, own.count)
            writeTCPInfo(row, slot: index, options: UnsafeRawBufferPointer(rebasing: own[min(20, optionsEnd)..<optionsEnd]), into: &out)
            out.byte(0x22)
        }
        out.append(",\"length\":" as StaticString)
        out.signed(row.frameLength)
        out.append(",\"number\":" as StaticString)
        out.signed(row.number)
        out.append(",\"protocolName\":" as StaticString)
        if let (name, _) = summary { out.jsonString(name) } else { out.append("\"TCP\"" as StaticString) }
        out.append(",\"source\":\"" as StaticString)
        out.append(UnsafeRawBufferPointer(start: slotText + start, count: slot.sourceLength))
        out.append("\",\"tcp\":{" as StaticString)
        let placement = row.placement
        if let ack = placement.relativeAcknowledgment {
            out.append("\"ack\":" as StaticString)
            out.decimal(UInt64(ack))
            out.byte(0x2c)
        }
        out.append("\"analysis\":[" as StaticString)
        if !placement.analysis.flags.isEmpty {
            var first = true
            for (flag, name) in PacketRowTCP.names where placement.analysis.flags.contains(flag) {
                if !first { out.byte(0x2c) }
                first = false
                out.jsonString(name)
            }
        }
        out.append("],\"destinationPort\":" as StaticString)
        out.decimal(UInt64(row.tcp.destinationPort))
        out.append(",\"flags\":" as StaticString)
        let bits = Int(row.tcp.flags.rawValue & 0x1ff)
        out.append(UnsafeRawBufferPointer(start: flagJSON + flagJSONStart[bits], count: flagJSONStart[bits + 1] - flagJSONStart[bits]))
        out.append(placement.from == .client ? ",\"from\":\"client\",\"len\":" as StaticString : ",\"from\":\"server\",\"len\":")
        out.signed(row.tcp.payloadLength)
        out.append(",\"seq\":" as StaticString)
        out.decimal(UInt64(placement.relativeSequence))
        out.append(",\"sourcePort\":" as StaticString)
        out.decimal(UInt64(row.tcp.sourcePort))
        out.append(",\"stream\":" as StaticString)
        out.signed(placement.connection - 1)
        out.append(",\"window\":" as StaticString)
        out.signed(placement.window)
        out.append("},\"time\":\"" as StaticString)
        if row.elapsed < 0 { out.byte(0x2d) }
        let magnitude = row.elapsed.magnitude
        out.decimal(magnitude / 1_000_000_000)
        out.byte(0x2e)
        out.decimal(magnitude % 1_000_000_000, digits: 9)
        out.append("\"}" as StaticString)
    }
}

extension ByteBuffer {
    /// A JSON string as `JSONEncoder` writes it (see `PrettyJSON`): quote, backslash and control
    /// characters escaped, every other byte as it is.
    mutating func jsonString(_ s: String) {
        byte(0x22)
        for b in s.utf8 {
            switch b {
            case 0x22: append("\\\"" as StaticString)
            case 0x5C: append("\\\\" as StaticString)
            case 0x08: append("\\b" as StaticString)
            case 0x09: append("\\t" as StaticString)
            case 0x0A: append("\\n" as StaticString)
            case 0x0C: append("\\f" as StaticString)
            case 0x0D: append("\\r" as StaticString)
            case ..<0x20:
                append("\\u00" as StaticString)
                byte(Self.hexDigits[Int(b >> 4)])
                byte(Self.hexDigits[Int(b & 0xF)])
            default: byte(b)
            }
        }
        byte(0x22)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
