#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 address in host byte order, as the two-host link and the sockets use it.
public struct IPv4Address: Hashable, Sendable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    /// Dotted quad only ("10.0.2.15"): no shorthand forms, so a typo is never read as another address.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCII), let byte = UInt8(part),
                  part.count == 1 || part.first != "0" else { return nil }
            value = value << 8 | UInt32(byte)
        }
        self.value = value
    }

    public static let loopback = IPv4Address(0x7f00_0001)
    public static let any = IPv4Address(0)

    public var bytes: [UInt8] { [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }

    public var description: String { bytes.map(String.init).joined(separator: ".") }

    /// 127.0.0.0/8.
    public var isLoopback: Bool { value >> 24 == 127 }
}

/// An address and port, as `--listen` and `--connect` take them ("10.0.2.15:12345").
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    public var address: IPv4Address
    public var port: UInt16

    public init(_ address: IPv4Address, port: UInt16) {
        self.address = address
        self.port = port
    }

    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let address = IPv4Address(String(text[..<colon])),
              let port = UInt16(text[text.index(after: colon)...]), port > 0 else { return nil }
        self.init(address, port: port)
    }

    public var description: String { "\(address):\(port)" }

    var socketAddress: sockaddr_in {
        var raw = sockaddr_in()
        raw.sin_family = sa_family_t(AF_INET)
        raw.sin_port = in_port_t(port).bigEndian
        raw.sin_addr.s_addr = in_addr_t(address.value).bigEndian
        return raw
    }
}
