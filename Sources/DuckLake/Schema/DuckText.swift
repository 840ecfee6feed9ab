import Columnar

/// Values as DuckDB spells them in `CAST(x AS VARCHAR)`, which is how DuckLake stores
/// statistics, partition values and (on SQLite) inlined rows; and the way back, for comparing
/// those texts as typed values. Every form here was checked against DuckDB 1.5.5.
enum DuckText {
    // MARK: Formatting

    /// The text DuckLake keeps for `value` of column type `type`; nil when none may be kept
    /// (a string with a NUL byte, a nested value).
    static func format(_ value: Value, type: DataType) -> String? {
        switch (value, type) {
        case (.null, _): return nil
        case (.bool(let b), _): return b ? "true" : "false"
        case (.int(let v), .date), (.date(let v), _): return date(v)
        case (.int(let v), _): return String(v)
        case (.uint(let v), _): return String(v)
        case (.double(let d), .float32), (.double(let d), .float16): return float(Float(d))
        case (.double(let d), _): return double(d)
        case (.decimal(let unscaled, let scale), _):
            var out: [UInt8] = []
            TextFormatting.appendDecimal(unscaled, scale: scale, to: &out)
            return String(decoding: out, as: UTF8.self)
        case (.string(let s), _):
            return s.utf8.contains(0) ? nil : s
        case (.binary(let bytes), .uuid):
            guard bytes.count == 16 else { return nil }
            var out: [UInt8] = []
            bytes.withUnsafeBytes { TextFormatting.appendUUID($0, to: &out) }
            return String(decoding: out, as: UTF8.self)
        case (.binary(let bytes), _):
            // DuckDB's own Parquet statistics for blobs are upper-case hex.
            let digits = Array("0123456789ABCDEF".utf8)
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count * 2)
            for byte in bytes {
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0xF)])
            }
            return String(decoding: out, as: UTF8.self)
        case (.time(let v, let unit), _): return time(v, unit: unit)
        case (.timestamp(let v, let unit, let utc), _): return timestamp(v, unit: unit, utc: utc)
        case (.list, _), (.structure, _), (.map, _): return nil
        }
    }

    /// A double as DuckDB prints it: the shortest digits that read back exactly, in fixed
    /// notation for decimal exponents -4 through 15 (`100.0`, `0.0001`) and scientific
    /// otherwise (`1e+16`, `1.234e-05`), as Python's repr does.
    static func double(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return shortest(value.description)
    }

    /// A float (REAL) with the shortest digits of single precision.
    static func float(_ value: Float) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return shortest(value.description)
    }

    /// Re-lays Swift's shortest round-trip digits (which switch notation at other exponents).
    private static func shortest(_ description: String) -> String {
        var text = Substring(description)
        var sign = ""
        if text.hasPrefix("-") {
            sign = "-"
            text = text.dropFirst()
        }
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = text[..<e]
        }
        var digits: [Character] = []
        var point = 0
        var seenPoint = false
        for character in text {
            if character == "." {
                seenPoint = true
                continue
            }
            digits.append(character)
            if !seenPoint { point += 1 }
        }
        point += exponent
        while digits.count > 1, digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        if digits == ["0"] { return sign + "0.0" }
        let decimalExponent = point - 1
        if decimalExponent >= -4 && decimalExponent < 16 {
            if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + String(digits) }
            if point >= digits.count { return sign + String(digits) + String(repeating: "0", count: point - digits.count) + ".0" }
            return sign + String(digits[..<point]) + "." + String(digits[point...])
        }
        var out = sign + String(digits[0])
        if digits.count > 1 { out += "." + String(digits[1...]) }
        let magnitude = abs(decimalExponent)
        out += (decimalExponent < 0 ? "e-" : "e+") + (magnitude < 10 ? "0" : "") + String(magnitude)
        return out
    }

    /// `YYYY-MM-DD`, years before 1 as `YYYY-MM-DD (BC)` and years past 9999 with more digits.
    static func date(_ days: Int64) -> String {
        let (text, bc) = dateParts(days)
        return bc ? text + " (BC)" : text
    }

    private static func dateParts(_ days: Int64) -> (String, Bool) {
        let (year, month, day) = TextFormatting.civil(fromDays: days)
        let bc = year <= 0
        let shown = bc ? 1 - year : year
        return (pad(shown, 4) + "-" + pad(month, 2) + "-" + pad(day, 2), bc)
    }

    /// `HH:MM:SS` with the fraction's trailing zeros removed (`01:02:03.5`).
    static func time(_ value: Int64, unit: TimeUnit) -> String {
        let (seconds, fraction) = floorDivide(value, unit.perSecond)
        let (hours, rest) = floorDivide(seconds, 3600)
        return pad(hours, 2) + ":" + pad(rest / 60, 2) + ":" + pad(rest % 60, 2) + fractionText(fraction, unit: unit)
    }

    /// `YYYY-MM-DD HH:MM:SS[.fraction]`, `+00` after it for an instant (DuckDB's session zone is UTC).
    static func timestamp(_ value: Int64, unit: TimeUnit, utc: Bool) -> String {
        let (seconds, fraction) = floorDivide(value, unit.perSecond)
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let (dateText, bc) = dateParts(days)
        var text = dateText + (bc ? " (BC) " : " ")
        text += pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        text += fractionText(fraction, unit: unit)
        return utc ? text + "+00" : text
    }

    private static func fractionText(_ fraction: Int64, unit: TimeUnit) -> String {
        guard fraction != 0 else { return "" }
        var digits = pad(fraction, unit.fractionDigits)
        while digits.hasSuffix("0") { digits.removeLast() }
        return "." + digits
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        var q = a / b
        var r = a % b
        if r < 0 {
            q -= 1
            r += b
        }
        return (q, r)
    }

    // MARK: Parsing

    /// The typed value of DuckDB text for column type `type`, as `ValueOrder` compares it;
    /// nil when the text does not read as that type (callers then assume nothing about it).
    /// Also reads the forms a user types: `2024-05-06T07:08:09Z`, `t`/`f`, surrounding spaces.
    /// UUIDs compare as their lower-case text, which orders as their bytes do.
    static func parse(_ text: String, type: DataType) -> Value? {
        let text = text.trimmingSpaces()
        switch type {
        case .boolean:
            switch text.lowercased() {
            case "true", "t", "1": return .bool(true)
            case "false", "f", "0": return .bool(false)
            default: return nil
            }
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32:
            return Int64(text).map { .int($0) }
        case .uint64:
            return UInt64(text).map { .uint($0) }
        case .float16, .float32, .float64:
            return Double(text).map { .double($0) }
        case .decimal(_, let scale):
            return parseDecimal(text, scale: scale).map { .decimal($0, scale: scale) }
        case .string, .null:
            return .string(text)
        case .uuid:
            return .string(text.lowercased())
        case .binary, .fixedSizeBinary:
            return parseHex(text).map { .binary($0) }
        case .date:
            return parseDate(Substring(text)).flatMap { $0.rest.isEmpty ? .date($0.days) : nil }
        case .time(let unit):
            return parseTime(Substring(text), unit: unit).flatMap { $0.rest.isEmpty ? .time($0.value, unit) : nil }
        case .timestamp(let unit, let utc):
            return parseTimestamp(text, unit: unit).map { .timestamp($0, unit, utc: utc) }
        case .list, .structure, .map:
            return nil
        }
    }

    /// `[-]digits[.digits]` as an unscaled integer at `scale` (nil when it has more digits
    /// after the point than the scale keeps, unless they are zeros).
    static func parseDecimal(_ text: String, scale: Int) -> Int128? {
        var body = Substring(text)
        var negative = false
        if body.hasPrefix("-") {
            negative = true
            body = body.dropFirst()
        } else if body.hasPrefix("+") {
            body = body.dropFirst()
        }
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !(whole.isEmpty && parts.count == 1) else { return nil }
        var fraction = parts.count > 1 ? parts[1] : ""
        while fraction.count > scale, fraction.last == "0" { fraction = fraction.dropLast() }
        guard fraction.count <= scale, whole.allSatisfy(\.isASCIIDigit), fraction.allSatisfy(\.isASCIIDigit),
            whole.count + scale <= 38
        else { return nil }
        let digits = String(whole) + String(fraction) + String(repeating: "0", count: scale - fraction.count)
        guard let magnitude = Int128(digits.isEmpty ? "0" : digits) else { return nil }
        return negative ? -magnitude : magnitude
    }

    static func parseHex(_ text: String) -> [UInt8]? {
        let bytes = Array(text.utf8)
        guard bytes.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 2)
        var index = 0
        while index < bytes.count {
            guard let high = hexValue(bytes[index]), let low = hexValue(bytes[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// `YYYY-MM-DD` with an optional ` (BC)`; returns the days and what follows.
    static func parseDate(_ text: Substring) -> (days: Int64, rest: Substring)? {
        var rest = text
        var negative = false
        if rest.hasPrefix("-") {
            negative = true
            rest = rest.dropFirst()
        }
        guard let year = takeNumber(&rest, minDigits: 1, maxDigits: 9), rest.popFirst() == "-",
            let month = takeNumber(&rest, minDigits: 1, maxDigits: 2), rest.popFirst() == "-",
            let day = takeNumber(&rest, minDigits: 1, maxDigits: 2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var astronomical = negative ? -year : year
        if rest.hasPrefix(" (BC)") {
            rest = rest.dropFirst(5)
            astronomical = 1 - year
        }
        return (TextFormatting.days(fromCivil: astronomical, month, day), rest)
    }

    /// `HH:MM:SS[.fraction]` in `unit`; returns the value and what follows.
    static func parseTime(_ text: Substring, unit: TimeUnit) -> (value: Int64, rest: Substring)? {
        var rest = text
        guard let hours = takeNumber(&rest, minDigits: 1, maxDigits: 2), rest.popFirst() == ":",
            let minutes = takeNumber(&rest, minDigits: 2, maxDigits: 2)
        else { return nil }
        var seconds: Int64 = 0
        if rest.first == ":" {
            rest = rest.dropFirst()
            guard let s = takeNumber(&rest, minDigits: 2, maxDigits: 2) else { return nil }
            seconds = s
        }
        var fraction: Int64 = 0
        if rest.first == "." {
            rest = rest.dropFirst()
            var digits = 0
            while let c = rest.first, c.isASCIIDigit {
                rest = rest.dropFirst()
                if digits < unit.fractionDigits {
                    fraction = fraction * 10 + Int64(c.asciiValue! - 48)
                    digits += 1
                }
            }
            guard digits > 0 else { return nil }
            for _ in digits..<unit.fractionDigits { fraction *= 10 }
        }
        guard hours <= 24, minutes < 60, seconds < 61 else { return nil }
        return ((hours * 3600 + minutes * 60 + seconds) * unit.perSecond + fraction, rest)
    }

    /// A timestamp with an optional zone (`+00`, `+05:30`, `-08`, `Z`), as an instant in
    /// `unit` since the epoch (a zone-less text is taken as UTC); a bare date is midnight.
    static func parseTimestamp(_ text: String, unit: TimeUnit) -> Int64? {
        guard let (days, afterDate) = parseDate(Substring(text)) else { return nil }
        var rest = afterDate
        var timeOfDay: Int64 = 0
        if let first = rest.first, first == " " || first == "T" {
            rest = rest.dropFirst()
            guard let (value, after) = parseTime(rest, unit: unit) else { return nil }
            timeOfDay = value
            rest = after
        }
        if rest.hasPrefix(" (BC)") { return nil }  // only after the date, handled there
        var offsetSeconds: Int64 = 0
        rest = rest.drop(while: { $0 == " " })
        if rest == "Z" || rest == "UTC" {
            rest = ""
        } else if let sign = rest.first, sign == "+" || sign == "-" {
            rest = rest.dropFirst()
            guard let hours = takeNumber(&rest, minDigits: 2, maxDigits: 2) else { return nil }
            var minutes: Int64 = 0
            if rest.first == ":" { rest = rest.dropFirst() }
            if !rest.isEmpty {
                guard let m = takeNumber(&rest, minDigits: 2, maxDigits: 2) else { return nil }
                minutes = m
            }
            offsetSeconds = (hours * 3600 + minutes * 60) * (sign == "-" ? -1 : 1)
        }
        guard rest.isEmpty else { return nil }
        let (product, overflow) = days.multipliedReportingOverflow(by: 86_400 * unit.perSecond)
        guard !overflow else { return nil }
        return product + timeOfDay - offsetSeconds * unit.perSecond
    }

    private static func takeNumber(_ text: inout Substring, minDigits: Int, maxDigits: Int) -> Int64? {
        var value: Int64 = 0
        var count = 0
        while count < maxDigits, let c = text.first, c.isASCIIDigit {
            value = value * 10 + Int64(c.asciiValue! - 48)
            count += 1
            text = text.dropFirst()
        }
        return count >= minDigits ? value : nil
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" || first == "\n" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" || last == "\n" { slice.removeLast() }
        return String(slice)
    }
}
