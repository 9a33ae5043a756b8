/// Builds response bytes: status line, Date, Server, Content-Type, Content-Length and
/// Connection, then the body, as one buffer so one `send` carries it all.
enum HTTPResponse {
    static let reasons = [200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
                          408: "Request Timeout", 414: "URI Too Long", 431: "Request Header Fields Too Large",
                          505: "HTTP Version Not Supported"]

    static func build(status: Int, contentType: String, body: [UInt8], keepAlive: Bool, includeBody: Bool,
                      now: Int64, extraHeaders: [String] = []) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(reasons[status] ?? "Error")\r\n"
        head += "Date: \(httpDate(now))\r\n"
        head += "Server: tcplab\r\n"
        head += "Content-Type: \(contentType)\r\n"
        head += "Content-Length: \(body.count)\r\n"
        for header in extraHeaders { head += header + "\r\n" }
        head += "Connection: \(keepAlive ? "keep-alive" : "close")\r\n\r\n"
        return Array(head.utf8) + (includeBody ? body : [])
    }

    static func error(_ status: Int, keepAlive: Bool, now: Int64, includeBody: Bool = true) -> [UInt8] {
        let text = "\(status) \(reasons[status] ?? "Error")\n"
        return build(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8), keepAlive: keepAlive,
                     includeBody: includeBody, now: now, extraHeaders: status == 405 ? ["Allow: GET, HEAD"] : [])
    }

    /// RFC 9110's IMF-fixdate, "Wed, 25 Nov 2026 13:57:00 GMT", from Unix seconds: always 29 characters.
    static func httpDate(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        let weekday = Int((days % 7 + 11) % 7)  // 1970-01-01 was a Thursday
        let names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(names[weekday]), \(two(day)) \(months[Int(month) - 1]) \(year) "
            + "\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) GMT"
    }
}
