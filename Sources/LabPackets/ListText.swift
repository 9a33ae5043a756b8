/// A long list cut to its head and tail, so a bulk transfer's verdict, pattern or system-call
/// summary stays one readable line.
public func abbreviated(_ items: [String], limit: Int = 24) -> String {
    guard items.count > limit else { return items.joined(separator: ", ") }
    let head = items.prefix(limit - 4), tail = items.suffix(4)
    return (head + ["… \(items.count - head.count - tail.count) more …"] + tail).joined(separator: ", ")
}
