import LabPackets

/// Makes the packet list's rows in file order, as plain values for `ListingPrinter`: the Time
/// column's origin carries from one packet to the next, and a row keeps its segment's bytes for
/// the printer to follow HTTP through.
public struct ListingRowMaker {
    private var origin: Int64?
    /// Rows for `show --json`: the rows made whole here are made as JSON.
    private let json: Bool

    public init(json: Bool = false) { self.json = json }

    /// A packet a display filter hides still sets the Time column's origin and feeds HTTP's
    /// reassembly, as in Wireshark, where a filter changes which rows show and not what they say:
    /// a segment HTTP would look at goes into `batch` as a row that prints nothing.
    public mutating func hide(_ packet: Packet, _ segment: AnalyzedSegment?, into batch: inout ListingBatch) {
        if origin == nil { origin = packet.timestamp }
        guard let segment, Self.mayBeHTTP(segment.segment.header) else { return }
        segment.segment.bytes.withUnsafeBytes { bytes in
            addTCP(.hidden, number: packet.number, timestamp: packet.timestamp, frameLength: packet.frameLength,
                   source: packet.source ?? .v4(0), destination: packet.destination ?? .v4(0), segment.segment.header,
                   SegmentPlacement(segment), bytes: bytes, into: &batch)
        }
    }

    /// `hide` for a packet read in place; `placement` is what the analysis said of its TCP.
    public mutating func hide(_ view: PacketView, _ placement: SegmentPlacement?, into batch: inout ListingBatch) {
        if origin == nil { origin = view.timestamp }
        guard let placement, let tcp = view.headers.tcp, Self.mayBeHTTP(tcp) else { return }
        addTCP(.hidden, number: view.number, timestamp: view.timestamp, frameLength: view.frameLength,
               source: view.headers.source ?? .v4(0), destination: view.headers.destination ?? .v4(0), tcp, placement,
               bytes: view.transportBytes, into: &batch)
    }

    /// Adds the packet's row.
    public mutating func add(_ packet: Packet, _ segment: AnalyzedSegment?, into batch: inout ListingBatch) {
        if origin == nil { origin = packet.timestamp }
        guard let segment, let source = packet.source, let destination = packet.destination else {
            // Without TCP a row never involves HTTP. (A segment without addresses the analysis
            // never makes: such a row would be printed without the connection's HTTP.)
            let row = PacketRow(packet: packet, segment: segment, origin: origin ?? packet.timestamp)
            addLine(json ? row.compactJSON : row.line, into: &batch)
            return
        }
        segment.segment.bytes.withUnsafeBytes { bytes in
            addTCP(.tcp, number: packet.number, timestamp: packet.timestamp, frameLength: packet.frameLength, source: source,
                   destination: destination, segment.segment.header, SegmentPlacement(segment), bytes: bytes, into: &batch)
        }
    }

    /// Adds the row of a packet read in place, copying nothing of it but its TCP bytes.
    public mutating func add(_ view: PacketView, _ placement: SegmentPlacement?, into batch: inout ListingBatch) {
        if origin == nil { origin = view.timestamp }
        guard let placement, let tcp = view.headers.tcp, let source = view.headers.source,
              let destination = view.headers.destination else {
            // No TCP (or, never in practice, TCP without addresses): the rare rows, made from a copy.
            let packet = view.packet
            let segment = placement.flatMap { p in
                packet.tcp.map { AnalyzedSegment(packetIndex: view.number - 1, number: view.number, timestamp: view.timestamp,
                                                 segment: $0, placement: p) }
            }
            add(packet, segment, into: &batch)
            return
        }
        addTCP(.tcp, number: view.number, timestamp: view.timestamp, frameLength: view.frameLength, source: source,
               destination: destination, tcp, placement, bytes: view.transportBytes, into: &batch)
    }

    /// `HTTPTracker.summary` looks only at segments with bytes or a FIN; the rest it leaves alone.
    static func mayBeHTTP(_ tcp: TCPHeader) -> Bool { tcp.payloadLength > 0 || tcp.flags.contains(.fin) }

    private mutating func addTCP(_ kind: ListingRow.Kind, number: Int, timestamp: Int64, frameLength: Int, source: IPAddress,
                                 destination: IPAddress, _ tcp: TCPHeader, _ placement: SegmentPlacement,
                                 bytes: UnsafeRawBufferPointer, into batch: inout ListingBatch) {
        let start = batch.appendText(bytes)
        batch.append(ListingRow(kind: kind, number: number, timestamp: timestamp, elapsed: elapsed(from: origin ?? timestamp, to: timestamp),
                                frameLength: frameLength, source: source, destination: destination, tcp: tcp,
                                placement: placement, textStart: start, textLength: bytes.count))
    }

    /// Adds a line of text, printed as it is: the header, which goes out in order with the rows.
    public func addLine(_ line: String, into batch: inout ListingBatch) { add(line, kind: .line, into: &batch) }

    /// Adds text printed as it is, without a newline: `show --json`'s opening, in order with the rows.
    public func addRaw(_ text: String, into batch: inout ListingBatch) { add(text, kind: .raw, into: &batch) }

    private func add(_ line: String, kind: ListingRow.Kind, into batch: inout ListingBatch) {
        let start = batch.appendText(line)
        batch.append(ListingRow(kind: kind, number: 0, timestamp: 0, elapsed: 0, frameLength: 0, source: .v4(0),
                                destination: .v4(0), tcp: ListingRow.noTCP, placement: ListingRow.noPlacement,
                                textStart: start, textLength: batch.text.count - start))
    }
}
