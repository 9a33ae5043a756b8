import LabPackets

/// Prints `ListingBatch` rows into bytes, each exactly as `PacketRow.line` prints it, following
/// HTTP through the segments as it goes (rows must come in file order). What repeats from row
/// to row is formatted once and then copied: a direction's Source and Destination columns with
/// its ports (a slot per connection and direction, checked against the row's own addresses and
/// ports), and the text of each combination of TCP flags.
public struct ListingPrinter: ~Copyable {
    struct Slot {
        var source: IPAddress = .v4(0)
        var destination: IPAddress = .v4(0)
        var ports: UInt32 = 0
        var filled = false
        /// "SOURCE DESTINATION " (each padded to 15 columns), then "SPORT → DPORT", at
        /// `index * slotBytes` in `slotText`.
        var addressLength = 0
        var portsLength = 0
        /// The unpadded lengths of the two addresses, for JSON: the source starts the slot's
        /// text, the destination starts after the source's 15 columns and a space.
        var sourceLength = 0
        var destinationLength = 0
    }

    var http = HTTPTracker()
    /// `show --json`'s rows (`writeJSON`) instead of the text list; how many were written.
    let json: Bool
    var jsonRows = 0
    private static let slotCount = 512
    /// Room for two IPv6 addresses (39 characters each), their spaces and two ports with the arrow.
    static let slotBytes = 128
    // Tables behind pointers, as `ByteBuffer` keeps its bytes: arrays here would be retained and
    // released around every row's reads.
    let slots: UnsafeMutablePointer<Slot>
    let slotText: UnsafeMutablePointer<UInt8>
    /// " [FIN, ACK] Seq=" for each of the 512 values of the nine flag bits, end to end.
    private let flagText: UnsafeMutablePointer<UInt8>
    private let flagStart: UnsafeMutablePointer<Int>
    /// `["FIN","ACK"]` for each of the 512 values of the flag bits, end to end.
    let flagJSON: UnsafeMutablePointer<UInt8>
    let flagJSONStart: UnsafeMutablePointer<Int>

    public init(json: Bool = false) {
        self.json = json
        slots = .allocate(capacity: Self.slotCount)
        slots.initialize(repeating: Slot(), count: Self.slotCount)
        slotText = .allocate(capacity: Self.slotCount * Self.slotBytes)
        slotText.initialize(repeating: 0, count: Self.slotCount * Self.slotBytes)
        var text: [UInt8] = [], starts: [Int] = []
        for bits in 0..<512 {
            starts.append(text.count)
            let names = TCPFlags.named.filter { TCPFlags(rawValue: UInt16(bits)).contains($0.0) }.map { "\($0.1)" }
            text.append(contentsOf: " [\(names.joined(separator: ", "))] Seq=".utf8)
        }
        starts.append(text.count)
        flagText = .allocate(capacity: text.count)
        flagText.initialize(from: text, count: text.count)
        flagStart = .allocate(capacity: starts.count)
        flagStart.initialize(from: starts, count: starts.count)
        var jsonText: [UInt8] = [], jsonStarts: [Int] = []
        for bits in 0..<512 {
            jsonStarts.append(jsonText.count)
            let names = TCPFlags(rawValue: UInt16(bits)).names.map { "\"\($0)\"" }
            jsonText.append(contentsOf: "[\(names.joined(separator: ","))]".utf8)
        }
        jsonStarts.append(jsonText.count)
        flagJSON = .allocate(capacity: jsonText.count)
        flagJSON.initialize(from: jsonText, count: jsonText.count)
        flagJSONStart = .allocate(capacity: jsonStarts.count)
        flagJSONStart.initialize(from: jsonStarts, count: jsonStarts.count)
    }

    deinit {
        slots.deallocate()
        slotText.deallocate()
        flagText.deallocate()
        flagStart.deallocate()
        flagJSON.deallocate()
        flagJSONStart.deallocate()
    }

    /// Appends every row of `batch` but the hidden ones, each with its newline.
    public mutating func write(_ batch: ListingBatch, into out: inout ByteBuffer) {
        if json { return writeJSON(batch, into: &out) }
        batch.text.withUnsafeBytes { text in
            for row in batch.rows {
                let own = UnsafeRawBufferPointer(rebasing: text[row.textRange])
                if row.kind == .line || row.kind == .raw {
                    out.append(own)
                    if row.kind == .line { out.byte(0x0a) }
                    continue
                }
                var summary: (String, String)?
                if ListingRowMaker.mayBeHTTP(row.tcp) {
                    let segment = TCPSegment(header: row.tcp, bytes: batch.text[row.textRange])
                    summary = http.summary(AnalyzedSegment(packetIndex: row.number - 1, number: row.number, timestamp: row.timestamp,
                                                           segment: segment, placement: row.placement))
                }
                guard row.kind == .tcp else { continue }
                let slot = writeColumns(row, into: &out)
                if let (name, info) = summary {
                    out.padded(name, to: 8)
                    out.byte(0x20)
                    out.padLeft(row.frameLength, to: 6)
                    out.byte(0x20)
                    out.append(info)
                } else {
                    out.append("TCP      " as StaticString)
                    out.padLeft(row.frameLength, to: 6)
                    out.byte(0x20)
                    if !row.placement.analysis.flags.isEmpty { out.append(row.placement.analysis.infoPrefix) }
                    // The options as `TCPSegment.optionBytes` cuts them from the same bytes.
                    let optionsEnd = min(row.tcp.headerLength, own.count)
                    writeTCPInfo(row, slot: slot, options: UnsafeRawBufferPointer(rebasing: own[min(20, optionsEnd)..<optionsEnd]),
                                 into: &out)
                }
                out.byte(0x0a)
            }
        }
    }

    /// No., Time, Source and Destination, each followed by a space; returns the row's slot.
    @discardableResult
    private func writeColumns(_ row: ListingRow, into out: inout ByteBuffer) -> Int {
        out.padLeft(row.number, to: 6)
        out.byte(0x20)
        out.time(row.elapsed)
        out.byte(0x20)
        let index = slot(for: row)
        let start = index * Self.slotBytes
        out.append(UnsafeRawBufferPointer(start: slotText + start, count: slots[index].addressLength))
        return index
    }

    /// `PacketRow.tcpInfo`, byte for byte, after any analysis prefix.
    func writeTCPInfo(_ row: ListingRow, slot index: Int, options: UnsafeRawBufferPointer, into out: inout ByteBuffer) {
        let tcp = row.tcp
        let start = index * Self.slotBytes + slots[index].addressLength
        out.append(UnsafeRawBufferPointer(start: slotText + start, count: slots[index].portsLength))
        let bits = Int(tcp.flags.rawValue & 0x1ff)
        out.append(UnsafeRawBufferPointer(start: flagText + flagStart[bits], count: flagStart[bits + 1] - flagStart[bits]))
        out.decimal(UInt64(row.placement.relativeSequence))
        if let ack = row.placement.relativeAcknowledgment {
            out.append(" Ack=" as StaticString)
            out.decimal(UInt64(ack))
        }
        out.append(" Win=" as StaticString)
        out.signed(row.placement.window)
        if tcp.flags.contains(.urg) {
            out.append(" Urg=" as StaticString)
            out.decimal(UInt64(tcp.urgentPointer))
        }
        out.append(" Len=" as StaticString)
        out.signed(tcp.payloadLength)
        // The options as `TCPSegment.forEachOption` reads them, from the same bytes.
        TCPOptionList.walk(options) { kind, body in
            switch kind {
            case 2:
                out.append(" MSS=" as StaticString)
                out.decimal(UInt64(Self.bigEndian(body, 0, 2)))
            case 3:
                out.append(" WS=" as StaticString)
                out.decimal(UInt64(1) << min(UInt64(body[0]), 14))
            case 4:
                out.append(" SACK_PERM" as StaticString)
            case 5:
                // SACK edges are in the receiver's sequence space: relative to the ACK's base.
                let base = row.placement.relativeAcknowledgment.map { tcp.acknowledgment &- $0 } ?? 0
                for block in 0..<(body.count / 8) {
                    out.append(" SLE=" as StaticString)
                    out.decimal(UInt64(Self.bigEndian(body, block * 8, 4) &- base))
                    out.append(" SRE=" as StaticString)
                    out.decimal(UInt64(Self.bigEndian(body, block * 8 + 4, 4) &- base))
                }
            case 8:
                out.append(" TSval=" as StaticString)
                out.decimal(UInt64(Self.bigEndian(body, 0, 4)))
                out.append(" TSecr=" as StaticString)
                out.decimal(UInt64(Self.bigEndian(body, 4, 4)))
            default:
                break
            }
            return true
        }
    }

    @inline(__always)
    private static func bigEndian(_ bytes: UnsafeRawBufferPointer, _ at: Int, _ count: Int) -> UInt32 {
        var value: UInt32 = 0
        for i in at..<(at + count) { value = value << 8 | UInt32(bytes[i]) }
        return value
    }

    /// The row's slot, filled with its addresses and ports unless it already holds them.
    func slot(for row: ListingRow) -> Int {
        let index = (row.placement.connection &* 2 &+ (row.placement.from == .client ? 0 : 1)) & (Self.slotCount - 1)
        let ports = UInt32(row.tcp.sourcePort) << 16 | UInt32(row.tcp.destinationPort)
        let slot = slots[index]
        if slot.filled, slot.ports == ports, slot.source == row.source, slot.destination == row.destination { return index }
        let sourceText = String(describing: row.source), destinationText = String(describing: row.destination)
        var text = Array((Self.padded(row.source) + " " + Self.padded(row.destination) + " ").utf8)
        let addressLength = text.count
        text += "\(row.tcp.sourcePort) → \(row.tcp.destinationPort)".utf8
        // At most 2 × (39 + 1) + 5 + 5 + 5 bytes: the slot always has room.
        (slotText + index * Self.slotBytes).update(from: text, count: min(text.count, Self.slotBytes))
        slots[index] = Slot(source: row.source, destination: row.destination, ports: ports, filled: true,
                            addressLength: addressLength, portsLength: min(text.count, Self.slotBytes) - addressLength,
                            sourceLength: sourceText.utf8.count, destinationLength: destinationText.utf8.count)
        return index
    }

    /// An address left-aligned in 15 columns, as `PacketRow.line` pads it.
    private static func padded(_ address: IPAddress) -> String {
        let text = String(describing: address)
        return text + String(repeating: " ", count: max(0, 15 - text.count))
    }
}
