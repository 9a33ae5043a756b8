import CPcap
import LabPackets
import LabSystem

/// Writes frames as a classic pcap file through libpcap's dumper. The file appears under
/// its name only when complete: it is written to a temporary name beside it, then renamed.
public enum PcapWriter {
    public static func write(_ frames: [CapturedFrame], linkType: LinkType, snapLength: Int,
                             to path: String) throws(CaptureError) {
        guard let dead = pcap_open_dead_with_tstamp_precision(
            Int32(linkType.rawValue), Int32(snapLength), UInt32(PCAP_TSTAMP_PRECISION_NANO))
        else { throw .write(path: path, message: "pcap_open_dead failed") }
        defer { pcap_close(dead) }
        let temporary = FileSystem.temporaryName(for: path)
        let file: UnsafeMutablePointer<FILE>
        do { file = try FileSystem.createPartialStream(temporary) } catch {
            // Its slot in the interrupt handler's table is released, or a few failures fill it.
            FileSystem.remove(temporary)
            throw .write(path: path, message: "\(error)")
        }
        guard let dumper = pcap_dump_fopen(dead, file) else {
            FileSystem.closeStream(file)
            FileSystem.remove(temporary)
            throw .write(path: path, message: String(cString: pcap_geterr(dead)))
        }
        for frame in frames {
            var header = pcap_pkthdr()
            header.ts.tv_sec = Int(frame.timestamp / 1_000_000_000)
            header.ts.tv_usec = Int(frame.timestamp % 1_000_000_000)  // nanoseconds at this precision
            header.caplen = UInt32(frame.bytes.count)
            header.len = UInt32(frame.originalLength)
            frame.bytes.withUnsafeBufferPointer { bytes in
                pcap_dump(UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self), &header, bytes.baseAddress)
            }
        }
        let flushed = pcap_dump_flush(dumper)  // -1 when a buffered write failed (disk full, …)
        pcap_dump_close(dumper)
        guard flushed == 0 else {
            FileSystem.remove(temporary)
            throw .write(path: path, message: "writing the trace failed")
        }
        do {
            try FileSystem.rename(temporary, to: path)
        } catch {
            FileSystem.remove(temporary)
            throw .write(path: path, message: "\(error)")
        }
    }
}
