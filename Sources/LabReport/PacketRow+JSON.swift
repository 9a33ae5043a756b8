import LabPackets

extension PacketRow {
    /// The row as `JSONEncoder` writes it with `.sortedKeys` and `.withoutEscapingSlashes`, no
    /// pretty printing (`show --json`): for the rows the listing's printer does not make itself
    /// (UDP, ICMP, malformed, …). `ListingPrinterTests` hold it to the encoder's bytes.
    public var compactJSON: String {
        var out = ByteBuffer(capacity: 256)
        out.append("{\"destination\":" as StaticString)
        out.jsonString(destination)
        out.append(",\"info\":" as StaticString)
        out.jsonString(info)
        out.append(",\"length\":" as StaticString)
        out.signed(length)
        out.append(",\"number\":" as StaticString)
        out.signed(number)
        out.append(",\"protocolName\":" as StaticString)
        out.jsonString(protocolName)
        out.append(",\"source\":" as StaticString)
        out.jsonString(source)
        if let t = tcp {
            out.append(",\"tcp\":{" as StaticString)
            if let ack = t.ack {
                out.append("\"ack\":" as StaticString)
                out.decimal(UInt64(ack))
                out.byte(0x2c)
            }
            out.append("\"analysis\":" as StaticString)
            out.jsonArray(t.analysis)
            out.append(",\"destinationPort\":" as StaticString)
            out.decimal(UInt64(t.destinationPort))
            out.append(",\"flags\":" as StaticString)
            out.jsonArray(t.flags)
            out.append(",\"from\":" as StaticString)
            out.jsonString(t.from)
            out.append(",\"len\":" as StaticString)
            out.signed(t.len)
            out.append(",\"seq\":" as StaticString)
            out.decimal(UInt64(t.seq))
            out.append(",\"sourcePort\":" as StaticString)
            out.decimal(UInt64(t.sourcePort))
            out.append(",\"stream\":" as StaticString)
            out.signed(t.stream)
            out.append(",\"window\":" as StaticString)
            out.signed(t.window)
            out.byte(0x7d)
        }
        out.append(",\"time\":" as StaticString)
        out.jsonString(time)
        out.byte(0x7d)
        return out.withBytes { String(decoding: $0, as: UTF8.self) }
    }
}

extension ByteBuffer {
    /// `["A","B"]`, as the encoder writes an array of strings without pretty printing.
    mutating func jsonArray(_ values: [String]) {
        byte(0x5b)
        for (i, value) in values.enumerated() {
            if i > 0 { byte(0x2c) }
            jsonString(value)
        }
        byte(0x5d)
    }
}
