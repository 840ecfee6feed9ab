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
        if text.count == 36, parseUUID(text) != nil { return .uuid }
        if text.count >= 10 && isDigit(first) {
            if text.count == 10, parseDate(text) != nil { return .date }
            if let (_, zoned) = parseTimestamp(text) { return zoned ? .timestampZoned : .timestamp }
        }
        return .string
    }

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte &- 48 < 10 }

    /// The value of one hexadecimal digit, or 0xFF (branch-free: the hot path of UUID columns).
    @inline(__always) static func hexValue(_ byte: UInt8) -> UInt8 {
        let digit = byte &- 48
        let letter = (byte | 0x20) &- 97
        return digit < 10 ? digit : (letter < 6 ? letter &+ 10 : 0xFF)
    }

    /// A UUID in its canonical text form (`8-4-4-4-12` hex digits, either case), as its 16
    /// bytes in the order written (two big-endian halves). Eight digits at a time (SWAR).
    public static func parseUUID(_ text: UnsafeRawBufferPointer) -> (UInt64, UInt64)? {
        guard text.count == 36, let base = text.baseAddress else { return nil }
        let dash = UInt8(ascii: "-")
        guard text[8] == dash, text[13] == dash, text[18] == dash, text[23] == dash else { return nil }
        @inline(__always) func word(_ offset: Int) -> UInt64 {
            UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        }
        @inline(__always) func half(_ offset: Int) -> UInt64 {
            UInt64(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        }
        guard let a = hexWord(word(0)), let b = hexWord(half(9) | half(14) << 32),
            let c = hexWord(half(19) | half(24) << 32), let d = hexWord(word(28))
        else { return nil }
        return (UInt64(a) << 32 | UInt64(b), UInt64(c) << 32 | UInt64(d))
    }

    /// Eight hex digits (the first in the lowest byte) as their 32-bit value, or nil when one
    /// is not a hex digit.
    @inline(__always)
    static func hexWord(_ x: UInt64) -> UInt32? {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        guard x & high == 0 else { return nil }
        // With every byte below 0x80, a byte is in [lo, hi] when adding 0x80-lo sets its top
        // bit and adding 0x7F-hi does not (no carry crosses into the next byte).
        let digit = (x &+ ones &* 0x50) & ~(x &+ ones &* 0x46) & high
        let lower = x | ones &* 0x20
        let letter = (lower &+ ones &* 0x1F) & ~(lower &+ ones &* 0x19) & high
        guard digit | letter == high else { return nil }
        // '0'-'9' -> low nibble; 'a'-'f' / 'A'-'F' -> low nibble + 9 (bit 6 marks letters).
        let values = (x & (ones &* 0x0F)) &+ ((x >> 6) & ones) &* 9
        // Pack the nibbles, first digit most significant.
        let pairs = ((values & 0x000F_000F_000F_000F) << 4) | ((values & 0x0F00_0F00_0F00_0F00) >> 8)
        let quads = (pairs | pairs >> 8) & 0x0000_FFFF_0000_FFFF
        let packed = UInt32(truncatingIfNeeded: quads | quads >> 16)
        return packed.byteSwapped
    }

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
        if let value = parseShortDecimal(text) { return value }
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

    /// Exact powers of ten that a Double holds (10^0 ... 10^22).
    @usableFromInline static let exactPowersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// Clinger's fast path for the common short decimals (`-12.345`, `0.96`, `1887`): up to
    /// 15 significant digits and a plain fraction, so the digits form an exact integer `m`
    /// below 2^53 and the value is `m / 10^k` with `10^k` exact; one IEEE division of two
    /// exact operands is correctly rounded, the same result as strtod. Anything else (an
    /// exponent, more digits) returns nil and takes the general path.
    @inline(__always)
    static func parseShortDecimal(_ text: UnsafeRawBufferPointer) -> Double? {
        let count = text.count
        guard count > 0, count <= 17, let base = text.baseAddress else { return nil }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        var index = 0
        let negative = bytes[0] == UInt8(ascii: "-")
        if negative { index = 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        var seenPoint = false
        var pointFollowedByDigit = true
        while index < count {
            let byte = bytes[index]
            let digit = byte &- 48
            if digit < 10 {
                mantissa = mantissa &* 10 &+ UInt64(digit)
                digits &+= 1
                if seenPoint { fractionDigits &+= 1 }
                pointFollowedByDigit = true
            } else if byte == UInt8(ascii: "."), !seenPoint, digits > 0 {
                seenPoint = true
                pointFollowedByDigit = false
            } else {
                return nil
            }
            index &+= 1
        }
        guard digits > 0, digits <= 15, pointFollowedByDigit else { return nil }
        let magnitude = Double(mantissa) / exactPowersOfTen[fractionDigits]
        return negative ? -magnitude : magnitude
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
