import Columnar

// Values to text, appended to a byte buffer (CAST(x AS string)). Integers, decimals, dates and
// timestamps are written digit by digit; a double goes through the standard library's
// shortest round-trip text (a String, so that one path may allocate for long values).
// Dates and timestamps are written as the JSON lines and CSV encoders write them.

enum ValueText {
    static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        appendUnsigned(UInt64(value.magnitude), to: &out)
    }

    static func appendUnsigned(_ value: UInt64, to out: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, on the stack
        withUnsafeMutableBytes(of: &digits) { scratch in
            var v = value
            var i = scratch.count
            repeat {
                i -= 1
                scratch[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            } while v != 0
            out.append(contentsOf: scratch[i...])
        }
    }

    /// `123.45` for unscaled 12345 at scale 2.
    static func appendDecimal(_ unscaled: Int128, scale: Int, to out: inout [UInt8]) {
        if unscaled < 0 { out.append(UInt8(ascii: "-")) }
        var digits: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)  // 48 bytes
        withUnsafeMutableBytes(of: &digits) { scratch in
            var v = unscaled.magnitude
            var i = scratch.count
            var written = 0
            while v != 0 || written <= scale {
                if written == scale && scale > 0 {
                    i -= 1
                    scratch[i] = UInt8(ascii: ".")
                }
                i -= 1
                scratch[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                written += 1
            }
            out.append(contentsOf: scratch[i...])
        }
    }

    static func appendDouble(_ value: Double, to out: inout [UInt8]) {
        if !value.isFinite {
            out.append(contentsOf: TextFormatting.nonFiniteName(value).utf8)
            return
        }
        var text = value.description
        text.withUTF8 { out.append(contentsOf: $0) }
    }

    static func appendFloat(_ value: Float, to out: inout [UInt8]) {
        if !value.isFinite {
            out.append(contentsOf: TextFormatting.nonFiniteName(Double(value)).utf8)
            return
        }
        var text = value.description
        text.withUTF8 { out.append(contentsOf: $0) }
    }

    @inline(__always)
    private static func appendPadded(_ value: Int64, width: Int, to out: inout [UInt8]) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        var v = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8((v / divisor) % 10))
            v %= divisor
            divisor /= 10
        }
    }

    /// `YYYY-MM-DD` (years outside 0…9999 with a sign).
    static func appendDate(days: Int64, to out: inout [UInt8]) {
        let (year, month, day) = TextFormatting.civil(fromDays: days)
        if year >= 0 && year <= 9999 {
            appendPadded(year, width: 4, to: &out)
        } else {
            out.append(year < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            let magnitude = year.magnitude
            if magnitude < 1000 { appendPadded(Int64(magnitude), width: 4, to: &out) } else { appendUnsigned(magnitude, to: &out) }
        }
        out.append(UInt8(ascii: "-"))
        appendPadded(month, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        appendPadded(day, width: 2, to: &out)
    }

    /// `YYYY-MM-DDTHH:MM:SS.fraction`, with `Z` for an instant.
    static func appendTimestamp(_ value: Int64, unit: TimeUnit, utc: Bool, to out: inout [UInt8]) {
        let (seconds, fraction) = floorDivide(value, unit.perSecond)
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        appendDate(days: days, to: &out)
        out.append(UInt8(ascii: "T"))
        appendPadded(secondOfDay / 3600, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendPadded(secondOfDay / 60 % 60, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendPadded(secondOfDay % 60, width: 2, to: &out)
        out.append(UInt8(ascii: "."))
        appendPadded(fraction, width: unit.fractionDigits, to: &out)
        if utc { out.append(UInt8(ascii: "Z")) }
    }
}

/// Whether `bytes` are well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var i = 0
    let n = bytes.count
    while i < n {
        let b0 = bytes[i]
        if b0 < 0x80 {
            i += 1
            continue
        }
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch b0 {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return false
        }
        guard i + length <= n else { return false }
        guard bytes[i + 1] >= low && bytes[i + 1] <= high else { return false }
        for k in 2..<max(length, 2) where bytes[i + k] & 0xC0 != 0x80 { return false }
        i += length
    }
    return true
}
