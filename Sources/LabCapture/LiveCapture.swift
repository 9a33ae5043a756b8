import CPcap
import LabPackets
import LabSystem

/// A libpcap capture on one interface of the calling thread's network namespace, with
/// immediate delivery, a large kernel buffer and a BPF filter. Open it on the thread that
/// owns the namespace; read it from that thread too.
public final class LiveCapture {
    private let handle: OpaquePointer
    public let linkType: LinkType
    public let snapLength: Int
    private let selectableFD: Int32

    public struct Settings: Sendable, Equatable {
        public var interface = "lo"
        public var snapLength = 262_144
        public var bufferSize = 16 << 20
        public var filter: String
        /// A link type to ask for after activation (Linux cooked v2 on "any"); nil keeps the default.
        public var linkType: LinkType?

        public init(filter: String) { self.filter = filter }
    }

    public init(_ settings: Settings) throws(CaptureError) {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let handle = pcap_create(settings.interface, &errorBuffer) else {
            throw .pcap(call: "pcap_create(\(settings.interface))", message: errorBuffer.withUnsafeBufferPointer { $0.baseAddress.map { String(cString: $0) } ?? "" })
        }
        self.handle = handle
        snapLength = settings.snapLength
        func check(_ call: String, _ rc: Int32) throws(CaptureError) {
            if rc < 0 {
                let message = rc == PCAP_ERROR_PERM_DENIED ? "permission denied (\(String(cString: pcap_geterr(handle))))"
                    : String(cString: pcap_geterr(handle))
                pcap_close(handle)
                throw .pcap(call: call, message: message)
            }
        }
        try check("pcap_set_immediate_mode", pcap_set_immediate_mode(handle, 1))
        try check("pcap_set_snaplen", pcap_set_snaplen(handle, Int32(settings.snapLength)))
        try check("pcap_set_buffer_size", pcap_set_buffer_size(handle, Int32(settings.bufferSize)))
        try check("pcap_set_tstamp_precision", pcap_set_tstamp_precision(handle, Int32(PCAP_TSTAMP_PRECISION_NANO)))
        try check("pcap_activate(\(settings.interface))", pcap_activate(handle))
        if let wanted = settings.linkType {
            try check("pcap_set_datalink(\(wanted.rawValue))", pcap_set_datalink(handle, Int32(wanted.rawValue)))
        }
        linkType = LinkType(rawValue: UInt32(pcap_datalink(handle)))
        var program = bpf_program()
        try check("pcap_compile(\(settings.filter))",
                  pcap_compile(handle, &program, settings.filter, 1, PCAP_NETMASK_UNKNOWN))
        let rc = pcap_setfilter(handle, &program)
        pcap_freecode(&program)
        try check("pcap_setfilter", rc)
        try check("pcap_setnonblock", pcap_setnonblock(handle, 1, &errorBuffer))
        selectableFD = pcap_get_selectable_fd(handle)
        if selectableFD < 0 {
            pcap_close(handle)
            throw .pcap(call: "pcap_get_selectable_fd", message: "no selectable descriptor")
        }
    }

    private var closed = false

    deinit { close() }

    /// Releases the packet socket now rather than when the last reference goes, so a run can
    /// time it: the kernel waits out RCU grace periods here (ring teardown, then release).
    public func close() {
        guard !closed else { return }
        closed = true
        pcap_close(handle)
    }

    /// Waits until packets arrive, `wakeup` fires or `timeout` passes.
    public func wait(wakeup: Wakeup, timeout: Duration) throws(SystemError) {
        try Self.wait([self], wakeup: wakeup, timeout: timeout)
    }

    /// The same for several captures at once (one per host).
    public static func wait(_ captures: [LiveCapture], wakeup: Wakeup, timeout: Duration) throws(SystemError) {
        let ready = try Poll.readable(captures.map(\.selectableFD) + [wakeup.fd], timeout: timeout)
        if ready.contains(wakeup.fd) { wakeup.drain() }
    }

    /// Reads every packet available now, copying each out of libpcap's ring at once:
    /// the bytes are invalid after the next call.
    public func readAvailable() throws(CaptureError) -> [CapturedFrame] {
        guard !closed else { throw .pcap(call: "pcap_next_ex", message: "the capture is closed") }
        var frames: [CapturedFrame] = []
        while true {
            var header: UnsafeMutablePointer<pcap_pkthdr>?
            var data: UnsafePointer<UInt8>?
            let rc = pcap_next_ex(handle, &header, &data)
            if rc == 0 { return frames }
            guard rc == 1, let header, let data else {
                throw .pcap(call: "pcap_next_ex", message: String(cString: pcap_geterr(handle)))
            }
            let h = header.pointee
            let bytes = Array(UnsafeBufferPointer(start: data, count: Int(h.caplen)))[...]
            // With nanosecond precision libpcap stores nanoseconds in tv_usec.
            let timestamp = Int64(h.ts.tv_sec) * 1_000_000_000 + Int64(h.ts.tv_usec)
            frames.append(CapturedFrame(timestamp: timestamp, originalLength: Int(h.len), bytes: bytes))
        }
    }

    /// Packets the kernel or the interface dropped before libpcap saw them.
    public func drops() throws(CaptureError) -> Int {
        guard !closed else { throw .pcap(call: "pcap_stats", message: "the capture is closed") }
        var stats = pcap_stat()
        guard pcap_stats(handle, &stats) == 0 else {
            throw .pcap(call: "pcap_stats", message: String(cString: pcap_geterr(handle)))
        }
        return Int(stats.ps_drop) + Int(stats.ps_ifdrop)
    }
}
