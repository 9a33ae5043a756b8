/// Output bytes written through a pointer: the packet list's rows go here without a `String` or
/// an array's per-append checks, and leave in large blocks.
public struct ByteBuffer: ~Copyable {
    public private(set) var count = 0
    private var capacity: Int
    private var storage: UnsafeMutablePointer<UInt8>

    public init(capacity: Int = 1 << 20) {
        self.capacity = max(64, capacity)
        storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    /// Room for `n` more bytes.
    @inline(__always) mutating func reserve(_ n: Int) {
        if count + n > capacity { grow(count + n) }
    }

    private mutating func grow(_ needed: Int) {
        var bigger = capacity * 2
        while bigger < needed { bigger *= 2 }
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: bigger)
        moved.update(from: storage, count: count)
        storage.deallocate()
        storage = moved
        capacity = bigger
    }

    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        body(UnsafeRawBufferPointer(start: storage, count: count))
    }

    public mutating func removeAll() { count = 0 }

    @inline(__always) mutating func byte(_ b: UInt8) {
        reserve(1)
        storage[count] = b
        count += 1
    }

    @inline(__always) mutating func spaces(_ n: Int) {
        guard n > 0 else { return }
        reserve(n)
        (storage + count).initialize(repeating: 0x20, count: n)
        count += n
    }

    public mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        // An empty buffer (a segment without options) may have no base address at all.
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (storage + count).update(from: base, count: bytes.count)
        count += bytes.count
    }

    @inline(__always) mutating func append(_ bytes: UnsafeRawBufferPointer) {
        append(bytes.assumingMemoryBound(to: UInt8.self))
    }

    @inline(__always) mutating func append(_ text: StaticString) {
        append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    @inline(__always) static func digitCount(_ value: UInt64) -> Int {
        if value < 10 { return 1 }
        if value < 100 { return 2 }
        if value < 1000 { return 3 }
        if value < 10000 { return 4 }
        if value < 100_000 { return 5 }
        var n = 6, v = value / 1_000_000
        while v > 0 { v /= 10; n += 1 }
        return n
    }

    /// `value` in exactly `digits` digits, zero-filled on the left.
    @inline(__always) mutating func decimal(_ value: UInt64, digits: Int) {
        reserve(digits)
        var v = value, i = count + digits
        // Two digits per division by 100; the pair is split with a multiply.
        while i - count >= 2 {
            let (quotient, pair) = v.quotientAndRemainder(dividingBy: 100)
            let tens = (pair &* 103) >> 10  // pair / 10 for pair < 100
            storage[i - 1] = UInt8(truncatingIfNeeded: pair &- tens &* 10) &+ 0x30
            storage[i - 2] = UInt8(truncatingIfNeeded: tens) &+ 0x30
            v = quotient
            i -= 2
        }
        if i > count { storage[count] = UInt8(truncatingIfNeeded: v % 10) &+ 0x30 }
        count += digits
    }

    @inline(__always) mutating func decimal(_ value: UInt64) {
        if value < 10 { return byte(UInt8(truncatingIfNeeded: value) &+ 0x30) }
        decimal(value, digits: Self.digitCount(value))
    }

    mutating func signed(_ value: Int) {
        if value < 0 { byte(0x2d) }
        decimal(UInt64(value.magnitude))
    }

    /// Right-aligned in `width` columns.
    mutating func padLeft(_ value: Int, to width: Int) {
        let digits = Self.digitCount(UInt64(value.magnitude))
        spaces(width - digits - (value < 0 ? 1 : 0))
        if value < 0 { byte(0x2d) }
        decimal(UInt64(value.magnitude), digits: digits)
    }

    /// Left-aligned in `width` columns, counted in characters as `PacketRow.line` counts them.
    mutating func padded(_ text: String, to width: Int) {
        append(text)
        let columns = text.utf8.count == text.unicodeScalars.count ? text.utf8.count : text.count
        spaces(width - columns)
    }
}
