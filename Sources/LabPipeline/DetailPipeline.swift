import LabCapture
import LabPackets
import LabReport

/// `show --detail N` and `--hex N`: one packet's details tree and bytes, as `tshark -n -V -x`
/// prints them. The packets before it are analysed (relative numbers, stream index, analysis
/// flags and HTTP need them) without being kept, and reading stops at packet N.
enum DetailPipeline {
    static func run(_ file: String, packet wanted: Int, tree: Bool, hex: Bool, into output: inout StandardOutputBuffer) throws(CommandFailure) {
        guard wanted >= 1 else { throw CommandFailure("--detail and --hex count packets from 1; got \(wanted)", exitCode: 64) }
        var analyzer = ConversationAnalyzer(retainSegments: false)
        var rows = PacketRowBuilder()
        var origin: Int64?
        var read = 0
        var found: (packet: Packet, segment: AnalyzedSegment?, linkType: LinkType, http: Bool)?
        do {
            try CaptureFileReader.scan(file) { record in
                read += 1
                let packet = Packet.decode(record, number: read)
                if origin == nil { origin = packet.timestamp }
                let segment = analyzer.add(packet, index: read - 1)
                let row = rows.row(packet, segment)
                guard read == wanted else { return }
                found = (packet, segment, record.linkType, row.protocolName.hasPrefix("HTTP"))
                throw Found()
            }
        } catch is Found {
        } catch let error as CaptureFileError {
            if found == nil { throw CommandFailure(error) }
        } catch {
            throw CommandFailure("\(file): \(error)", exitCode: 70)
        }
        guard let found, let origin else {
            let which = tree ? "--detail" : "--hex"
            throw CommandFailure("\(file) has \(read) packet\(read == 1 ? "" : "s"); \(which) \(wanted) is past the last", exitCode: 64)
        }
        if tree {
            let details = PacketDetails(found.packet, found.segment, linkType: found.linkType, origin: origin, http: found.http)
            output.append(details.text)
        }
        if hex {
            if tree { output.append("\n") }
            output.append(PacketDetails.hexDump(found.packet.bytes))
        }
    }

    private struct Found: Error {}
}
