import Columnar

// Scalars from text, over UTF-8 bytes without building a String: what CAST from a string
// column runs per value, and what the parser uses for literals. Surrounding spaces are
// allowed (as in PostgreSQL's casts); anything else that is not the value is a failure.

/// Powers of ten up to 10^38 as Int128 (decimal precision is at most 38 digits).
let powersOfTen: [Int128] = {
    var table: [Int128] = [1]
    for _ in 1...38 { table.append(table[table.count - 1] * 10) }
    return table
}()

@inline(__always)
func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

@inline(__always)
func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }

/// The bytes without leading and trailing ASCII whitespace.
@inline(__always)
func trimmed<C: RandomAccessCollection>(_ bytes: C) -> C.SubSequence where C.Element == UInt8 {
    var start = bytes.startIndex
    var end = bytes.endIndex
    while start < end, isSpace(bytes[start]) { start = bytes.index(after: start) }
    while end > start, isSpace(bytes[bytes.index(before: end)]) { end = bytes.index(before: end) }
    return bytes[start..<end]
}

enum IntegerText {
    /// `[+-]digits`, within Int64.
    static func parse<C: RandomAccessCollection>(_ raw: C) -> Int64? where C.Element == UInt8 {
        let bytes = trimmed(raw)
        var i = bytes.startIndex
        guard i < bytes.endIndex else { return nil }
        var negative = false
        if bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i = bytes.index(after: i)
        }
        guard i < bytes.endIndex else { return nil }
        // Accumulate negatively so Int64.min parses.
        var value: Int64 = 0
        while i < bytes.endIndex {
            let b = bytes[i]
            guard isDigit(b) else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.subtractingReportingOverflow(Int64(b &- 0x30))
            if o1 || o2 { return nil }
            value = next
            i = bytes.index(after: i)
        }
        if negative { return value }
        return value == .min ? nil : -value
    }
}

enum BooleanText {
    /// true/false, t/f, yes/no, y/n, on/off, 1/0 (any case).
    static func parse<C: RandomAccessCollection>(_ raw: C) -> Bool? where C.Element == UInt8 {
        let bytes = trimmed(raw)
        guard bytes.count <= 5 else { return nil }
        var word: UInt64 = 0
        for b in bytes { word = word << 8 | UInt64(b | (b >= 0x41 && b <= 0x5A ? 0x20 : 0)) }
        switch word {
        case 0x74_72_75_65, 0x74, 0x79_65_73, 0x79, 0x6F_6E, 0x31: return true  // true t yes y on 1
        case 0x66_61_6C_73_65, 0x66, 0x6E_6F, 0x6E, 0x6F_66_66, 0x30: return false  // false f no n off 0
        default: return nil
        }
    }
}

enum DecimalText {
    /// A decimal number split into at most 38 significant digits and a power of ten:
    /// value = ±mantissa × 10^exponent. Digits past the 38th are dropped; `roundUp` says
    /// whether the first dropped one was 5 or more.
    struct Parsed {
        var negative = false
        var mantissa: Int128 = 0
        var digits = 0
        var exponent = 0
        var dropped = false
        var roundUp = false
        var hadExponent = false
    }

    /// `[+-]digits[.digits][e[+-]digits]` (digits on at least one side of the point).
    static func scan<C: RandomAccessCollection>(_ raw: C) -> Parsed? where C.Element == UInt8 {
        let bytes = trimmed(raw)
        var i = bytes.startIndex
        var result = Parsed()
        guard i < bytes.endIndex else { return nil }
        if bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            result.negative = bytes[i] == UInt8(ascii: "-")
            i = bytes.index(after: i)
        }
        var sawDigit = false
        var afterPoint = false
        while i < bytes.endIndex {
            let b = bytes[i]
            if isDigit(b) {
                sawDigit = true
                let digit = Int128(b &- 0x30)
                if result.digits == 0 && digit == 0 {
                    // A leading zero: only moves the point when after it.
                    if afterPoint { result.exponent -= 1 }
                } else if result.digits < 38 {
                    result.mantissa = result.mantissa * 10 + digit
                    result.digits += 1
                    if afterPoint { result.exponent -= 1 }
                } else {
                    if !result.dropped { result.roundUp = digit >= 5 }
                    result.dropped = true
                    if !afterPoint { result.exponent += 1 }
                }
            } else if b == UInt8(ascii: "."), !afterPoint {
                afterPoint = true
            } else {
                break
            }
            i = bytes.index(after: i)
        }
        guard sawDigit else { return nil }
        if i < bytes.endIndex {
            guard bytes[i] | 0x20 == UInt8(ascii: "e") else { return nil }
            i = bytes.index(after: i)
            var negativeExponent = false
            if i < bytes.endIndex, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
                negativeExponent = bytes[i] == UInt8(ascii: "-")
                i = bytes.index(after: i)
            }
            guard i < bytes.endIndex else { return nil }
            var exponent = 0
            while i < bytes.endIndex {
                guard isDigit(bytes[i]) else { return nil }
                exponent = min(exponent * 10 + Int(bytes[i] &- 0x30), 100_000)
                i = bytes.index(after: i)
            }
            result.exponent += negativeExponent ? -exponent : exponent
            result.hadExponent = true
        }
        return result
    }

    /// A literal `12.50`: unscaled 1250, 4 significant digits, scale 2. Nil past 38 digits.
    static func parse<C: RandomAccessCollection>(_ raw: C, maxDigits: Int) -> (unscaled: Int128, digits: Int, scale: Int)? where C.Element == UInt8 {
        guard let parsed = scan(raw), !parsed.dropped, !parsed.hadExponent, -parsed.exponent <= maxDigits else {
            return nil
        }
        return (parsed.negative ? -parsed.mantissa : parsed.mantissa, parsed.digits, -parsed.exponent)
    }

    /// The unscaled value at `scale` (rounded half away from zero), nil when it needs more
    /// than `precision` digits or the text is not a number.
    static func parse<C: RandomAccessCollection>(_ raw: C, precision: Int, scale: Int) -> Int128? where C.Element == UInt8 {
        guard let parsed = scan(raw) else { return nil }
        return rescale(parsed, precision: precision, scale: scale)
    }

    static func rescale(_ parsed: Parsed, precision: Int, scale: Int) -> Int128? {
        let shift = parsed.exponent + scale
        var magnitude: Int128
        if parsed.mantissa == 0 {
            magnitude = 0
        } else if shift >= 0 {
            guard shift <= 38, !(parsed.dropped && shift > 0) else { return nil }
            let (product, overflow) = parsed.mantissa.multipliedReportingOverflow(by: powersOfTen[shift])
            guard !overflow else { return nil }
            magnitude = product + (parsed.dropped && parsed.roundUp ? 1 : 0)
        } else if -shift > 38 {
            magnitude = 0
        } else {
            let divisor = powersOfTen[-shift]
            magnitude = parsed.mantissa / divisor
            let firstDropped = (parsed.mantissa / powersOfTen[-shift - 1]) % 10
            if firstDropped >= 5 { magnitude += 1 }
        }
        guard magnitude < powersOfTen[min(precision, 38)] else { return nil }
        return parsed.negative ? -magnitude : magnitude
    }
}

enum FloatText {
    /// A decimal or scientific number, or NaN / Infinity / inf (any case, with a sign).
    static func parse<C: RandomAccessCollection>(_ raw: C) -> Double? where C.Element == UInt8 {
        if let parsed = DecimalText.scan(raw) {
            // Exact when the digits fit a double's mantissa and the power of ten is exact too
            // (Clinger's fast path); the standard library's correctly rounded parser otherwise.
            if !parsed.dropped, parsed.mantissa <= 1 << 53, abs(parsed.exponent) <= 22 {
                let m = Double(parsed.mantissa)
                let value = parsed.exponent >= 0 ? m * exactPowers[parsed.exponent] : m / exactPowers[-parsed.exponent]
                return parsed.negative ? -value : value
            }
            let text = String(decoding: trimmed(raw), as: UTF8.self)
            return Double(text)
        }
        let bytes = trimmed(raw)
        var i = bytes.startIndex
        var negative = false
        if i < bytes.endIndex, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i = bytes.index(after: i)
        }
        let word = bytes[i...]
        if equalsLowercased(word, "nan") { return .nan }
        if equalsLowercased(word, "inf") || equalsLowercased(word, "infinity") {
            return negative ? -.infinity : .infinity
        }
        return nil
    }

    private static let exactPowers: [Double] = (0...22).map { Double(powersOfTen[$0]) }

    static func equalsLowercased<C: Collection>(_ bytes: C, _ word: StaticString) -> Bool where C.Element == UInt8 {
        guard bytes.count == word.utf8CodeUnitCount else { return false }
        var i = 0
        for b in bytes {
            if b | 0x20 != word.utf8Start[i] { return false }
            i += 1
        }
        return true
    }
}

enum CalendarText {
    static let secondsPerDay: Int64 = 86_400

    struct Timestamp {
        /// Seconds since the epoch (UTC when the text had a zone; wall clock otherwise).
        var seconds: Int64
        var nanoseconds: Int64
        var fractionDigits: Int
        var hasZone: Bool

        /// In `unit` (fraction digits finer than the unit are cut off), nil on overflow.
        func value(in unit: TimeUnit) -> Int64? {
            let (scaled, o1) = seconds.multipliedReportingOverflow(by: unit.perSecond)
            let (sum, o2) = scaled.addingReportingOverflow(nanoseconds / (1_000_000_000 / unit.perSecond))
            return o1 || o2 ? nil : sum
        }
    }

    /// `YYYY-MM-DD` (a year of 4 to 6 digits, optionally signed) as days since 1970-01-01.
    static func parseDate<C: RandomAccessCollection>(_ raw: C) -> Int32? where C.Element == UInt8, C.Index == Int {
        let bytes = trimmed(raw)
        var i = bytes.startIndex
        guard let days = date(bytes, &i), i == bytes.endIndex, let result = Int32(exactly: days) else { return nil }
        return result
    }

    /// A date, optionally followed by `T` or a space and `HH:MM[:SS[.fraction]]`, optionally
    /// followed by `Z` or an offset `±HH[:MM]`.
    static func parseTimestamp<C: RandomAccessCollection>(_ raw: C) -> Timestamp? where C.Element == UInt8, C.Index == Int {
        let bytes = trimmed(raw)
        var i = bytes.startIndex
        guard let days = date(bytes, &i) else { return nil }
        var seconds = days * secondsPerDay
        var nanoseconds: Int64 = 0
        var fractionDigits = 0
        var hasZone = false
        if i < bytes.endIndex, bytes[i] == UInt8(ascii: "T") || bytes[i] == UInt8(ascii: "t") || bytes[i] == 0x20 {
            i += 1
            guard let hours = digits(bytes, &i, count: 2), hours < 24, expect(bytes, &i, ":"),
                let minutes = digits(bytes, &i, count: 2), minutes < 60
            else { return nil }
            seconds += hours * 3600 + minutes * 60
            if i < bytes.endIndex, bytes[i] == UInt8(ascii: ":") {
                i += 1
                guard let secs = digits(bytes, &i, count: 2), secs < 60 else { return nil }
                seconds += secs
                if i < bytes.endIndex, bytes[i] == UInt8(ascii: ".") {
                    i += 1
                    while i < bytes.endIndex, isDigit(bytes[i]) {
                        guard fractionDigits < 9 else { return nil }
                        nanoseconds = nanoseconds * 10 + Int64(bytes[i] &- 0x30)
                        fractionDigits += 1
                        i += 1
                    }
                    guard fractionDigits > 0 else { return nil }
                    for _ in fractionDigits..<9 { nanoseconds *= 10 }
                }
            }
            if i < bytes.endIndex, bytes[i] == 0x20 { i += 1 }
            if i < bytes.endIndex {
                if bytes[i] == UInt8(ascii: "Z") || bytes[i] == UInt8(ascii: "z") {
                    i += 1
                } else if bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                    let sign: Int64 = bytes[i] == UInt8(ascii: "-") ? -1 : 1
                    i += 1
                    guard let offsetHours = digits(bytes, &i, count: 2), offsetHours <= 18 else { return nil }
                    var offsetMinutes: Int64 = 0
                    if i < bytes.endIndex {
                        if bytes[i] == UInt8(ascii: ":") { i += 1 }
                        guard let m = digits(bytes, &i, count: 2), m < 60 else { return nil }
                        offsetMinutes = m
                    }
                    // 13:00+02:00 is 11:00 UTC.
                    seconds -= sign * (offsetHours * 3600 + offsetMinutes * 60)
                } else {
                    return nil
                }
                hasZone = true
            }
        }
        guard i == bytes.endIndex else { return nil }
        return Timestamp(seconds: seconds, nanoseconds: nanoseconds, fractionDigits: fractionDigits, hasZone: hasZone)
    }

    private static func date<C: RandomAccessCollection>(_ bytes: C, _ i: inout Int) -> Int64? where C.Element == UInt8, C.Index == Int {
        var negative = false
        if i < bytes.endIndex, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        let start = i
        var year: Int64 = 0
        while i < bytes.endIndex, isDigit(bytes[i]), i - start < 6 {
            year = year * 10 + Int64(bytes[i] &- 0x30)
            i += 1
        }
        guard i - start >= 4, expect(bytes, &i, "-"), let month = digits(bytes, &i, count: 2), expect(bytes, &i, "-"),
            let day = digits(bytes, &i, count: 2), (1...12).contains(month), day >= 1,
            day <= daysInMonth(negative ? -year : year, month)
        else { return nil }
        return TextFormatting.days(fromCivil: negative ? -year : year, month, day)
    }

    static func daysInMonth(_ year: Int64, _ month: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func digits<C: RandomAccessCollection>(_ bytes: C, _ i: inout Int, count: Int) -> Int64? where C.Element == UInt8, C.Index == Int {
        guard bytes.endIndex - i >= count else { return nil }
        var value: Int64 = 0
        for _ in 0..<count {
            guard isDigit(bytes[i]) else { return nil }
            value = value * 10 + Int64(bytes[i] &- 0x30)
            i += 1
        }
        return value
    }

    private static func expect<C: RandomAccessCollection>(_ bytes: C, _ i: inout Int, _ c: Unicode.Scalar) -> Bool where C.Element == UInt8, C.Index == Int {
        guard i < bytes.endIndex, bytes[i] == UInt8(ascii: c) else { return false }
        i += 1
        return true
    }
}

/// Floor division and remainder (the remainder has the divisor's sign), for calendar arithmetic.
@inline(__always)
func floorDivide(_ a: Int64, _ b: Int64) -> (quotient: Int64, remainder: Int64) {
    let q = a / b
    let r = a % b
    return r != 0 && (r < 0) != (b < 0) ? (q - 1, r + b) : (q, r)
}
