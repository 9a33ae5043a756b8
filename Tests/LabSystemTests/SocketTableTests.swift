import Testing
@testable import LabSystem

/// The namespace's socket table as the kernel prints it: which ports listen, and on which address.
@Suite struct SocketTableTests {
    @Test func theSocketTableListsOnlyListeningPorts() {
        let table = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 00000000:3039 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0
           1: 0100007F:3039 0100007F:B0A2 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0000000000000000 20 4 30 10 -1
           2: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1 0000000000000000 100 0 0 10 0
        """
        #expect(SocketTable.parseListening(table) == [12345, 8080])
        #expect(SocketTable.parseListening("header only\n").isEmpty)
        #expect(SocketTable.parseListeners(table) == [Listener(address: "0.0.0.0", port: 12345), Listener(address: "127.0.0.1", port: 8080)])
    }

    /// The kernel prints each 32-bit word of an address in the machine's byte order, so a server
    /// bound to one address is told from one bound to every address, for IPv4 and IPv6.
    @Test func theSocketTableNamesTheAddressAListenerIsBoundTo() {
        let tcp6 = """
          sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 00000000000000000000000000000000:3039 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1
           1: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1
           2: 0000000000000000FFFF00000200007F:3039 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1
           3: 0000000000000000FFFF00000200007F:3039 0000000000000000FFFF00000100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 4 1
        """
        let listeners = SocketTable.parseListeners(tcp6)
        #expect(listeners == [Listener(address: "::", port: 12345), Listener(address: "::1", port: 8080), Listener(address: "::ffff:127.0.0.2", port: 12345)])
        #expect(listeners.map(\.onEveryAddress) == [true, false, false])
        #expect(SocketTable.parseListeners(" sl local\n 0: 0200007F:3039 00000000:0000 0A 0:0\n") == [Listener(address: "127.0.0.2", port: 12345)])
        #expect(SocketTable.parseListeners(" sl local\n 0: 0200XY7F:3039 00000000:0000 0A 0:0\n 1: 7F:3039 0:0 0A\n").isEmpty, "not an address")
    }
}
