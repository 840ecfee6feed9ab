import Columnar

// Rounding lowers to libm's floor/ceil/round; importing the C library links it.
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

// `||` and the functions: strings (lower, upper, trim, length, substr), numbers (abs, round,
// floor, ceil) and calendar parts (year, month, day, hour, date).

extension Evaluator {
    func concat(_ a: Vector, _ b: Vector, active: Bitmap?) throws(TransformError) -> Vector {
        let scalar = a.isScalar && b.isScalar
        let n = scalar ? 1 : rows
        if a.isAllNull || b.isAllNull { return .nulls(.string, count: rows, scalar: scalar) }
        let validity = Validity.and(a.validity, b.validity, count: n)
        let estimate = (a.isScalar ? n : 1) * a.column.values.count + (b.isScalar ? n : 1) * b.column.values.count
        var output = StringOutput(rows: n, bytes: estimate)
        a.withStrings { sa in
            b.withStrings { sb in
                for i in 0..<n {
                    if validity?.bit(i) ?? true {
                        output.appendBytes { out in
                            out.append(contentsOf: sa[i])
                            out.append(contentsOf: sb[i])
                        }
                    } else {
                        output.appendEmpty()
                    }
                }
            }
        }
        if output.overflowed { throw failure(.limitExceeded, "string column past 2 GiB; use smaller batches", row: 0) }
        return Vector(column: output.finish(type: .string, validity: validity), isScalar: scalar)
    }

    func call(_ function: Function, _ arguments: [Vector], type: DataType, active: Bitmap?) throws(TransformError) -> Vector {
        let scalar = arguments.allSatisfy(\.isScalar)
        let n = scalar ? 1 : rows
        if arguments.contains(where: \.isAllNull) { return .nulls(type, count: rows, scalar: scalar) }
        let a = arguments[0]
        switch function {
        case .lower, .upper, .trim:
            return try mapStrings(a, count: n) { value, out in
                switch function {
                case .lower: changeCase(value, upper: false, to: &out)
                case .upper: changeCase(value, upper: true, to: &out)
                default: out.append(contentsOf: trimmed(value))
                }
            }
        case .length:
            let values = a.withStrings { strings in
                fixedValues(n, as: Int64.self) { out in
                    for i in 0..<n {
                        var count: Int64 = 0
                        for byte in strings[i] where byte & 0xC0 != 0x80 { count += 1 }
                        out[i] = count
                    }
                }
            }
            return finishFixed(values, type: .int64, count: n, validity: a.validity, scalar: scalar)
        case .substr:
            return try substr(a, arguments[1], arguments.count > 2 ? arguments[2] : nil, count: n, scalar: scalar)
        case .abs:
            return try absolute(a, count: n, active: active)
        case .round, .floor, .ceil:
            var digits: Int64 = 0
            if function == .round { digits = load(arguments[1], 0, as: Int64.self) }
            return try rounding(function, a, digits: Int(digits), type: type, count: n, active: active)
        case .date:
            return try cast(a, to: .date, mode: .convert, active: active)
        case .year, .month, .day, .hour:
            return calendarPart(function, a, type: type, count: n)
        }
    }

    // MARK: Strings

    /// One output string per row from one input string; nulls stay null.
    private func mapStrings(
        _ a: Vector, count n: Int, _ transform: (UnsafeBufferPointer<UInt8>, inout [UInt8]) -> Void
    ) throws(TransformError) -> Vector {
        var output = StringOutput(rows: n, bytes: a.column.values.count + 16)
        a.withStrings { strings in
            for i in 0..<n {
                if a.isValid(i) {
                    output.appendBytes { transform(strings[i], &$0) }
                } else {
                    output.appendEmpty()
                }
            }
        }
        if output.overflowed { throw failure(.limitExceeded, "string column past 2 GiB; use smaller batches", row: 0) }
        let validity = a.validity.map { Validity.trimmed($0, count: n) }
        return Vector(column: output.finish(type: .string, validity: validity), isScalar: a.isScalar)
    }

    /// `substr(s, start[, length])`, in characters from 1 (PostgreSQL's rules: the range
    /// [start, start + length) is cut to the string; a negative length gives '').
    private func substr(_ s: Vector, _ start: Vector, _ length: Vector?, count n: Int, scalar: Bool) throws(TransformError) -> Vector {
        var validity = Validity.and(s.validity, start.validity, count: n)
        if let length { validity = Validity.and(validity, length.validity, count: n) }
        var output = StringOutput(rows: n, bytes: s.column.values.count)
        s.withStrings { strings in
            for i in 0..<n {
                guard validity?.bit(i) ?? true else {
                    output.appendEmpty()
                    continue
                }
                let from = load(start, i, as: Int64.self)
                let first = max(from, 1)
                var end = Int64.max  // exclusive, in characters
                if let length {
                    let count = load(length, i, as: Int64.self)
                    end = count < 0 ? first : from.addingReportingOverflow(count).partialValue
                    if from > 0, count > 0, end < from { end = .max }
                }
                let value = strings[i]
                var startByte = value.count
                var endByte = value.count
                var character: Int64 = 0
                for (offset, byte) in value.enumerated() where byte & 0xC0 != 0x80 {
                    character += 1
                    if character == first { startByte = offset }
                    if character == end {
                        endByte = offset
                        break
                    }
                }
                if end <= first || startByte >= endByte {
                    output.appendEmpty()
                } else {
                    output.append(UnsafeBufferPointer(rebasing: value[startByte..<endByte]))
                }
            }
        }
        return Vector(column: output.finish(type: .string, validity: validity), isScalar: scalar)
    }

    // MARK: Numbers

    private func absolute(_ a: Vector, count n: Int, active: Bitmap?) throws(TransformError) -> Vector {
        switch a.type {
        case .int64:
            var overflow = false
            let values = unaryLoop(a, count: n) { (x: Int64) -> Int64 in
                if x == .min { overflow = true }
                return x < 0 ? 0 &- x : x
            }
            if overflow, let row = firstLiveFailure(count: n, validity: a.validity, scalar: a.isScalar, active: active, {
                load(a, $0, as: Int64.self) == .min
            }) {
                throw failure(.overflow, "int64 overflow in abs", row: row)
            }
            return finishFixed(values, type: .int64, count: n, validity: a.validity, scalar: a.isScalar)
        case .float64:
            return finishFixed(unaryLoop(a, count: n) { (x: Double) -> Double in Swift.abs(x) }, type: .float64, count: n, validity: a.validity, scalar: a.isScalar)
        default:
            return finishFixed(unaryLoop(a, count: n) { (x: Int128) -> Int128 in x < 0 ? 0 &- x : x }, type: a.type, count: n, validity: a.validity, scalar: a.isScalar)
        }
    }

    /// round (half away from zero) to `digits` after the point (before it when negative),
    /// floor and ceil.
    private func rounding(
        _ function: Function, _ a: Vector, digits: Int, type: DataType, count n: Int, active: Bitmap?
    ) throws(TransformError) -> Vector {
        switch a.type {
        case .int64:
            guard function == .round, digits < 0 else { return a }
            let unit = Int128(powersOfTen[min(-digits, 38)])
            let output = a.withRawValues { p in
                castRows(a, count: n, zero: Int64(0)) { i in
                    let x = Int128(p.loadUnaligned(fromByteOffset: i &* a.stride &* 8, as: Int64.self))
                    return Int64(exactly: roundedDivision(x, unit) * unit)
                }
            }
            return try finishRounding(output, a, type: type, count: n, active: active)
        case .float64:
            let values: [UInt8]
            switch function {
            case .floor: values = unaryLoop(a, count: n) { (x: Double) -> Double in x.rounded(.down) }
            case .ceil: values = unaryLoop(a, count: n) { (x: Double) -> Double in x.rounded(.up) }
            default:
                let factor = Double(powersOfTen[min(Swift.abs(digits), 38)])
                values = unaryLoop(a, count: n) { (x: Double) -> Double in
                    if digits == 0 { return x.rounded(.toNearestOrAwayFromZero) }
                    if digits > 0 {
                        let scaled = x * factor
                        return scaled.isFinite ? scaled.rounded(.toNearestOrAwayFromZero) / factor : x
                    }
                    return (x / factor).rounded(.toNearestOrAwayFromZero) * factor
                }
            }
            return finishFixed(values, type: .float64, count: n, validity: a.validity, scalar: a.isScalar)
        case .decimal(_, let scale):
            guard case .decimal(let precision, _) = type else { preconditionFailure("rounding a decimal into \(type)") }
            // Digits to remove, and the power of ten to put back when rounding left of the point.
            let remove = function == .round ? scale - digits : scale
            if remove <= 0 { return a }
            let restore = function == .round && digits < 0 ? -digits : 0
            let limit = powersOfTen[precision].magnitude
            let output = a.withRawValues { p in
                castRows(a, count: n, zero: Int128(0)) { i in
                    let x = p.loadUnaligned(fromByteOffset: i &* a.stride &* 16, as: Int128.self)
                    guard x.magnitude < maxDecimalMagnitude else { return nil }
                    var q: Int128
                    switch function {
                    case .floor, .ceil:
                        let divisor = powersOfTen[remove]
                        q = x / divisor
                        let r = x % divisor
                        if function == .floor, r < 0 { q -= 1 }
                        if function == .ceil, r > 0 { q += 1 }
                    default:
                        q = rescaleDown(x, by: remove)
                    }
                    guard let result = rescaleUp(q, by: restore), result.magnitude < limit else { return nil }
                    return result
                }
            }
            return try finishRounding(output, a, type: type, count: n, active: active)
        default:
            preconditionFailure("rounding \(a.type) passed the type checker")
        }
    }

    private func finishRounding(_ output: CastOutput, _ a: Vector, type: DataType, count n: Int, active: Bitmap?) throws(TransformError) -> Vector {
        let validity = output.validity.finish()
        if output.failed, let row = firstLiveFailure(count: n, validity: a.validity, scalar: a.isScalar, active: active, {
            !(validity?.bit($0) ?? true)
        }) {
            throw failure(.overflow, "\(name(type)) overflow in round", row: row)
        }
        return finishFixed(output.values, type: type, count: n, validity: validity, scalar: a.isScalar)
    }

    // MARK: Calendar

    private func calendarPart(_ function: Function, _ a: Vector, type: DataType, count n: Int) -> Vector {
        let values: [UInt8]
        switch a.type {
        case .date:
            values = unaryLoop(a, count: n) { (days: Int32) -> Int64 in
                let (year, month, day) = TextFormatting.civil(fromDays: Int64(days))
                switch function {
                case .year: return year
                case .month: return month
                default: return day
                }
            }
        case .timestamp(let unit, _):
            let perDay = 86_400 * unit.perSecond
            let perHour = 3600 * unit.perSecond
            values = unaryLoop(a, count: n) { (t: Int64) -> Int64 in
                let (days, rest) = floorDivide(t, perDay)
                if function == .hour { return rest / perHour }
                let (year, month, day) = TextFormatting.civil(fromDays: days)
                switch function {
                case .year: return year
                case .month: return month
                default: return day
                }
            }
        default:
            preconditionFailure("\(function) of \(a.type) passed the type checker")
        }
        return finishFixed(values, type: type, count: n, validity: a.validity, scalar: a.isScalar)
    }
}

/// Lower- or uppercases one value: a byte loop for ASCII, the standard library's Unicode
/// mapping (one String per value) when the value has other characters.
@inline(__always)
func changeCase(_ value: UnsafeBufferPointer<UInt8>, upper: Bool, to out: inout [UInt8]) {
    var ascii = true
    for byte in value where byte >= 0x80 {
        ascii = false
        break
    }
    if ascii {
        let from: UInt8 = upper ? 0x61 : 0x41
        for byte in value { out.append(byte &- from < 26 ? byte ^ 0x20 : byte) }
        return
    }
    let text = String(decoding: value, as: UTF8.self)
    out.append(contentsOf: (upper ? text.uppercased() : text.lowercased()).utf8)
}
