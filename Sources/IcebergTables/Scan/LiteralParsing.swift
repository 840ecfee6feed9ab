import Columnar
import Iceberg
import Tables

/// A `--where` literal read as a value of the column's Iceberg type: numbers, `true`/`false`,
/// dates `YYYY-MM-DD`, times `HH:MM[:SS[.ffffff]]`, timestamps `YYYY-MM-DD[(T| )HH:MM[:SS[.f]]][Z|±HH:MM]`
/// (a date alone is midnight; an offset is applied, so the value is in UTC), strings as typed.
enum LiteralParsing {
    static func parse(_ text: String, as type: IcebergType, column: String) throws(TableError) -> IcebergLiteral {
        func fail() -> TableError {
            TableError(.invalidArgument, "the literal is not a \(type.primitiveName ?? "nested") value", subject: column)
        }
        switch type {
        case .boolean:
            switch text.lowercased() {
            case "true": return .boolean(true)
            case "false": return .boolean(false)
            default: throw fail()
            }
        case .int:
            guard let v = Int32(text) else { throw fail() }
            return .int(v)
        case .long:
            guard let v = Int64(text) else { throw fail() }
            return .long(v)
        case .float:
            guard let v = Float(text), v.isFinite else { throw fail() }
            return .float(v)
        case .double:
            guard let v = Double(text), v.isFinite else { throw fail() }
            return .double(v)
        case .decimal(_, let scale):
            guard let v = decimal(text, scale: scale) else { throw fail() }
            return .decimal(v)
        case .date:
            guard let days = date(Substring(text)) else { throw fail() }
            return .date(Int32(truncatingIfNeeded: days))
        case .time:
            guard let micros = time(Substring(text)) else { throw fail() }
            return .time(micros)
        case .timestamp:
            guard let micros = timestamp(text) else { throw fail() }
            return .timestamp(micros)
        case .timestamptz:
            guard let micros = timestamp(text) else { throw fail() }
            return .timestamptz(micros)
        case .string:
            return .string(text)
        case .uuid:
            guard let bytes = IcebergLiteral.parseUUID(text) else { throw fail() }
            return .uuid(bytes)
        case .binary, .fixed, .structure, .list, .map:
            throw TableError(.invalidArgument, "filters on \(type.primitiveName ?? "nested") columns are not supported", subject: column)
        }
    }

    /// The unscaled value of `-12.345` at `scale`; nil when it has more fraction digits.
    static func decimal(_ text: String, scale: Int) -> Int128? {
        var digits = Substring(text)
        var negative = false
        if digits.first == "-" || digits.first == "+" {
            negative = digits.first == "-"
            digits = digits.dropFirst()
        }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty || parts.count == 2 else { return nil }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard fraction.count <= scale, (whole + fraction).allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        var value: Int128 = 0
        for char in whole + fraction + String(repeating: "0", count: scale - fraction.count) {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int128(char.wholeNumberValue!))
            guard !o1, !o2 else { return nil }
            value = a
        }
        return negative ? -value : value
    }

    static func number(_ text: Substring, digits: Int) -> Int64? {
        guard text.count == digits, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64(text)
    }

    static func date(_ text: Substring) -> Int64? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let y = number(parts[0], digits: 4), let m = number(parts[1], digits: 2),
            let d = number(parts[2], digits: 2), (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        return TextFormatting.days(fromCivil: y, m, d)
    }

    static func time(_ text: Substring) -> Int64? {
        var main = text
        var micros: Int64 = 0
        if let dot = text.firstIndex(of: ".") {
            let fraction = text[text.index(after: dot)...]
            guard (1...9).contains(fraction.count), fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            let padded = String((fraction + "000000").prefix(6))
            micros = Int64(padded)!
            main = text[..<dot]
        }
        let parts = main.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, let h = number(parts[0], digits: 2), let m = number(parts[1], digits: 2),
            h < 24, m < 60
        else { return nil }
        var s: Int64 = 0
        if parts.count == 3 {
            guard let seconds = number(parts[2], digits: 2), seconds < 60 else { return nil }
            s = seconds
        } else if micros != 0 {
            return nil
        }
        return ((h * 60 + m) * 60 + s) * 1_000_000 + micros
    }

    static func timestamp(_ text: String) -> Int64? {
        var rest = Substring(text)
        var offsetMinutes: Int64 = 0
        if rest.hasSuffix("Z") || rest.hasSuffix("z") {
            rest = rest.dropLast()
        } else if rest.count > 16 {
            let tail = rest.suffix(6)
            if let sign = tail.first, sign == "+" || sign == "-", tail.dropFirst(3).first == ":",
                let h = number(tail.dropFirst().prefix(2), digits: 2), let m = number(tail.suffix(2), digits: 2)
            {
                offsetMinutes = (h * 60 + m) * (sign == "-" ? -1 : 1)
                rest = rest.dropLast(6)
            }
        }
        let datePart = rest.prefix(10)
        guard let days = date(datePart) else { return nil }
        var micros = days * 86_400_000_000
        let after = rest.dropFirst(10)
        if !after.isEmpty {
            guard let separator = after.first, separator == "T" || separator == " ",
                let time = time(after.dropFirst())
            else { return nil }
            micros += time
        }
        return micros - offsetMinutes * 60_000_000
    }
}
