import Columnar
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A UTC instant as Signature V4 writes it (`20260102T030405Z`), without Foundation: the civil
/// date comes from whole seconds since the epoch.
public struct S3Timestamp: Sendable, Hashable {
    public let secondsSinceEpoch: Int64

    public init(secondsSinceEpoch: Int64) { self.secondsSinceEpoch = secondsSinceEpoch }

    public static func now() -> S3Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return S3Timestamp(secondsSinceEpoch: Int64(spec.tv_sec))
    }

    /// `YYYYMMDD'T'HHMMSS'Z'`, the x-amz-date header.
    public var amzDate: String {
        let (year, month, day) = TextFormatting.civil(fromDays: floorDivide(secondsSinceEpoch, 86_400))
        let seconds = secondsSinceEpoch - floorDivide(secondsSinceEpoch, 86_400) * 86_400
        return pad(year, 4) + pad(month, 2) + pad(day, 2) + "T" + pad(seconds / 3600, 2) + pad(seconds / 60 % 60, 2)
            + pad(seconds % 60, 2) + "Z"
    }

    /// `YYYYMMDD`, the credential scope's date.
    public var day: String { String(amzDate.prefix(8)) }

    private func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private func floorDivide(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    /// Seconds since the epoch of S3's two date forms: ISO 8601 in XML (`2009-10-12T17:50:30.000Z`)
    /// and the HTTP date of Last-Modified (`Wed, 12 Oct 2009 17:50:30 GMT`). nil when neither.
    package static func parse(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int64? {
            guard from >= 0, from + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[from..<(from + count)] {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            return value
        }
        func seconds(_ y: Int64, _ mo: Int64, _ d: Int64, _ h: Int64, _ mi: Int64, _ s: Int64) -> Double? {
            guard (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61 else { return nil }
            return Double(TextFormatting.days(fromCivil: y, mo, d) * 86_400 + h * 3600 + mi * 60 + s)
        }
        if bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T") {
            guard let y = number(0, 4), let mo = number(5, 2), let d = number(8, 2), let h = number(11, 2),
                let mi = number(14, 2), let s = number(17, 2), var result = seconds(y, mo, d, h, mi, s)
            else { return nil }
            if bytes.count > 20, bytes[19] == UInt8(ascii: ".") {
                var scale = 0.1
                for byte in bytes[20...] where byte >= 0x30 && byte <= 0x39 {
                    result += Double(byte - 0x30) * scale
                    scale /= 10
                }
            }
            return result
        }
        // "Wed, 12 Oct 2009 17:50:30 GMT"
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let d = Int64(parts[1]), let y = Int64(parts[3]) else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let monthIndex = months.firstIndex(of: String(parts[2])) else { return nil }
        let clock = parts[4].split(separator: ":")
        guard clock.count == 3, let h = Int64(clock[0]), let mi = Int64(clock[1]), let s = Int64(clock[2]) else { return nil }
        return seconds(y, Int64(monthIndex + 1), d, h, mi, s)
    }
}
