import Columnar

/// Calendar arithmetic for generated timestamps: milliseconds since 1970-01-01T00:00:00Z, UTC
/// only, proleptic Gregorian (Howard Hinnant's algorithms).
public enum CivilTime {
    public static let millisecondsPerDay = 86_400_000

    /// (year, month, day) for days since 1970-01-01 (Columnar's calendar, as every reader of
    /// the generated data uses).
    @inline(__always)
    public static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let (year, month, day) = TextFormatting.civil(fromDays: Int64(days))
        return (Int(year), Int(month), Int(day))
    }

    /// Days since 1970-01-01 for a date.
    public static func days(year: Int, month: Int, day: Int) -> Int {
        Int(TextFormatting.days(fromCivil: Int64(year), Int64(month), Int64(day)))
    }

    /// Milliseconds since the epoch of `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM`, `…:SS` or `…:SS.fff`,
    /// optionally ending in `Z` (the time is UTC either way); nil if it is not one of those or
    /// not a real date and time. Years 1970 to 9999.
    public static func parse(_ text: String) -> Int? {
        var bytes = Array(text.utf8)
        if let last = bytes.last, last == UInt8(ascii: "Z") || last == UInt8(ascii: "z") { bytes.removeLast() }
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<(start + count)] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard bytes.count >= 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            year >= 1970, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        var milliseconds = days(year: year, month: month, day: day) * millisecondsPerDay
        if bytes.count == 10 { return milliseconds }
        guard bytes.count >= 16, bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "),
            bytes[13] == UInt8(ascii: ":"), let hour = number(11, 2), let minute = number(14, 2), hour < 24, minute < 60
        else { return nil }
        milliseconds += (hour * 3600 + minute * 60) * 1000
        if bytes.count == 16 { return milliseconds }
        guard bytes.count >= 19, bytes[16] == UInt8(ascii: ":"), let second = number(17, 2), second < 60 else { return nil }
        milliseconds += second * 1000
        if bytes.count == 19 { return milliseconds }
        guard bytes.count == 23, bytes[19] == UInt8(ascii: "."), let fraction = number(20, 3) else { return nil }
        return milliseconds + fraction
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The UTC day and millisecond of the day (both non-negative for times after 1970).
    @inline(__always)
    static func split(_ milliseconds: Int) -> (days: Int, millisecond: Int) {
        let days = milliseconds >= 0 ? milliseconds / millisecondsPerDay : (milliseconds + 1) / millisecondsPerDay - 1
        return (days, milliseconds - days * millisecondsPerDay)
    }
}

extension Array where Element == UInt8 {
    /// `YYYY-MM-DD` (years 0 to 9999).
    @inline(__always)
    mutating func date(days: Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 10) { text in
            writeDate(days: days, to: text.baseAddress!)
            append(contentsOf: UnsafeBufferPointer(text))
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` (or with a space and without the fraction and `Z`: the
    /// naive `YYYY-MM-DD HH:MM:SS` databases print).
    @inline(__always)
    mutating func timestamp(_ milliseconds: Int, naive: Bool = false) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { text in
            let p = text.baseAddress!
            let (days, ms) = CivilTime.split(milliseconds)
            writeDate(days: days, to: p)
            p[10] = naive ? UInt8(ascii: " ") : UInt8(ascii: "T")
            let seconds = ms / 1000
            writeTwoDigits(seconds / 3600, to: p + 11)
            p[13] = UInt8(ascii: ":")
            writeTwoDigits(seconds / 60 % 60, to: p + 14)
            p[16] = UInt8(ascii: ":")
            writeTwoDigits(seconds % 60, to: p + 17)
            if naive {
                append(contentsOf: UnsafeBufferPointer(start: p, count: 19))
                return
            }
            let fraction = ms % 1000
            p[19] = UInt8(ascii: ".")
            p[20] = UInt8(truncatingIfNeeded: fraction / 100) &+ 48
            writeTwoDigits(fraction % 100, to: p + 21)
            p[23] = UInt8(ascii: "Z")
            append(contentsOf: UnsafeBufferPointer(start: p, count: 24))
        }
    }

    /// `YYYYMMDDHHMMSS`, as in generated file names.
    mutating func compactTimestamp(_ milliseconds: Int) {
        let (days, ms) = CivilTime.split(milliseconds)
        let (year, month, day) = CivilTime.civil(fromDays: days)
        let seconds = ms / 1000
        padded(year, width: 4)
        padded(month, width: 2)
        padded(day, width: 2)
        padded(seconds / 3600, width: 2)
        padded(seconds / 60 % 60, width: 2)
        padded(seconds % 60, width: 2)
    }
}

@inline(__always)
private func writeTwoDigits(_ value: Int, to p: UnsafeMutablePointer<UInt8>) {
    p[0] = UInt8(truncatingIfNeeded: value / 10) &+ 48
    p[1] = UInt8(truncatingIfNeeded: value % 10) &+ 48
}

/// `YYYY-MM-DD` into 10 bytes at `p`.
@inline(__always)
private func writeDate(days: Int, to p: UnsafeMutablePointer<UInt8>) {
    let (year, month, day) = CivilTime.civil(fromDays: days)
    writeTwoDigits(year / 100 % 100, to: p)
    writeTwoDigits(year % 100, to: p + 2)
    p[4] = UInt8(ascii: "-")
    writeTwoDigits(month, to: p + 5)
    p[7] = UInt8(ascii: "-")
    writeTwoDigits(day, to: p + 8)
}
