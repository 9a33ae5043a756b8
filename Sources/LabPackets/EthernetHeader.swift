/// An Ethernet II header and the VLAN tags after it: the one reading of them, for the packet
/// decoder (which steps over the tags) and the details tree (which names each one).
public enum EthernetHeader {
    /// The first type field, after the destination and source addresses.
    public static let typeOffset = 12

    /// One 802.1Q or 802.1ad tag: its tag protocol ID, then 4 bytes (control, then the next type).
    public struct Tag: Sendable, Equatable {
        /// 0x8100 for 802.1Q (a customer tag), 0x88a8 for 802.1ad (a provider's, outside it).
        public var protocolID: UInt16
        /// Tag control information: priority (3 bits), drop eligible (1), VLAN ID (12).
        public var control: UInt16
        /// Where the control field starts in the frame; the next type field follows it.
        public var offset: Int
        /// The type field after this tag: another tag's protocol ID, or the network protocol's.
        public var nextType: UInt16

        public var priority: Int { Int(control >> 13) }
        public var dropEligible: Int { Int(control >> 12 & 1) }
        public var vlanID: Int { Int(control & 0xfff) }
    }

    /// Whether a type field announces a VLAN tag rather than a network protocol.
    @inline(__always)
    public static func isTag(_ etherType: UInt16) -> Bool { etherType == 0x8100 || etherType == 0x88a8 }

    /// Reads the header and every stacked tag (QinQ), handing each tag to `tag` as it is read,
    /// so a tag is seen even when a later one is cut short. Returns the network protocol's type
    /// and where it starts; throws where the bytes end. Allocates nothing.
    @inline(__always)
    public static func walk(_ bytes: UnsafeRawBufferPointer,
                            tag: (Tag) -> Void = { _ in }) throws(DecodeError) -> (etherType: UInt16, start: Int) {
        var c = ByteCursor(bytes, layer: "eth")
        try c.skip(typeOffset, "dst/src")
        var etherType = try c.u16("type")
        while isTag(etherType) {
            let offset = c.position
            let control = try c.u16("vlan.tci")
            let next = try c.u16("vlan.etype")
            tag(Tag(protocolID: etherType, control: control, offset: offset, nextType: next))
            etherType = next
        }
        return (etherType, c.position)
    }
}
