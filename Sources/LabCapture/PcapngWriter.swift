import LabPackets
import LabSystem

/// Writes frames as a pcapng file (draft-ietf-opsawg-pcapng) in pure Swift, because libpcap
/// writes only classic pcap, and classic pcap has no place for comments.
///
/// The file is one little-endian section: a Section Header Block, one Interface Description
/// Block (`lo`, nanosecond timestamps) and an Enhanced Packet Block per frame.
///
/// Comments: `comments[i]` belongs to frame i; nil, an empty string or a missing entry means
/// none. Each comment is one `opt_comment` option, so a comment of several lines is one
/// string with "\n" between them, shown by Wireshark as one comment. An option holds at most
/// 65535 bytes, so a longer comment (and any longer section or interface string) is
/// truncated there, at a UTF-8 character boundary, never split into several options.
public enum PcapngWriter {
    /// The interface every frame is recorded on: experiments capture on the loopback link.
    public static let interfaceName = "lo"

    /// The whole file's bytes. Pure.
    public static func encode(_ frames: [CapturedFrame], linkType: LinkType, snapLength: Int,
                              section: PcapngSection, comments: [String?]) -> [UInt8] {
        var file = PcapngBlockBuilder()
        file.block(type: 0x0A0D_0D0A) { shb in             // Section Header Block
            shb.append32(0x1A2B_3C4D)                      // uint32 byte_order_magic
            shb.append16(1)                                // uint16 major_version
            shb.append16(0)                                // uint16 minor_version
            shb.append64(UInt64.max)                       // int64 section_length: -1, not given
            shb.appendOption(2, text: section.hardware)    // shb_hardware
            shb.appendOption(3, text: section.os)          // shb_os
            shb.appendOption(4, text: section.application) // shb_userappl
            shb.appendOption(1, text: section.comment)     // opt_comment
            shb.appendEndOfOptions()
        }
        file.block(type: 0x0000_0001) { idb in             // Interface Description Block
            // The field is 16 bits; every LINKTYPE_ value fits, and the classic pcap FCS flags
            // in the upper bits have no place here.
            idb.append16(UInt16(truncatingIfNeeded: linkType.rawValue))  // uint16 linktype
            idb.append16(0)                                // uint16 reserved
            idb.append32(UInt32(clamping: snapLength))     // uint32 snaplen, 0 = no limit
            idb.appendOption(2, text: interfaceName)       // if_name
            idb.appendOption(9, [9])                       // if_tsresol: 10^-9 s, nanoseconds
            idb.appendEndOfOptions()
        }
        for (index, frame) in frames.enumerated() {
            let comment = index < comments.count ? comments[index] : nil
            file.block(type: 0x0000_0006) { epb in         // Enhanced Packet Block
                // Timestamps are unsigned in pcapng: a time before 1970 cannot be written.
                let ticks = UInt64(clamping: frame.timestamp)
                epb.append32(0)                            // uint32 interface_id
                epb.append32(UInt32(ticks >> 32))          // uint32 timestamp_high
                epb.append32(UInt32(ticks & 0xFFFF_FFFF))  // uint32 timestamp_low
                epb.append32(UInt32(frame.bytes.count))    // uint32 captured_len
                epb.append32(UInt32(clamping: max(frame.originalLength, frame.bytes.count)))  // uint32 original_len
                epb.appendPadded(frame.bytes)              // packet_data
                epb.appendOption(1, text: comment)         // opt_comment
                epb.appendEndOfOptions()
            }
        }
        return file.bytes
    }

    /// Encodes and writes the file. Like `PcapWriter`, it appears under its name only when
    /// complete: it is written to a temporary name beside it, then renamed; on failure
    /// neither the file nor the temporary one is left.
    public static func write(_ frames: [CapturedFrame], linkType: LinkType, snapLength: Int,
                             section: PcapngSection, comments: [String?], to path: String) throws(CaptureError) {
        let bytes = encode(frames, linkType: linkType, snapLength: snapLength, section: section, comments: comments)
        do {
            try AtomicFile.write(bytes, to: path)
        } catch {
            throw .write(path: path, message: "\(error)")
        }
    }
}
