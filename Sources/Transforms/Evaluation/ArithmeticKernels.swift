import Columnar

// Arithmetic over int64, float64 and decimal columns. Integer and decimal results that leave
// their type's range are errors; division and remainder by zero give null for every numeric
// type (so `coalesce(a / b, 0)` handles it and one odd row does not fail a whole file).

extension Evaluator {
    func arithmetic(
        _ op: ArithmeticOperator, _ a: Vector, _ b: Vector, type: DataType, active: Bitmap?
    ) throws(TransformError) -> Vector {
        let scalar = a.isScalar && b.isScalar
        let n = scalar ? 1 : rows
        if a.isAllNull || b.isAllNull { return .nulls(type, count: rows, scalar: scalar) }
        let validity = Validity.and(a.validity, b.validity, count: n)
        switch op {
        case .addDays, .subtractDays:
            let sign: Int64 = op == .addDays ? 1 : -1
            var overflow = false
            let values = binaryLoop(a, b, count: n) { (date: Int32, days: Int64) -> Int32 in
                let (delta, o1) = days.multipliedReportingOverflow(by: sign)
                let (sum, o2) = Int64(date).addingReportingOverflow(delta)
                guard !o1, !o2, let result = Int32(exactly: sum) else {
                    overflow = true
                    return 0
                }
                return result
            }
            if overflow, let row = firstLiveFailure(count: n, validity: validity, scalar: scalar, active: active, { row in
                let sum = Int64(load(a, row, as: Int32.self)).addingReportingOverflow(load(b, row, as: Int64.self).multipliedReportingOverflow(by: sign).partialValue)
                return sum.overflow || Int32(exactly: sum.partialValue) == nil
            }) {
                throw failure(.overflow, "date out of range", row: row)
            }
            return finishFixed(values, type: type, count: n, validity: validity, scalar: scalar)
        case .daysBetween:
            let values = binaryLoop(a, b, count: n) { (x: Int32, y: Int32) -> Int64 in Int64(x) - Int64(y) }
            return finishFixed(values, type: type, count: n, validity: validity, scalar: scalar)
        default:
            break
        }
        switch type {
        case .int64: return try integerArithmetic(op, a, b, n: n, validity: validity, scalar: scalar, active: active)
        case .float64: return floatArithmetic(op, a, b, n: n, validity: validity, scalar: scalar)
        case .decimal(let p, let s):
            return try decimalArithmetic(op, a, b, precision: p, scale: s, n: n, validity: validity, scalar: scalar, active: active)
        default:
            preconditionFailure("arithmetic on \(type) passed the type checker")
        }
    }

    /// A fixed-width result with zeroed null slots.
    func finishFixed(_ values: consuming [UInt8], type: DataType, count: Int, validity: Bitmap?, scalar: Bool) -> Vector {
        var values = values  // the kernel's buffer, moved here: zeroing does not copy it
        zeroNullSlots(&values, width: type.byteWidth ?? 0, validity: validity)
        return Vector(column: Column(unchecked: type, count: count, validity: validity, values: values), isScalar: scalar)
    }

    /// Clears the rows whose divisor is zero.
    private func nullZeroDivisors<T: BitwiseCopyable & Equatable>(
        _ b: Vector, as _: T.Type, zero: T, count n: Int, validity: Bitmap?
    ) -> Bitmap? {
        var builder = ValidityBuilder(validity, count: n)
        b.withRawValues { pb in
            let sb = b.stride &* MemoryLayout<T>.stride
            for i in 0..<n where pb.loadUnaligned(fromByteOffset: i &* sb, as: T.self) == zero { builder.clear(i) }
        }
        return builder.finish()
    }

    private func integerArithmetic(
        _ op: ArithmeticOperator, _ a: Vector, _ b: Vector, n: Int, validity: Bitmap?, scalar: Bool, active: Bitmap?
    ) throws(TransformError) -> Vector {
        var overflow = false
        var zeroDivisor = false
        let values: [UInt8]
        switch op {
        case .add:
            values = binaryLoop(a, b, count: n) { (x: Int64, y: Int64) -> Int64 in
                let (r, o) = x.addingReportingOverflow(y)
                overflow = overflow || o
                return r
            }
        case .subtract:
            values = binaryLoop(a, b, count: n) { (x: Int64, y: Int64) -> Int64 in
                let (r, o) = x.subtractingReportingOverflow(y)
                overflow = overflow || o
                return r
            }
        case .multiply:
            values = binaryLoop(a, b, count: n) { (x: Int64, y: Int64) -> Int64 in
                let (r, o) = x.multipliedReportingOverflow(by: y)
                overflow = overflow || o
                return r
            }
        default:
            let isDivide = op == .divide
            values = binaryLoop(a, b, count: n) { (x: Int64, y: Int64) -> Int64 in
                if y == 0 {
                    zeroDivisor = true
                    return 0
                }
                if y == -1 {
                    // Int64.min / -1 overflows; its remainder is 0.
                    if isDivide && x == .min { overflow = true }
                    return isDivide ? 0 &- x : 0
                }
                return isDivide ? x / y : x % y
            }
        }
        if overflow {
            let failed: (Int) -> Bool = { row in
                let x = load(a, row, as: Int64.self)
                let y = load(b, row, as: Int64.self)
                switch op {
                case .add: return x.addingReportingOverflow(y).overflow
                case .subtract: return x.subtractingReportingOverflow(y).overflow
                case .multiply: return x.multipliedReportingOverflow(by: y).overflow
                default: return x == .min && y == -1
                }
            }
            if let row = firstLiveFailure(count: n, validity: validity, scalar: scalar, active: active, failed) {
                throw failure(.overflow, "int64 overflow in \(op.rawValue)", row: row)
            }
        }
        let finalValidity = zeroDivisor ? nullZeroDivisors(b, as: Int64.self, zero: 0, count: n, validity: validity) : validity
        return finishFixed(values, type: .int64, count: n, validity: finalValidity, scalar: scalar)
    }

    private func floatArithmetic(
        _ op: ArithmeticOperator, _ a: Vector, _ b: Vector, n: Int, validity: Bitmap?, scalar: Bool
    ) -> Vector {
        var zeroDivisor = false
        let values: [UInt8]
        switch op {
        case .add: values = binaryLoop(a, b, count: n) { (x: Double, y: Double) -> Double in x + y }
        case .subtract: values = binaryLoop(a, b, count: n) { (x: Double, y: Double) -> Double in x - y }
        case .multiply: values = binaryLoop(a, b, count: n) { (x: Double, y: Double) -> Double in x * y }
        case .divide:
            values = binaryLoop(a, b, count: n) { (x: Double, y: Double) -> Double in
                if y == 0 { zeroDivisor = true }
                return x / y
            }
        default:
            values = binaryLoop(a, b, count: n) { (x: Double, y: Double) -> Double in
                if y == 0 { zeroDivisor = true }
                return x.truncatingRemainder(dividingBy: y)
            }
        }
        let finalValidity = zeroDivisor ? nullZeroDivisors(b, as: Double.self, zero: 0, count: n, validity: validity) : validity
        return finishFixed(values, type: .float64, count: n, validity: finalValidity, scalar: scalar)
    }

    private func decimalArithmetic(
        _ op: ArithmeticOperator, _ a: Vector, _ b: Vector, precision: Int, scale: Int, n: Int, validity: Bitmap?,
        scalar: Bool, active: Bitmap?
    ) throws(TransformError) -> Vector {
        guard case .decimal(_, let s1) = a.type, case .decimal(_, let s2) = b.type else {
            preconditionFailure("decimal arithmetic on \(a.type) and \(b.type)")
        }
        let limit = powersOfTen[precision]
        let compute = DecimalArithmetic(op: op, s1: s1, s2: s2, scale: scale, limit: limit)
        var overflow = false
        var zeroDivisor = false
        let values = binaryLoop(a, b, count: n) { (x: Int128, y: Int128) -> Int128 in
            if y == 0, op == .divide || op == .remainder {
                zeroDivisor = true
                return 0
            }
            guard let r = compute(x, y) else {
                overflow = true
                return 0
            }
            return r
        }
        if overflow, let row = firstLiveFailure(count: n, validity: validity, scalar: scalar, active: active, { row in
            let y = load(b, row, as: Int128.self)
            return !(y == 0 && (op == .divide || op == .remainder)) && compute(load(a, row, as: Int128.self), y) == nil
        }) {
            throw failure(.overflow, "decimal(\(precision), \(scale)) overflow in \(op.rawValue)", row: row)
        }
        let finalValidity = zeroDivisor ? nullZeroDivisors(b, as: Int128.self, zero: 0, count: n, validity: validity) : validity
        return finishFixed(values, type: .decimal(precision: precision, scale: scale), count: n, validity: finalValidity, scalar: scalar)
    }

    func negate(_ a: Vector, active: Bitmap?) throws(TransformError) -> Vector {
        let n = a.isScalar ? 1 : rows
        if a.isAllNull { return .nulls(a.type, count: rows, scalar: a.isScalar) }
        let validity = a.validity
        switch a.type {
        case .int64:
            var overflow = false
            let values = unaryLoop(a, count: n) { (x: Int64) -> Int64 in
                let (r, o) = Int64(0).subtractingReportingOverflow(x)
                overflow = overflow || o
                return r
            }
            if overflow, let row = firstLiveFailure(count: n, validity: validity, scalar: a.isScalar, active: active, {
                load(a, $0, as: Int64.self) == .min
            }) {
                throw failure(.overflow, "int64 overflow in unary -", row: row)
            }
            return finishFixed(values, type: a.type, count: n, validity: validity, scalar: a.isScalar)
        case .float64:
            return finishFixed(unaryLoop(a, count: n) { (x: Double) -> Double in -x }, type: a.type, count: n, validity: validity, scalar: a.isScalar)
        default:
            return finishFixed(unaryLoop(a, count: n) { (x: Int128) -> Int128 in 0 &- x }, type: a.type, count: n, validity: validity, scalar: a.isScalar)
        }
    }
}

/// One decimal operation with its operands' scales fixed: the per-row arithmetic in Int128,
/// nil when the result overflows Int128 or its precision.
struct DecimalArithmetic {
    let op: ArithmeticOperator
    let s1: Int
    let s2: Int
    let scale: Int
    let limit: Int128

    @inline(__always)
    func callAsFunction(_ x: Int128, _ y: Int128) -> Int128? {
        // Operands past 38 digits are not decimals (garbage in a null slot of a bad file):
        // refusing them keeps Int128.min / -1 from trapping.
        guard x.magnitude < maxDecimalMagnitude, y.magnitude < maxDecimalMagnitude else { return nil }
        let result: Int128
        switch op {
        case .add, .subtract, .remainder:
            guard let a = rescaleUp(x, by: scale - s1), let b = rescaleUp(y, by: scale - s2) else { return nil }
            switch op {
            case .add:
                let (r, o) = a.addingReportingOverflow(b)
                if o { return nil }
                result = r
            case .subtract:
                let (r, o) = a.subtractingReportingOverflow(b)
                if o { return nil }
                result = r
            default:
                result = a % b
            }
        case .multiply:
            let (r, o) = x.multipliedReportingOverflow(by: y)
            if o { return nil }
            result = r
        default:
            // x / 10^s1 ÷ y / 10^s2 at `scale`: x * 10^(scale - s1 + s2) / y, rounded.
            let k = scale - s1 + s2
            if k >= 0 {
                guard let numerator = rescaleUp(x, by: k) else { return nil }
                result = roundedDivision(numerator, y)
            } else {
                guard let denominator = rescaleUp(y, by: -k) else { return 0 }
                result = roundedDivision(x, denominator)
            }
        }
        return result.magnitude < limit.magnitude ? result : nil
    }
}

/// 10^38: no decimal value reaches it.
let maxDecimalMagnitude = UInt128(powersOfTen[38])

/// `value * 10^digits`, nil on overflow.
@inline(__always)
func rescaleUp(_ value: Int128, by digits: Int) -> Int128? {
    if digits == 0 || value == 0 { return value }
    guard digits <= 38 else { return nil }
    let (r, o) = value.multipliedReportingOverflow(by: powersOfTen[digits])
    return o ? nil : r
}

/// `n / d` rounded half away from zero (`d` not zero).
@inline(__always)
func roundedDivision(_ n: Int128, _ d: Int128) -> Int128 {
    let q = n / d
    let r = n % d
    guard r != 0 else { return q }
    let rm = r.magnitude
    let dm = d.magnitude
    guard rm >= dm - rm else { return q }
    return (n < 0) != (d < 0) ? q - 1 : q + 1
}

/// `value / 10^digits` rounded half away from zero (0 when digits pass 38).
@inline(__always)
func rescaleDown(_ value: Int128, by digits: Int) -> Int128 {
    if digits <= 0 { return value }
    if digits > 38 { return 0 }
    return roundedDivision(value, powersOfTen[digits])
}
