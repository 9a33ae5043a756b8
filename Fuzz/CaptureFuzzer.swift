// libFuzzer entry point for the capture reader, the packet decoder, the conversation
// analysis and the Info column, linked against the LabPackets and LabReport modules.
// `make fuzz` builds it with -DFUZZING -sanitize=fuzzer,address, and libFuzzer supplies main;
// a plain build is a replayer that runs the files named on its command line through it.
import FoundationEssentials
import LabPackets
import LabReport
import LabSystem
#if canImport(Glibc)
import Glibc
#endif

@main
enum CaptureFuzzerMain {
    static func main() {
#if FUZZING
        // SwiftPM names every executable's entry point itself, so libFuzzer's own main cannot
        // be used; its driver can.
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzCapture(data ?? UnsafePointer(bitPattern: 1)!, size) })
#else
        for path in CommandLine.arguments.dropFirst() {
            guard let bytes = try? FileReader(path: path).read(upTo: 1 << 26) else { continue }
            _ = bytes.withUnsafeBufferPointer { fuzzCapture($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
        }
#endif
    }

    /// The surface under test: TCPLAB_FUZZ=experiment, judge, http or check; the capture
    /// decoder when unset.
    static let surface = ProcessInfo.processInfo.environment["TCPLAB_FUZZ"] ?? "capture"
}

enum Surface {
    static func run(_ bytes: [UInt8]) -> Bool {
        CaptureFuzzerMain.surface == "capture" ? false : Surfaces.run(CaptureFuzzerMain.surface, bytes)
    }
}

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCapture(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if Surface.run(bytes) { return 0 }
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
    // And so must the text list `show` prints from records read in place.
    let listed = inPlace(chunks)
    if listed != byPacket.listing {
        fatalError("the in-place list disagrees:\n\(byPacket.listing)\n---\n\(listed)")
    }
    return 0
}

/// What both paths must agree on: every connection's endpoints, counters and history.
private func summary(_ analyzer: ConversationAnalyzer) -> [String] {
    analyzer.connections.map { "\($0.client) \($0.server) \($0.clientStats) \($0.serverStats) \($0.history)" }
}

private func packetByPacket(_ chunks: [[UInt8]]) -> (frames: Int, summary: [String], listing: String) {
    var parser = CaptureParser()
    var analyzer = ConversationAnalyzer(retainSegments: true)
    var tracker = TeardownTracker()
    var rows = PacketRowBuilder()
    var number = 0
    var listing = ""
    read: for chunk in chunks {
        parser.append(chunk)
        do {
            while let record = try parser.next() {
                number += 1
                let packet = Packet.decode(record.frame, number: number, linkType: record.linkType)
                let segment = analyzer.add(packet, index: number - 1)
                tracker.add(packet)
                listing += rows.row(packet, segment).line + "\n"
                if let tcp = packet.tcp { _ = (tcp.options, tcp.optionsMalformed, tcp.mss, tcp.windowScale) }
            }
        } catch {
            _ = error.description
            break read
        }
    }
    _ = try? parser.finish()
    return (number, summary(analyzer), listing)
}

/// The text list as `show` makes it: each record decoded where it lies, rows made and printed in
/// batches of three, so batch boundaries fall everywhere.
private func inPlace(_ chunks: [[UInt8]]) -> String {
    var parser = CaptureParser()
    var analyzer = ConversationAnalyzer(retainSegments: false)
    var rows = ListingRowMaker()
    var printer = ListingPrinter()
    var batch = ListingBatch()
    var out = ByteBuffer()
    var number = 0
    read: for chunk in chunks {
        parser.append(chunk)
        do {
            try parser.forEachRecord { record in
                number += 1
                let view = PacketView(record, number: number)
                rows.add(view, analyzer.add(view.headers, number: number, timestamp: view.timestamp), into: &batch)
                if batch.count == 3 {
                    printer.write(batch, into: &out)
                    batch.removeAll()
                }
            }
        } catch {
            break read
        }
    }
    printer.write(batch, into: &out)
    return out.withBytes { String(decoding: $0, as: UTF8.self) }
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
