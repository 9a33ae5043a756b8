import CLinux
import Testing

/// How the rtnetlink exchange picks its acknowledgement out of a reply: only the one for its
/// own sequence number and port, and never by reading past the reply.
@Suite struct NetlinkReplyTests {
    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(v >> (8 * $0) & 0xff) } }
    static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8)] }

    /// One nlmsghdr (len, type, flags, seq, pid) and its body, padded to 4 bytes.
    static func message(type: UInt16, seq: UInt32, pid: UInt32, body: [UInt8], length: UInt32? = nil) -> [UInt8] {
        let header = le32(length ?? UInt32(16 + body.count)) + le16(type) + le16(0) + le32(seq) + le32(pid)
        let bytes = header + body
        return bytes + [UInt8](repeating: 0, count: (4 - bytes.count % 4) % 4)
    }

    /// NLMSG_ERROR (2): the errno, negated, then the request's own header.
    static func acknowledgement(seq: UInt32, pid: UInt32, errno: Int32) -> [UInt8] {
        message(type: 2, seq: seq, pid: pid, body: le32(UInt32(bitPattern: -errno)) + [UInt8](repeating: 0, count: 16))
    }

    static func find(_ reply: [UInt8], seq: UInt32 = 7, port: UInt32 = 4242) -> (found: Int32, error: Int32) {
        var error: Int32 = -1
        let found = reply.withUnsafeBytes { clinux_netlink_acknowledgement($0.baseAddress, $0.count, seq, port, &error) }
        return (found, error)
    }

    @Test func takesTheAcknowledgementOfItsOwnRequest() {
        #expect(Self.find(Self.acknowledgement(seq: 7, pid: 4242, errno: 0)) == (1, 0))
        #expect(Self.find(Self.acknowledgement(seq: 7, pid: 4242, errno: 17)) == (1, 17))  // EEXIST
    }

    @Test func skipsAcknowledgementsOfOtherRequestsAndOtherSockets() {
        let stale = Self.acknowledgement(seq: 6, pid: 4242, errno: 17)
        let otherSocket = Self.acknowledgement(seq: 7, pid: 99, errno: 17)
        #expect(Self.find(stale).found == 0)
        #expect(Self.find(otherSocket).found == 0)
        #expect(Self.find(stale + otherSocket + Self.acknowledgement(seq: 7, pid: 4242, errno: 0)) == (1, 0))
    }

    @Test func skipsOtherMessagesOfTheSameRequest() {
        let newLink = Self.message(type: 16, seq: 7, pid: 4242, body: [UInt8](repeating: 0, count: 16))  // RTM_NEWLINK
        #expect(Self.find(newLink).found == 0)
        #expect(Self.find(newLink + Self.acknowledgement(seq: 7, pid: 4242, errno: 1)) == (1, 1))
    }

    @Test func aShortOrLyingReplyIsNeverReadPast() {
        let ack = Self.acknowledgement(seq: 7, pid: 4242, errno: 0)
        for cut in 0..<ack.count { #expect(Self.find(Array(ack.prefix(cut))).found == 0, "cut at \(cut)") }
        let tooLong = Self.message(type: 2, seq: 7, pid: 4242, body: [0, 0, 0, 0], length: 4096)
        #expect(Self.find(tooLong).found == 0)
        let noRoomForTheError = Self.message(type: 2, seq: 7, pid: 4242, body: [0, 0, 0, 0])
        #expect(Self.find(noRoomForTheError).found == -1)
    }
}
