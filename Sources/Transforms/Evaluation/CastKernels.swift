import Columnar

/// How a conversion failure is treated: `convert` is an implicit widening (a failure is an
/// overflow), `strict` is CAST and the `cast` step (a failure is an error), `try` is TRY_CAST
/// (a failure is null).
enum CastMode { case convert, strict, `try` }

/// What a per-row conversion produced: values, the validity (failed rows cleared) and whether
/// a valid row failed.
struct CastOutput {
    var values: [UInt8]
    var validity: ValidityBuilder
    var failed: Bool
}

/// `out[i] = convert(i)`, a nil result clearing row i. Rows that were null stay null whatever
/// `convert` says about their (meaningless) slot.
@inline(__always)
func castRows<R: BitwiseCopyable>(_ input: Vector, count n: Int, zero: R, _ convert: (Int) -> R?) -> CastOutput {
    var validity = ValidityBuilder(input.validity, count: n)
    var failed = false
    let values = fixedValues(n, as: R.self) { out in
        for i in 0..<n {
            if let r = convert(i) {
                out[i] = r
            } else {
                out[i] = zero
                if input.isValid(i) {
                    validity.clear(i)
                    failed = true
                }
            }
        }
    }
    return CastOutput(values: values, validity: validity, failed: failed)
}

extension Evaluator {
    func cast(_ v: Vector, to target: DataType, mode: CastMode, active: Bitmap?) throws(TransformError) -> Vector {
        if v.type == target { return v }
        if v.isAllNull { return .nulls(target, count: rows, scalar: v.isScalar) }
        var source = v
        switch TypeFamily(v.type) {
        case .integer where v.type != .int64:
            source = try widenInteger(v, mode: mode, active: active)
        case .float where v.type != .float64:
            source = widenFloat(v)
        default:
            break
        }
        if source.type == target { return source }
        let n = source.isScalar ? 1 : rows
        let output: CastOutput
        switch (source.type, target) {
        case (_, .string):
            if source.type == .binary { return try binaryToString(source, count: n, mode: mode, active: active) }
            return try castToString(source, count: n)
        case (.string, .binary):
            return Vector(column: Column(
                unchecked: .binary, count: source.column.count, validity: source.column.validity,
                values: source.column.values, offsets: source.column.offsets), isScalar: source.isScalar)
        case (.string, _):
            output = castFromString(source, to: target, count: n)
        case (.boolean, _):
            // false and true are 0 and 1, then narrowed like any int64.
            let values = unaryLoop(source, count: n) { (x: UInt8) -> Int64 in x != 0 ? 1 : 0 }
            let integers = Vector(
                column: Column(unchecked: .int64, count: n, validity: source.validity, values: values), isScalar: source.isScalar)
            return try cast(integers, to: target, mode: mode, active: active)
        case (.int64, _):
            output = castFromInteger(source, to: target, count: n)
        case (.float64, _):
            output = castFromFloat(source, to: target, count: n)
        case (.decimal(_, let scale), _):
            output = castFromDecimal(source, scale: scale, to: target, count: n)
        case (.date, _), (.timestamp, _):
            output = castFromCalendar(source, to: target, count: n)
        default:
            preconditionFailure("cast from \(source.type) to \(target) passed the type checker")
        }
        return try finishCast(output, source, target, count: n, mode: mode, active: active)
    }

    /// Wraps a cast's output as a vector, or reports its first failure that counts.
    func finishCast(
        _ output: CastOutput, _ input: Vector, _ target: DataType, count n: Int, mode: CastMode, active: Bitmap?
    ) throws(TransformError) -> Vector {
        let validity = output.validity.finish()
        if output.failed && mode != .try {
            if let row = firstLiveFailure(count: n, validity: input.validity, scalar: input.isScalar, active: active, { row in
                !(validity?.bit(row) ?? true)
            }) {
                if mode == .convert {
                    throw failure(.overflow, "\(name(input.type)) value out of the range of \(name(target))", row: row)
                }
                throw failure(.castFailed, "cannot cast a \(name(input.type)) value to \(name(target))", row: row)
            }
        }
        return finishFixed(output.values, type: target, count: n, validity: validity, scalar: input.isScalar)
    }

    // MARK: Widening

    private func widenInteger(_ v: Vector, mode: CastMode, active: Bitmap?) throws(TransformError) -> Vector {
        let n = v.isScalar ? 1 : rows
        let values: [UInt8]
        switch v.type {
        case .int8: values = unaryLoop(v, count: n) { (x: Int8) -> Int64 in Int64(x) }
        case .int16: values = unaryLoop(v, count: n) { (x: Int16) -> Int64 in Int64(x) }
        case .int32: values = unaryLoop(v, count: n) { (x: Int32) -> Int64 in Int64(x) }
        case .uint8: values = unaryLoop(v, count: n) { (x: UInt8) -> Int64 in Int64(x) }
        case .uint16: values = unaryLoop(v, count: n) { (x: UInt16) -> Int64 in Int64(x) }
        case .uint32: values = unaryLoop(v, count: n) { (x: UInt32) -> Int64 in Int64(x) }
        default:
            // uint64 past Int64.max does not fit the computing type.
            let output = v.withRawValues { p in
                castRows(v, count: n, zero: Int64(0)) { i in Int64(exactly: p.loadUnaligned(fromByteOffset: i &* v.stride &* 8, as: UInt64.self)) }
            }
            return try finishCast(output, v, .int64, count: n, mode: mode == .try ? .try : .convert, active: active)
        }
        return Vector(column: Column(unchecked: .int64, count: n, validity: v.validity, values: values), isScalar: v.isScalar)
    }

    private func widenFloat(_ v: Vector) -> Vector {
        let n = v.isScalar ? 1 : rows
        let values: [UInt8]
        switch v.type {
        case .float16: values = unaryLoop(v, count: n) { (x: UInt16) -> Double in Double(Float16Bits.toFloat(x)) }
        default: values = unaryLoop(v, count: n) { (x: Float) -> Double in Double(x) }
        }
        return Vector(column: Column(unchecked: .float64, count: n, validity: v.validity, values: values), isScalar: v.isScalar)
    }

    // MARK: From numbers

    private func integerTarget(_ v: Vector, count n: Int, to target: DataType, _ read: (Int) -> Int64?) -> CastOutput? {
        func rows<T: FixedWidthInteger & BitwiseCopyable>(_: T.Type) -> CastOutput {
            castRows(v, count: n, zero: T(0)) { i in read(i).flatMap { T(exactly: $0) } }
        }
        switch target {
        case .int8: return rows(Int8.self)
        case .int16: return rows(Int16.self)
        case .int32: return rows(Int32.self)
        case .int64: return rows(Int64.self)
        case .uint8: return rows(UInt8.self)
        case .uint16: return rows(UInt16.self)
        case .uint32: return rows(UInt32.self)
        case .uint64: return rows(UInt64.self)
        default: return nil
        }
    }

    private func castFromInteger(_ v: Vector, to target: DataType, count n: Int) -> CastOutput {
        v.withRawValues { p in
            let s = v.stride &* 8
            let read: (Int) -> Int64 = { i in p.loadUnaligned(fromByteOffset: i &* s, as: Int64.self) }
            if let output = integerTarget(v, count: n, to: target, { read($0) }) { return output }
            switch target {
            case .float64: return castRows(v, count: n, zero: 0.0) { i in Double(read(i)) }
            case .float32: return castRows(v, count: n, zero: Float(0)) { i in Float(read(i)) }
            case .boolean: return castRows(v, count: n, zero: UInt8(0)) { i in read(i) != 0 ? 1 : 0 }
            case .decimal(let precision, let scale):
                let limit = powersOfTen[precision].magnitude
                return castRows(v, count: n, zero: Int128(0)) { i in
                    guard let r = rescaleUp(Int128(read(i)), by: scale), r.magnitude < limit else { return nil }
                    return r
                }
            default:
                preconditionFailure("cast from int64 to \(target) passed the type checker")
            }
        }
    }

    private func castFromFloat(_ v: Vector, to target: DataType, count n: Int) -> CastOutput {
        v.withRawValues { p in
            let s = v.stride &* 8
            let read: (Int) -> Double = { i in p.loadUnaligned(fromByteOffset: i &* s, as: Double.self) }
            // Floats round half away from zero to an integer, as PostgreSQL's casts do.
            if let output = integerTarget(v, count: n, to: target, { Int64(exactly: read($0).rounded(.toNearestOrAwayFromZero)) }) {
                return output
            }
            switch target {
            case .float32:
                return castRows(v, count: n, zero: Float(0)) { i in
                    let x = read(i)
                    let f = Float(x)
                    return x.isFinite && !f.isFinite ? nil : f
                }
            case .decimal(let precision, let scale):
                let factor = Double(powersOfTen[scale])
                let limit = powersOfTen[precision].magnitude
                return castRows(v, count: n, zero: Int128(0)) { i in
                    let scaled = (read(i) * factor).rounded(.toNearestOrAwayFromZero)
                    guard scaled.isFinite, abs(scaled) < 1.7e38, let r = Int128(exactly: scaled), r.magnitude < limit else { return nil }
                    return r
                }
            default:
                preconditionFailure("cast from float64 to \(target) passed the type checker")
            }
        }
    }

    private func castFromDecimal(_ v: Vector, scale: Int, to target: DataType, count n: Int) -> CastOutput {
        v.withRawValues { p in
            let s = v.stride &* 16
            let read: (Int) -> Int128 = { i in p.loadUnaligned(fromByteOffset: i &* s, as: Int128.self) }
            if let output = integerTarget(v, count: n, to: target, { i in
                let x = read(i)
                guard x.magnitude < maxDecimalMagnitude else { return nil }
                return Int64(exactly: rescaleDown(x, by: scale))
            }) {
                return output
            }
            let divisor = Double(powersOfTen[scale])
            switch target {
            case .float64: return castRows(v, count: n, zero: 0.0) { i in Double(read(i)) / divisor }
            case .float32: return castRows(v, count: n, zero: Float(0)) { i in Float(Double(read(i)) / divisor) }
            case .decimal(let precision, let newScale):
                let limit = powersOfTen[precision].magnitude
                return castRows(v, count: n, zero: Int128(0)) { i in
                    let x = read(i)
                    guard x.magnitude < maxDecimalMagnitude else { return nil }
                    let r = newScale >= scale ? rescaleUp(x, by: newScale - scale) : rescaleDown(x, by: scale - newScale)
                    guard let r, r.magnitude < limit else { return nil }
                    return r
                }
            default:
                preconditionFailure("cast from decimal to \(target) passed the type checker")
            }
        }
    }

    // MARK: Dates and timestamps

    private func castFromCalendar(_ v: Vector, to target: DataType, count n: Int) -> CastOutput {
        v.withRawValues { p in
            switch (v.type, target) {
            case (.date, .timestamp(let unit, _)):
                let perDay = 86_400 * unit.perSecond
                return castRows(v, count: n, zero: Int64(0)) { i in
                    let days = Int64(p.loadUnaligned(fromByteOffset: i &* v.stride &* 4, as: Int32.self))
                    let (r, o) = days.multipliedReportingOverflow(by: perDay)
                    return o ? nil : r
                }
            case (.timestamp(let unit, _), .date):
                let perDay = 86_400 * unit.perSecond
                return castRows(v, count: n, zero: Int32(0)) { i in
                    Int32(exactly: floorDivide(p.loadUnaligned(fromByteOffset: i &* v.stride &* 8, as: Int64.self), perDay).quotient)
                }
            case (.timestamp(let from, _), .timestamp(let to, _)):
                return castRows(v, count: n, zero: Int64(0)) { i in
                    let x = p.loadUnaligned(fromByteOffset: i &* v.stride &* 8, as: Int64.self)
                    if to.perSecond >= from.perSecond {
                        let (r, o) = x.multipliedReportingOverflow(by: to.perSecond / from.perSecond)
                        return o ? nil : r
                    }
                    return floorDivide(x, from.perSecond / to.perSecond).quotient
                }
            default:
                preconditionFailure("cast from \(v.type) to \(target) passed the type checker")
            }
        }
    }

    // MARK: Strings

    private func castFromString(_ v: Vector, to target: DataType, count n: Int) -> CastOutput {
        v.withStrings { strings in
            if let output = integerTarget(v, count: n, to: target, { IntegerText.parse(strings[$0]) }) { return output }
            switch target {
            case .boolean:
                return castRows(v, count: n, zero: UInt8(0)) { i in BooleanText.parse(strings[i]).map { $0 ? 1 : 0 } }
            case .float64:
                return castRows(v, count: n, zero: 0.0) { i in FloatText.parse(strings[i]) }
            case .float32:
                return castRows(v, count: n, zero: Float(0)) { i in
                    guard let x = FloatText.parse(strings[i]) else { return nil }
                    let f = Float(x)
                    return x.isFinite && !f.isFinite ? nil : f
                }
            case .decimal(let precision, let scale):
                return castRows(v, count: n, zero: Int128(0)) { i in DecimalText.parse(strings[i], precision: precision, scale: scale) }
            case .date:
                return castRows(v, count: n, zero: Int32(0)) { i in CalendarText.parseDate(strings[i]) }
            case .timestamp(let unit, _):
                // A zone in the text converts to UTC; text without one is taken as it is.
                return castRows(v, count: n, zero: Int64(0)) { i in CalendarText.parseTimestamp(strings[i])?.value(in: unit) }
            default:
                preconditionFailure("cast from string to \(target) passed the type checker")
            }
        }
    }

    private func binaryToString(_ v: Vector, count n: Int, mode: CastMode, active: Bitmap?) throws(TransformError) -> Vector {
        var validity = ValidityBuilder(v.validity, count: n)
        var failed = false
        v.withStrings { strings in
            for i in 0..<n where v.isValid(i) && !isValidUTF8(strings[i]) {
                validity.clear(i)
                failed = true
            }
        }
        guard failed else {
            return Vector(column: Column(
                unchecked: .string, count: v.column.count, validity: v.column.validity, values: v.column.values,
                offsets: v.column.offsets), isScalar: v.isScalar)
        }
        let bitmap = validity.finish()
        if mode != .try, let row = firstLiveFailure(count: n, validity: v.validity, scalar: v.isScalar, active: active, { !(bitmap?.bit($0) ?? true) }) {
            throw failure(.castFailed, "binary value is not UTF-8", row: row)
        }
        var output = StringOutput(rows: n, bytes: v.column.values.count)
        v.withStrings { strings in
            for i in 0..<n {
                if bitmap?.bit(i) ?? true { output.append(strings[i]) } else { output.appendEmpty() }
            }
        }
        return Vector(column: output.finish(type: .string, validity: bitmap), isScalar: v.isScalar)
    }

    private func castToString(_ v: Vector, count n: Int) throws(TransformError) -> Vector {
        var output = StringOutput(rows: n, bytes: n * 8)
        let allNull = v.isAllNull
        func each(_ append: (Int, inout [UInt8]) -> Void) {
            for i in 0..<n {
                if allNull || !v.isValid(i) {
                    output.appendEmpty()
                } else {
                    output.appendBytes { append(i, &$0) }
                }
            }
        }
        v.withRawValues { p in
            switch v.type {
            case .boolean:
                each { i, out in out.append(contentsOf: p.load(fromByteOffset: i &* v.stride, as: UInt8.self) != 0 ? "true".utf8 : "false".utf8) }
            case .int64:
                each { i, out in ValueText.appendInteger(p.loadUnaligned(fromByteOffset: i &* v.stride &* 8, as: Int64.self), to: &out) }
            case .float64:
                each { i, out in ValueText.appendDouble(p.loadUnaligned(fromByteOffset: i &* v.stride &* 8, as: Double.self), to: &out) }
            case .decimal(_, let scale):
                each { i, out in ValueText.appendDecimal(p.loadUnaligned(fromByteOffset: i &* v.stride &* 16, as: Int128.self), scale: scale, to: &out) }
            case .date:
                each { i, out in ValueText.appendDate(days: Int64(p.loadUnaligned(fromByteOffset: i &* v.stride &* 4, as: Int32.self)), to: &out) }
            case .timestamp(let unit, let utc):
                each { i, out in
                    ValueText.appendTimestamp(p.loadUnaligned(fromByteOffset: i &* v.stride &* 8, as: Int64.self), unit: unit, utc: utc, to: &out)
                }
            default:
                preconditionFailure("cast from \(v.type) to string passed the type checker")
            }
        }
        if output.overflowed { throw failure(.limitExceeded, "string column past 2 GiB; use smaller batches", row: 0) }
        let validity = allNull ? Bitmap(repeating: false, count: n) : v.validity.map { Validity.trimmed($0, count: n) }
        return Vector(column: output.finish(type: .string, validity: validity), isScalar: v.isScalar)
    }
}
