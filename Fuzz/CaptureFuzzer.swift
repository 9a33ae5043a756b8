// libFuzzer entry point for the capture reader, the packet decoder, the conversation
// analysis and the Info column. Built by `make fuzz` as one module with LabPackets and the
// row code of LabReport, with -sanitize=fuzzer,address.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCapture(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Feed the file in two pieces split by the first byte, so record boundaries that fall
    // across chunks are exercised too.
    let cut = bytes.isEmpty ? 0 : Int(bytes[0]) * bytes.count / 256
    let chunks = [Array(bytes[..<cut]), Array(bytes[cut...])]
    let byPacket = packetByPacket(chunks)
    let byBatch = inBatches(chunks)
    // The streaming path of `tcplab show` must agree with the packet-by-packet one on anything.
    if byPacket.frames != byBatch.frames || byPacket.summary != byBatch.summary {
        fatalError("batches disagree: \(byPacket.frames) frames, \(byPacket.summary) / \(byBatch.frames) frames, \(byBatch.summary)")
    }
    return 0
}

/// What both paths must agree on: every connection's endpoints, counters and history.
private func summary(_ analyzer: ConversationAnalyzer) -> [String] {
    analyzer.connections.map { "\($0.client) \($0.server) \($0.clientStats) \($0.serverStats) \($0.history)" }
}

private func packetByPacket(_ chunks: [[UInt8]]) -> (frames: Int, summary: [String]) {
    var parser = CaptureParser()
    var analyzer = ConversationAnalyzer(retainSegments: true)
    var tracker = TeardownTracker()
    var rows = PacketRowBuilder()
    var number = 0
    read: for chunk in chunks {
        parser.append(chunk)
        do {
            while let record = try parser.next() {
                number += 1
                let packet = Packet.decode(record.frame, number: number, linkType: record.linkType)
                let segment = analyzer.add(packet, index: number - 1)
                tracker.add(packet)
                _ = rows.row(packet, segment).line
                if let tcp = packet.tcp { _ = (tcp.options, tcp.optionsMalformed, tcp.mss, tcp.windowScale) }
            }
        } catch {
            _ = error.description
            break read
        }
    }
    _ = try? parser.finish()
    return (number, summary(analyzer))
}

/// Batches of three segments, so batch boundaries fall everywhere too.
private func inBatches(_ chunks: [[UInt8]]) -> (frames: Int, summary: [String]) {
    var parser = CaptureParser()
    var analyzer = ConversationAnalyzer(retainSegments: false)
    var flows = FlowIndex()
    var batch = SegmentBatch()
    var number = 0
    read: for chunk in chunks {
        parser.append(chunk)
        while true {
            do {
                try parser.decodeSegments(into: &batch, limit: 3, flows: &flows, frameNumber: &number)
            } catch {
                analyzer.add(batch)
                break read
            }
            analyzer.add(batch)
            let full = batch.segments.count == 3
            batch.removeAll()
            if !full { break }
        }
    }
    return (number, summary(analyzer))
}
