// libFuzzer entry point for the capture reader, the packet decoder, the conversation
// analysis and the Info column. Built by `make fuzz` as one module with LabPackets and the
// row code of LabReport, with -sanitize=fuzzer,address.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCapture(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Feed the file in two pieces split by the first byte, so record boundaries that fall
    // across chunks are exercised too.
    let cut = bytes.isEmpty ? 0 : Int(bytes[0]) * bytes.count / 256
    var parser = CaptureParser()
    var analyzer = ConversationAnalyzer(retainSegments: true)
    var tracker = TeardownTracker()
    var rows = PacketRowBuilder()
    var number = 0
    for chunk in [Array(bytes[..<cut]), Array(bytes[cut...])] {
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
            return 0
        }
    }
    _ = try? parser.finish()
    return 0
}
