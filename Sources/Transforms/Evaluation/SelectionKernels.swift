import Columnar

// coalesce and if (each branch evaluated for its own rows only), and the row selection that
// filter steps apply to every column.

extension Evaluator {
    func coalesce(_ items: [TypedExpression], type: DataType, active: Bitmap?) throws(TransformError) -> Vector {
        // One byte per row: still waiting for a non-null value.
        var pending = [UInt8](repeating: 1, count: rows)
        if let active { for row in 0..<rows where !active.bit(row) { pending[row] = 0 } }
        var waiting = active.map { $0.setCount } ?? rows
        var choice = [Int32](repeating: -1, count: rows)
        var vectors: [Vector] = []
        for (k, item) in items.enumerated() {
            guard waiting > 0 else { break }
            let v = try evaluate(item, active: k == 0 ? active : Self.bitmap(pending))
            if k == 0, !v.isAllNull, v.validity == nil { return v }  // nothing to fill in
            if v.isAllNull { continue }
            vectors.append(v)
            let index = Int32(vectors.count - 1)
            for row in 0..<rows where pending[row] != 0 && v.isValid(row) {
                choice[row] = index
                pending[row] = 0
                waiting -= 1
            }
        }
        if vectors.isEmpty { return .nulls(type, count: rows, scalar: true) }
        return merge(vectors, choice: choice, type: type)
    }

    func ifThen(
        _ condition: TypedExpression, _ then: TypedExpression, _ otherwise: TypedExpression, type: DataType, active: Bitmap?
    ) throws(TransformError) -> Vector {
        let c = try evaluate(condition, active: active)
        if c.isScalar {
            let holds = !c.isAllNull && c.column.values[0] != 0
            return try evaluate(holds ? then : otherwise, active: active)
        }
        // Rows where the condition is true take `then`; false and null take `otherwise` (as CASE does).
        var thenRows = [UInt8](repeating: 0, count: rows)
        var otherRows = [UInt8](repeating: 0, count: rows)
        var choice = [Int32](repeating: -1, count: rows)
        var thenCount = 0
        var otherCount = 0
        c.column.values.withUnsafeBufferPointer { values in
            for row in 0..<rows where active?.bit(row) ?? true {
                if c.isValid(row) && values[row] != 0 {
                    thenRows[row] = 1
                    choice[row] = 0
                    thenCount += 1
                } else {
                    otherRows[row] = 1
                    choice[row] = 1
                    otherCount += 1
                }
            }
        }
        let a = thenCount > 0 ? try evaluate(then, active: Self.bitmap(thenRows)) : Vector.nulls(type, count: rows, scalar: true)
        let b = otherCount > 0 ? try evaluate(otherwise, active: Self.bitmap(otherRows)) : Vector.nulls(type, count: rows, scalar: true)
        return merge([a, b], choice: choice, type: type)
    }

    /// A bitmap of the rows whose byte is non-zero.
    static func bitmap(_ flags: [UInt8]) -> Bitmap {
        flags.withUnsafeBufferPointer { Bitmap(bools: $0) }
    }

    /// Row i takes row i of `vectors[choice[i]]`, or null when the choice is -1.
    func merge(_ vectors: [Vector], choice: [Int32], type: DataType) -> Vector {
        var validity = ValidityBuilder(nil, count: rows)
        for row in 0..<rows {
            let k = Int(choice[row])
            if k < 0 || !vectors[k].isValid(row) { validity.clear(row) }
        }
        let bitmap = validity.finish()
        @inline(__always) func valid(_ row: Int) -> Bool { bitmap?.bit(row) ?? true }
        func fixed<T: BitwiseCopyable>(_: T.Type) -> [UInt8] {
            var out = fixedValues(rows, as: T.self) { out in out.initialize(repeating: load(vectors[0], 0, as: T.self), count: rows) }
            // One pass per source: each copies the rows it was chosen for.
            out.withUnsafeMutableBytes { raw in
                for (k, v) in vectors.enumerated() {
                    v.withRawValues { source in
                        let stride = v.stride &* MemoryLayout<T>.stride
                        for row in 0..<rows where choice[row] == Int32(k) {
                            raw.storeBytes(
                                of: source.loadUnaligned(fromByteOffset: row &* stride, as: T.self),
                                toByteOffset: row &* MemoryLayout<T>.stride, as: T.self)
                        }
                    }
                }
            }
            return out
        }
        let values: [UInt8]
        switch type.byteWidth {
        case 1?: values = fixed(UInt8.self)
        case 2?: values = fixed(UInt16.self)
        case 4?: values = fixed(UInt32.self)
        case 8?: values = fixed(UInt64.self)
        case 16?: values = fixed(Int128.self)
        case let width?:
            var bytes = [UInt8](repeating: 0, count: rows * width)
            for row in 0..<rows where valid(row) {
                let v = vectors[Int(choice[row])]
                let start = (v.isScalar ? 0 : row) * width
                for k in 0..<width { bytes[row * width + k] = v.column.values[start + k] }
            }
            values = bytes
        case nil:
            if type.isVariableLength {
                var output = StringOutput(rows: rows, bytes: vectors.reduce(0) { $0 + $1.column.values.count })
                for row in 0..<rows {
                    if valid(row) {
                        vectors[Int(choice[row])].withStrings { output.append($0[row]) }
                    } else {
                        output.appendEmpty()
                    }
                }
                return Vector(column: output.finish(type: type, validity: bitmap), isScalar: false)
            }
            if case .null = type { return .nulls(.null, count: rows, scalar: false) }
            let builder = ColumnBuilder(type: type, capacity: rows)
            for row in 0..<rows {
                if valid(row) {
                    let v = vectors[Int(choice[row])]
                    builder.append(from: v.column, at: v.isScalar ? 0 : row)
                } else {
                    builder.appendNull()
                }
            }
            return Vector(column: builder.finish(), isScalar: false)
        }
        var result = values
        zeroNullSlots(&result, width: type.byteWidth ?? 0, validity: bitmap)
        return Vector(column: Column(unchecked: type, count: rows, validity: bitmap, values: result), isScalar: false)
    }
}

// MARK: Row selection

/// The rows where a filter's predicate is true (not false, not null), or nil when that is every row.
func selectedRows(_ predicate: Vector, rows: Int) -> [Int32]? {
    if predicate.isScalar {
        let keep = !predicate.isAllNull && predicate.column.values[0] != 0
        return keep ? nil : []
    }
    if predicate.isAllNull { return [] }
    var selected: [Int32] = []
    selected.reserveCapacity(rows)
    let validity = predicate.column.validity
    predicate.column.values.withUnsafeBufferPointer { values in
        for row in 0..<rows where values[row] != 0 && (validity?.bit(row) ?? true) { selected.append(Int32(row)) }
    }
    return selected.count == rows ? nil : selected
}

/// The selected rows of `column`, in order.
func gather(_ column: Column, _ selected: [Int32]) -> Column {
    let n = selected.count
    var validity: Bitmap?
    if case .null = column.type { return Column(unchecked: .null, count: n) }
    if let source = column.validity {
        var bits = ValidityBuilder(nil, count: n)
        for (k, row) in selected.enumerated() where !source.bit(Int(row)) { bits.clear(k) }
        validity = bits.finish()
    }
    if let width = column.type.byteWidth {
        let values = column.values.withUnsafeBytes { raw -> [UInt8] in
            func typed<T: BitwiseCopyable>(_: T.Type) -> [UInt8] {
                fixedValues(n, as: T.self) { out in
                    for (k, row) in selected.enumerated() {
                        out[k] = raw.loadUnaligned(fromByteOffset: Int(row) &* MemoryLayout<T>.stride, as: T.self)
                    }
                }
            }
            switch width {
            case 1: return typed(UInt8.self)
            case 2: return typed(UInt16.self)
            case 4: return typed(UInt32.self)
            case 8: return typed(UInt64.self)
            case 16: return typed(Int128.self)
            default:
                var out = [UInt8]()
                out.reserveCapacity(n * width)
                for row in selected { out.append(contentsOf: raw[(Int(row) * width)..<((Int(row) + 1) * width)]) }
                return out
            }
        }
        return Column(unchecked: column.type, count: n, validity: validity, values: values)
    }
    if column.type.isVariableLength {
        var total = 0
        for row in selected { total += column.range(at: Int(row)).count }
        var output = StringOutput(rows: n, bytes: total)
        let view = Vector(column: column, isScalar: false)
        view.withStrings { strings in
            for row in selected { output.append(strings[Int(row)]) }
        }
        return output.finish(type: column.type, validity: validity)
    }
    let builder = ColumnBuilder(type: column.type, capacity: n)
    for row in selected { builder.append(from: column, at: Int(row)) }
    return builder.finish()
}
