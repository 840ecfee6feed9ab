import Columnar

// Comparisons, SQL's three-valued AND / OR / NOT, IS NULL and IN. Booleans are stored one
// byte per value (0 or 1), as Columnar does.

extension Evaluator {
    func compare(_ op: ComparisonOperator, _ a: Vector, _ b: Vector) -> Vector {
        let scalar = a.isScalar && b.isScalar
        let n = scalar ? 1 : rows
        if a.isAllNull || b.isAllNull { return .nulls(.boolean, count: rows, scalar: scalar) }
        let validity = Validity.and(a.validity, b.validity, count: n)
        let values: [UInt8]
        switch a.type {
        case .boolean:
            values = binaryLoop(a, b, count: n) { (x: UInt8, y: UInt8) -> UInt8 in op.holds((x != 0 ? 1 : 0) - (y != 0 ? 1 : 0)) ? 1 : 0 }
        case .int64, .timestamp:
            values = binaryLoop(a, b, count: n) { (x: Int64, y: Int64) -> UInt8 in op.holds(x < y ? -1 : (x > y ? 1 : 0)) ? 1 : 0 }
        case .date:
            values = binaryLoop(a, b, count: n) { (x: Int32, y: Int32) -> UInt8 in op.holds(x < y ? -1 : (x > y ? 1 : 0)) ? 1 : 0 }
        case .float64:
            values = binaryLoop(a, b, count: n) { (x: Double, y: Double) -> UInt8 in op.holds(floatOrder(x, y)) ? 1 : 0 }
        case .decimal:
            values = binaryLoop(a, b, count: n) { (x: Int128, y: Int128) -> UInt8 in op.holds(x < y ? -1 : (x > y ? 1 : 0)) ? 1 : 0 }
        case .string, .binary:
            values = a.withStrings { sa in
                b.withStrings { sb in
                    fixedValues(n, as: UInt8.self) { out in
                        for i in 0..<n { out[i] = op.holds(byteOrder(sa[i], sb[i])) ? 1 : 0 }
                    }
                }
            }
        default:
            preconditionFailure("comparison of \(a.type) passed the type checker")
        }
        return finishFixed(values, type: .boolean, count: n, validity: validity, scalar: scalar)
    }

    /// AND (`and == true`) or OR with SQL's three-valued logic: false AND null is false,
    /// true OR null is true, anything else with a null is null.
    func logical(and: Bool, _ a: Vector, _ b: Vector) -> Vector {
        let scalar = a.isScalar && b.isScalar
        let n = scalar ? 1 : rows
        // The value that decides alone: false for AND, true for OR.
        let decisive: UInt8 = and ? 0 : 1
        var validity = ValidityBuilder(nil, count: n)
        let aNull = a.isAllNull
        let bNull = b.isAllNull
        let values = fixedValues(n, as: UInt8.self) { out in
            for i in 0..<n {
                let av = !aNull && a.isValid(i)
                let bv = !bNull && b.isValid(i)
                let x: UInt8 = av ? (a.column.values[i &* a.stride] != 0 ? 1 : 0) : 2
                let y: UInt8 = bv ? (b.column.values[i &* b.stride] != 0 ? 1 : 0) : 2
                if x == decisive || y == decisive {
                    out[i] = decisive
                } else if av && bv {
                    out[i] = 1 - decisive
                } else {
                    out[i] = 0
                    validity.clear(i)
                }
            }
        }
        return Vector(column: Column(unchecked: .boolean, count: n, validity: validity.finish(), values: values), isScalar: scalar)
    }

    func not(_ a: Vector) -> Vector {
        let n = a.isScalar ? 1 : rows
        if a.isAllNull { return .nulls(.boolean, count: rows, scalar: a.isScalar) }
        let values = unaryLoop(a, count: n) { (x: UInt8) -> UInt8 in x == 0 ? 1 : 0 }
        return finishFixed(values, type: .boolean, count: n, validity: a.validity, scalar: a.isScalar)
    }

    func isNull(_ a: Vector, negated: Bool) -> Vector {
        let n = a.isScalar ? 1 : rows
        let allNull = a.isAllNull
        let values = fixedValues(n, as: UInt8.self) { out in
            for i in 0..<n { out[i] = (allNull || !a.isValid(i)) != negated ? 1 : 0 }
        }
        return Vector(column: Column(unchecked: .boolean, count: n, values: values), isScalar: a.isScalar)
    }

    /// `s IN (x, y, …)` is `s = x OR s = y OR …`: true when one equals, else null when one
    /// comparison was null, else false. NOT IN negates that (null stays null).
    func inList(_ subject: Vector, _ items: [Vector], negated: Bool) -> Vector {
        let scalar = subject.isScalar && items.allSatisfy(\.isScalar)
        let n = scalar ? 1 : rows
        var found = [UInt8](repeating: 0, count: n)
        var sawNull = [UInt8](repeating: 0, count: n)
        for item in items {
            let equal = compare(.equal, subject, item)
            for i in 0..<n {
                if equal.isValid(i) {
                    found[i] |= equal.column.values[i &* equal.stride]
                } else {
                    sawNull[i] = 1
                }
            }
        }
        var validity = ValidityBuilder(nil, count: n)
        let values = fixedValues(n, as: UInt8.self) { out in
            for i in 0..<n {
                if found[i] != 0 {
                    out[i] = negated ? 0 : 1
                } else if sawNull[i] != 0 {
                    out[i] = 0
                    validity.clear(i)
                } else {
                    out[i] = negated ? 1 : 0
                }
            }
        }
        return Vector(column: Column(unchecked: .boolean, count: n, validity: validity.finish(), values: values), isScalar: scalar)
    }
}

/// A total order on doubles as PostgreSQL sorts them: NaN equals NaN and is above every number.
@inline(__always)
func floatOrder(_ x: Double, _ y: Double) -> Int {
    if x < y { return -1 }
    if x > y { return 1 }
    if x == y { return 0 }
    return x.isNaN ? (y.isNaN ? 0 : 1) : -1
}

/// Bytewise order (UTF-8 strings sort by code point this way).
@inline(__always)
func byteOrder(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Int {
    let common = min(x.count, y.count)
    if common > 0, let px = x.baseAddress, let py = y.baseAddress {
        for k in 0..<common where px[k] != py[k] { return px[k] < py[k] ? -1 : 1 }
    }
    return x.count < y.count ? -1 : (x.count > y.count ? 1 : 0)
}
