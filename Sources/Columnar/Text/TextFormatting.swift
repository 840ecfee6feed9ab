/// Byte-level formatting of values as text, shared by the JSON lines and CSV encoders.
/// Everything appends to a `[UInt8]` so no intermediate `String` is built per value.
public enum TextFormatting {
    // MARK: Calendar

    /// Proleptic Gregorian (year, month, day) for days since 1970-01-01 (Howard Hinnant's algorithm).
    public static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date.
    @inlinable
    public static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    // MARK: Appenders

    @inline(__always)
    static func appendDigits(_ value: Int64, width: Int, to out: inout [UInt8]) {
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width)
        var v = value
        var i = width - 1
        while i >= 0 {
            digits[i] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
            i -= 1
        }
        out.append(contentsOf: digits)
    }

    public static func appendInteger<T: BinaryInteger>(_ value: T, to out: inout [UInt8]) {
        out.append(contentsOf: String(value).utf8)
    }

    /// `YYYY-MM-DD` (years outside 0…9999 are written with a sign and as many digits as needed).
    public static func appendDate(days: Int64, to out: inout [UInt8]) {
        let (year, month, day) = civil(fromDays: days)
        if year >= 0 && year <= 9999 {
            appendDigits(year, width: 4, to: &out)
        } else {
            if year < 0 { out.append(UInt8(ascii: "-")) } else { out.append(UInt8(ascii: "+")) }
            appendDigits(abs(year), width: max(4, String(abs(year)).count), to: &out)
        }
        out.append(UInt8(ascii: "-"))
        appendDigits(month, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(day, width: 2, to: &out)
    }

    /// `HH:MM:SS.fraction` with the unit's number of fraction digits.
    public static func appendTime(_ value: Int64, unit: TimeUnit, to out: inout [UInt8]) {
        let perSecond = unit.perSecond
        let (seconds, fraction) = floorDivide(value, perSecond)
        let (hours, rest) = floorDivide(seconds, 3600)
        appendDigits(hours, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(rest / 60, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(rest % 60, width: 2, to: &out)
        out.append(UInt8(ascii: "."))
        appendDigits(fraction, width: unit.fractionDigits, to: &out)
    }

    /// ISO-8601 `YYYY-MM-DDTHH:MM:SS.fraction` with a trailing `Z` when UTC-adjusted.
    public static func appendTimestamp(_ value: Int64, unit: TimeUnit, utc: Bool, to out: inout [UInt8]) {
        let (seconds, fraction) = floorDivide(value, unit.perSecond)
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        appendDate(days: days, to: &out)
        out.append(UInt8(ascii: "T"))
        appendTime(secondOfDay * unit.perSecond + fraction, unit: unit, to: &out)
        if utc { out.append(UInt8(ascii: "Z")) }
    }

    /// An unscaled decimal with `scale` digits after the point (`12345`, 2 → `123.45`).
    public static func appendDecimal(_ unscaled: Int128, scale: Int, to out: inout [UInt8]) {
        let negative = unscaled < 0
        let magnitude = unscaled.magnitude
        var digits = Array(String(magnitude).utf8)
        if scale > 0 {
            if digits.count <= scale {
                digits.insert(contentsOf: repeatElement(UInt8(ascii: "0"), count: scale - digits.count + 1), at: 0)
            }
            digits.insert(UInt8(ascii: "."), at: digits.count - scale)
        } else if scale < 0 && magnitude != 0 {
            digits.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -scale))
        }
        if negative { out.append(UInt8(ascii: "-")) }
        out.append(contentsOf: digits)
    }

    /// Shortest round-trip text of a double; nil for NaN and infinities (callers pick their spelling).
    public static func finiteText(_ value: Double) -> String? {
        guard value.isFinite else { return nil }
        return value.description
    }

    public static func nonFiniteName(_ value: Double) -> String {
        value.isNaN ? "NaN" : (value < 0 ? "-Infinity" : "Infinity")
    }

    /// Canonical lowercase 8-4-4-4-12 form of 16 bytes.
    public static func appendUUID(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        for (i, byte) in bytes.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0xF)])
        }
    }

    public static func appendBase64(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        var i = 0
        let n = bytes.count
        while i + 3 <= n {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(base64Alphabet[Int(v >> 18 & 63)])
            out.append(base64Alphabet[Int(v >> 12 & 63)])
            out.append(base64Alphabet[Int(v >> 6 & 63)])
            out.append(base64Alphabet[Int(v & 63)])
            i += 3
        }
        if n - i == 1 {
            let v = UInt32(bytes[i]) << 16
            out.append(base64Alphabet[Int(v >> 18 & 63)])
            out.append(base64Alphabet[Int(v >> 12 & 63)])
            out.append(contentsOf: "==".utf8)
        } else if n - i == 2 {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out.append(base64Alphabet[Int(v >> 18 & 63)])
            out.append(base64Alphabet[Int(v >> 12 & 63)])
            out.append(base64Alphabet[Int(v >> 6 & 63)])
            out.append(UInt8(ascii: "="))
        }
    }

    /// A JSON string literal; invalid UTF-8 is replaced by U+FFFD.
    public static func appendJSONString(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        if let valid = validUTF8(bytes) {
            appendEscaped(valid, to: &out)
        } else {
            let repaired = Array(String(decoding: bytes, as: UTF8.self).utf8)
            repaired.withUnsafeBytes { appendEscaped($0, to: &out) }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func validUTF8(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        // Fast path: pure ASCII needs no validation.
        var ascii = true
        for byte in bytes where byte >= 0x80 {
            ascii = false
            break
        }
        if ascii { return bytes }
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return bytes
            case .error: return nil
            }
        }
    }

    private static func appendEscaped(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0..<0x20:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30])
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
    }

    @inline(__always)
    static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        var q = a / b
        var r = a % b
        if r < 0 {
            q -= 1
            r += b
        }
        return (q, r)
    }

    static let hexDigits = Array("0123456789abcdef".utf8)
    static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
}
