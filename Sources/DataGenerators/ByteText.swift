/// Appending text to a byte buffer without building a `String` per value: the generators spend
/// their time here, so every appender writes bytes directly.
extension Array where Element == UInt8 {
    /// The bytes of a literal.
    @inline(__always)
    mutating func ascii(_ text: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// A non-negative or negative decimal integer.
    @inline(__always)
    mutating func decimal(_ value: Int) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            unsignedDecimal(UInt64(value.magnitude))
        } else {
            unsignedDecimal(UInt64(value))
        }
    }

    @inline(__always)
    mutating func unsignedDecimal(_ value: UInt64) {
        if value < 10 {
            append(UInt8(truncatingIfNeeded: value) &+ 48)
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var v = value
            var i = 20
            while v > 0 {
                i -= 1
                digits[i] = UInt8(truncatingIfNeeded: v % 10) &+ 48
                v /= 10
            }
            append(contentsOf: UnsafeBufferPointer(rebasing: digits[i..<20]))
        }
    }

    /// `value` zero-padded to `width` digits (value >= 0 and < 10^width, width <= 20).
    @inline(__always)
    mutating func padded(_ value: Int, width: Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var v = value
            for i in stride(from: width - 1, through: 0, by: -1) {
                digits[i] = UInt8(truncatingIfNeeded: v % 10) &+ 48
                v /= 10
            }
            append(contentsOf: UnsafeBufferPointer(rebasing: digits[0..<width]))
        }
    }

    /// A fixed-point number `scaled / 10^scale` as a JSON/CSV number: trailing fraction zeros are
    /// dropped down to `minFraction` digits (`5250, scale 2` -> `52.5`; with `minFraction 2`,
    /// `52.50`). `scale` is at most 18.
    @inline(__always)
    mutating func fixed(_ scaled: Int, scale: Int, minFraction: Int = 1) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { text in
            // Written from the right: fraction digits, the point, integer digits, the sign.
            var v = scaled.magnitude
            var start = 48
            for _ in 0..<scale {
                start -= 1
                text[start] = UInt8(truncatingIfNeeded: v % 10) &+ 48
                v /= 10
            }
            // Trailing zeros of the fraction beyond `minFraction` are dropped.
            var end = 48
            while end - start > minFraction && text[end - 1] == UInt8(ascii: "0") { end -= 1 }
            if end == start { end -= 1 }  // no fraction left: the point goes too
            start -= 1
            text[start] = UInt8(ascii: ".")
            repeat {
                start -= 1
                text[start] = UInt8(truncatingIfNeeded: v % 10) &+ 48
                v /= 10
            } while v > 0
            if scaled < 0 {
                start -= 1
                text[start] = UInt8(ascii: "-")
            }
            append(contentsOf: UnsafeBufferPointer(rebasing: text[start..<end]))
        }
    }

    /// `count` lowercase hexadecimal digits of `value`'s low bits.
    @inline(__always)
    mutating func hex(_ value: UInt64, digits count: Int) {
        var shift = (count - 1) * 4
        while shift >= 0 {
            append(hexDigits[Int((value >> UInt64(shift)) & 0xF)])
            shift -= 4
        }
    }

    /// A random version-4 UUID in canonical form: `8-4-4-4-12` lowercase hex digits.
    @inline(__always)
    mutating func uuid(_ random: inout SeededRandom) {
        let high = (random.next() & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        let low = (random.next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        hex(high >> 32, digits: 8)
        append(UInt8(ascii: "-"))
        hex(high >> 16, digits: 4)
        append(UInt8(ascii: "-"))
        hex(high, digits: 4)
        append(UInt8(ascii: "-"))
        hex(low >> 48, digits: 4)
        append(UInt8(ascii: "-"))
        hex(low, digits: 12)
    }

    /// `text` as a JSON string, quotes included: `"` and `\` escaped, control characters as
    /// `\n`, `\t`, … or `\u00XX`; everything else (all of UTF-8) as it is.
    mutating func jsonString(_ text: String) {
        append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): ascii("\\\"")
            case UInt8(ascii: "\\"): ascii("\\\\")
            case 0x0A: ascii("\\n")
            case 0x0D: ascii("\\r")
            case 0x09: ascii("\\t")
            case 0x08: ascii("\\b")
            case 0x0C: ascii("\\f")
            case 0..<0x20:
                ascii("\\u00")
                hex(UInt64(byte), digits: 2)
            default: append(byte)
            }
        }
        append(UInt8(ascii: "\""))
    }

    /// A CSV field: quoted (with quotes doubled) when it holds the delimiter, a quote, CR or LF.
    mutating func csvField<Bytes: Collection<UInt8>>(_ field: Bytes, delimiter: UInt8) {
        var needsQuotes = false
        for byte in field where byte == delimiter || byte == 0x22 || byte == 0x0A || byte == 0x0D {
            needsQuotes = true
            break
        }
        guard needsQuotes else {
            append(contentsOf: field)
            return
        }
        append(0x22)
        for byte in field {
            if byte == 0x22 { append(0x22) }
            append(byte)
        }
        append(0x22)
    }
}

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

/// Encodes each text once as a JSON string (quotes included), for vocabularies written often.
func jsonStrings(_ texts: [String]) -> [[UInt8]] {
    texts.map { text in
        var bytes: [UInt8] = []
        bytes.jsonString(text)
        return bytes
    }
}
