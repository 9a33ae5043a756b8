/// Follows a chunked body (RFC 9112 §7.1) as its bytes arrive, in pieces of any size, to find
/// where it ends, and optionally collects the data it carries.
public struct ChunkedBody: Sendable {
    private enum State: Sendable {
        /// Reading a chunk-size line; `line` holds it so far.
        case size
        case data(remaining: Int)
        /// The CRLF after a chunk's data.
        case dataEnd
        /// Trailer lines after the last chunk, up to the empty line.
        case trailer
        case done
    }

    private var state = State.size
    private var line: [UInt8] = []

    /// A size line or trailer line is at most this long.
    static let maxLine = 4096

    public struct Malformed: Error, Sendable { public var detail: String }

    public init() {}

    public var isDone: Bool { if case .done = state { true } else { false } }

    /// Consumes from the start of `bytes` until the body ends or the bytes run out; returns how
    /// many it used. Chunk data is appended to `data` when given.
    public mutating func consume(_ bytes: ArraySlice<UInt8>, into data: inout [UInt8]?) throws(Malformed) -> Int {
        var i = bytes.startIndex
        while i < bytes.endIndex {
            switch state {
            case .done:
                return i - bytes.startIndex
            case let .data(remaining):
                let take = min(remaining, bytes.endIndex - i)
                data?.append(contentsOf: bytes[i..<(i + take)])
                i += take
                state = remaining == take ? .dataEnd : .data(remaining: remaining - take)
            case .size, .dataEnd, .trailer:
                let byte = bytes[i]
                i += 1
                guard byte == 0x0a else {
                    line.append(byte)
                    if line.count > Self.maxLine { throw Malformed(detail: "a chunk line longer than \(Self.maxLine) bytes") }
                    continue
                }
                if line.last == 0x0d { line.removeLast() }
                defer { line.removeAll(keepingCapacity: true) }
                try endLine()
            }
        }
        return i - bytes.startIndex
    }

    private mutating func endLine() throws(Malformed) {
        switch state {
        case .size:
            let hex = line.prefix { $0 != 0x3b && $0 != 0x20 && $0 != 0x09 }  // up to ";ext" or whitespace
            guard !hex.isEmpty, hex.count <= 15, let size = Int(String(decoding: hex, as: UTF8.self), radix: 16) else {
                throw Malformed(detail: "chunk size \"\(String(decoding: line.prefix(20), as: UTF8.self))\" is not hexadecimal")
            }
            state = size == 0 ? .trailer : .data(remaining: size)
        case .dataEnd:
            guard line.isEmpty else { throw Malformed(detail: "chunk data runs past its size") }
            state = .size
        case .trailer:
            if line.isEmpty { state = .done }
        case .data, .done:
            break
        }
    }
}
