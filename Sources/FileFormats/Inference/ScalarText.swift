import Columnar

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Recognises and parses scalars written as text (CSV fields, JSON strings and number
/// literals), straight from their bytes.
public enum ScalarText {
    /// The narrowest kind that reads `text` (a CSV field or the contents of a JSON string);
    /// `numbers` allows integer/double (false for JSON strings, which stay text).
    public static func kind(of text: UnsafeRawBufferPointer, numbers: Bool) -> ScalarKind {
        guard let first = text.first else { return .string }
        if numbers {
            if first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || isDigit(first) {
                if parseInt64(text) != nil { return .integer }
                if parseDouble(text) != nil { return .double }
            }
            if first == UInt8(ascii: "t") || first == UInt8(ascii: "f") || first == UInt8(ascii: "T")
                || first == UInt8(ascii: "F"), parseBool(text) != nil
            {
                return .boolean
            }
        }
        if text.count >= 10 && isDigit(first) {
            if text.count == 10, parseDate(text) != nil { return .date }
            if let (_, zoned) = parseTimestamp(text) { return zoned ? .timestampZoned : .timestamp }
        }
        return .string
    }

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte &- 48 < 10 }

    /// A decimal integer with an optional sign, within Int64.
    @inlinable
    public static func parseInt64(_ text: UnsafeRawBufferPointer) -> Int64? {
        var index = 0
        let count = text.count
        guard count > 0 else { return nil }
        var negative = false
        if text[0] == UInt8(ascii: "-") {
            negative = true
            index = 1
        } else if text[0] == UInt8(ascii: "+") {
            index = 1
        }
        guard index < count else { return nil }
        // Accumulate negatively so Int64.min parses.
        var value: Int64 = 0
        while index < count {
            let digit = text[index] &- 48
            guard digit < 10 else { return nil }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = times.subtractingReportingOverflow(Int64(digit))
            if o1 || o2 { return nil }
            value = next
            index += 1
        }
        if negative { return value }
        return value == .min ? nil : -value
    }

    /// A decimal floating-point number (JSON's grammar, plus a leading '+', and the words
    /// NaN, Infinity, -Infinity, inf, -inf in any case). Correctly rounded (strtod).
    public static func parseDouble(_ text: UnsafeRawBufferPointer) -> Double? {
        let count = text.count
        guard count > 0, count < 1024 else { return nil }
        // Only digits, signs, '.', 'e', 'E' reach strtod (no hex floats, no spaces).
        var letters = false
        for byte in text {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "-"),
                UInt8(ascii: "e"), UInt8(ascii: "E"):
                continue
            default:
                letters = true
            }
        }
        if letters { return parseSpecialDouble(text) }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer -> Double? in
            for i in 0..<count { buffer[i] = CChar(bitPattern: text[i]) }
            buffer[count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(buffer.baseAddress!, &end)
            guard let end, end - buffer.baseAddress! == count else { return nil }
            return value.isFinite ? value : nil
        }
    }

    private static func parseSpecialDouble(_ text: UnsafeRawBufferPointer) -> Double? {
        var word = String(decoding: text, as: UTF8.self).lowercased()
        var sign = 1.0
        if word.hasPrefix("-") {
            sign = -1
            word.removeFirst()
        } else if word.hasPrefix("+") {
            word.removeFirst()
        }
        switch word {
        case "nan": return .nan
        case "inf", "infinity": return sign * .infinity
        default: return nil
        }
    }

    /// true / false, in lower, upper or title case.
    public static func parseBool(_ text: UnsafeRawBufferPointer) -> Bool? {
        switch text.count {
        case 4:
            let folded = (text[0] | 0x20, text[1] | 0x20, text[2] | 0x20, text[3] | 0x20)
            return folded == (116, 114, 117, 101) ? true : nil
        case 5:
            let folded = (text[0] | 0x20, text[1] | 0x20, text[2] | 0x20, text[3] | 0x20, text[4] | 0x20)
            return folded == (102, 97, 108, 115, 101) ? false : nil
        default:
            return nil
        }
    }

    @inline(__always)
    private static func digits(_ text: UnsafeRawBufferPointer, _ start: Int, _ count: Int) -> Int64? {
        guard start + count <= text.count else { return nil }
        var value: Int64 = 0
        for i in start..<(start + count) {
            let digit = text[i] &- 48
            guard digit < 10 else { return nil }
            value = value * 10 + Int64(digit)
        }
        return value
    }

    /// Days since 1970-01-01 of a YYYY-MM-DD date (the whole text), with a real calendar check.
    public static func parseDate(_ text: UnsafeRawBufferPointer) -> Int32? {
        guard text.count == 10 else { return nil }
        return parseDatePrefix(text).map { Int32(truncatingIfNeeded: $0) }
    }

    private static func parseDatePrefix(_ text: UnsafeRawBufferPointer) -> Int64? {
        guard text.count >= 10, text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-"),
            let year = digits(text, 0, 4), let month = digits(text, 5, 2), let day = digits(text, 8, 2),
            month >= 1, month <= 12, day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        return TextFormatting.days(fromCivil: year, month, day)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Microseconds since the epoch of an ISO-8601 timestamp
    /// `YYYY-MM-DD[T| ]HH:MM[:SS[.fraction]][Z|±HH[:MM]|±HHMM]`, and whether it named a zone
    /// (the value is then converted to UTC). Digits beyond microseconds are dropped. A leap
    /// second (:60) reads as :59.
    public static func parseTimestamp(_ text: UnsafeRawBufferPointer) -> (micros: Int64, zoned: Bool)? {
        guard text.count >= 16, let days = parseDatePrefix(text) else { return nil }
        let separator = text[10]
        guard separator == UInt8(ascii: "T") || separator == UInt8(ascii: " ") || separator == UInt8(ascii: "t"),
            let hour = digits(text, 11, 2), text[13] == UInt8(ascii: ":"), let minute = digits(text, 14, 2),
            hour < 24, minute < 60
        else { return nil }
        var index = 16
        var second: Int64 = 0
        var fraction: Int64 = 0
        if index < text.count && text[index] == UInt8(ascii: ":") {
            guard let s = digits(text, index + 1, 2), s < 61 else { return nil }
            second = min(s, 59)
            index += 3
            if index < text.count && (text[index] == UInt8(ascii: ".") || text[index] == UInt8(ascii: ",")) {
                index += 1
                var scale: Int64 = 100_000
                let start = index
                while index < text.count && isDigit(text[index]) {
                    fraction += Int64(text[index] &- 48) * scale
                    scale /= 10
                    index += 1
                }
                guard index > start, index - start <= 9 else { return nil }
            }
        }
        var offsetSeconds: Int64 = 0
        var zoned = false
        if index < text.count {
            let marker = text[index]
            if marker == UInt8(ascii: "Z") || marker == UInt8(ascii: "z") {
                zoned = true
                index += 1
            } else if marker == UInt8(ascii: "+") || marker == UInt8(ascii: "-") {
                guard let zoneHour = digits(text, index + 1, 2), zoneHour < 24 else { return nil }
                index += 3
                var zoneMinute: Int64 = 0
                if index < text.count {
                    if text[index] == UInt8(ascii: ":") { index += 1 }
                    guard let m = digits(text, index, 2), m < 60 else { return nil }
                    zoneMinute = m
                    index += 2
                }
                offsetSeconds = (zoneHour * 3600 + zoneMinute * 60) * (marker == UInt8(ascii: "-") ? -1 : 1)
                zoned = true
            }
        }
        guard index == text.count else { return nil }
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return (seconds * 1_000_000 + fraction, zoned)
    }
}
