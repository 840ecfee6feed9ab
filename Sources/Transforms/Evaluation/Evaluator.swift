import Columnar

/// Evaluates a typed plan over a batch's columns, one whole column per node.
///
/// `active` marks the rows whose result matters (nil: all). `if` and `coalesce` evaluate a
/// branch only for its rows, as SQL's CASE does: `if(x = 0, null, 100 / x)` or
/// `if(v < 1000, v * v, null)` must not fail on rows the branch does not serve. A kernel
/// computes every row anyway (that is what keeps it a tight loop) and only reports an error
/// for a row that is valid and active.
struct Evaluator {
    let columns: [Column]
    let rows: Int
    /// The column being computed, for run-time errors.
    let target: String?

    func evaluate(_ expression: TypedExpression, active: Bitmap?) throws(TransformError) -> Vector {
        let type = expression.type
        switch expression.node {
        case .column(let index, _):
            return Vector(column: columns[index], isScalar: false)
        case .literal(let value):
            return .scalar(value, type: type)
        case .convert(let operand):
            return try cast(try evaluate(operand, active: active), to: type, mode: .convert, active: active)
        case .cast(let operand, let isTry):
            return try cast(try evaluate(operand, active: active), to: type, mode: isTry ? .try : .strict, active: active)
        case .negate(let operand):
            return try negate(try evaluate(operand, active: active), active: active)
        case .arithmetic(let op, let left, let right):
            let a = try evaluate(left, active: active)
            let b = try evaluate(right, active: active)
            return try arithmetic(op, a, b, type: type, active: active)
        case .compare(let op, let left, let right):
            return compare(op, try evaluate(left, active: active), try evaluate(right, active: active))
        case .and(let left, let right):
            return logical(and: true, try evaluate(left, active: active), try evaluate(right, active: active))
        case .or(let left, let right):
            return logical(and: false, try evaluate(left, active: active), try evaluate(right, active: active))
        case .not(let operand):
            return not(try evaluate(operand, active: active))
        case .isNull(let operand, let negated):
            return isNull(try evaluate(operand, active: active), negated: negated)
        case .inList(let subject, let items, let negated):
            let s = try evaluate(subject, active: active)
            var values: [Vector] = []
            values.reserveCapacity(items.count)
            for item in items { values.append(try evaluate(item, active: active)) }
            return inList(s, values, negated: negated)
        case .concat(let left, let right):
            return try concat(try evaluate(left, active: active), try evaluate(right, active: active), active: active)
        case .coalesce(let items):
            return try coalesce(items, type: type, active: active)
        case .ifThen(let condition, let then, let otherwise):
            return try ifThen(condition, then, otherwise, type: type, active: active)
        case .function(let function, let arguments):
            var values: [Vector] = []
            values.reserveCapacity(arguments.count)
            for argument in arguments { values.append(try evaluate(argument, active: active)) }
            return try call(function, values, type: type, active: active)
        }
    }

    // MARK: Errors

    func failure(_ code: TransformError.Code, _ message: String, row: Int) -> TransformError {
        TransformError(code, message, row: row, column: target)
    }

    /// The row an error found at `row` is reported for, nil when that row does not count
    /// (outside `active`). A constant's error counts for the first active row.
    func live(_ row: Int, scalar: Bool, active: Bitmap?) -> Int? {
        if scalar {
            guard let active else { return 0 }
            return Validity.firstSet(active, count: rows)
        }
        guard let active else { return row }
        return active.bit(row) ? row : nil
    }

    /// The first row in `0..<count` where `failed(row)` holds for a valid, live row.
    func firstLiveFailure(
        count: Int, validity: Bitmap?, scalar: Bool, active: Bitmap?, _ failed: (Int) -> Bool
    ) -> Int? {
        for row in 0..<count where validity?.bit(row) ?? true {
            if failed(row), let reported = live(row, scalar: scalar, active: active) { return reported }
        }
        return nil
    }
}

// MARK: Loops

/// `out[i] = op(a[i], b[i])` over fixed-width values. A constant operand is loaded once and
/// the loop specialized for it, so `value * 5` is a plain loop over one buffer.
@inline(__always)
func binaryLoop<A: BitwiseCopyable, B: BitwiseCopyable, R: BitwiseCopyable>(
    _ a: Vector, _ b: Vector, count: Int, _ op: (A, B) -> R
) -> [UInt8] {
    a.withRawValues { pa in
        b.withRawValues { pb in
            fixedValues(count, as: R.self) { out in
                switch (a.isScalar, b.isScalar) {
                case (false, false):
                    let x = pa.assumingMemoryBoundIfAligned(A.self)
                    let y = pb.assumingMemoryBoundIfAligned(B.self)
                    if let x, let y {
                        for i in 0..<count { out[i] = op(x[i], y[i]) }
                    } else {
                        for i in 0..<count {
                            out[i] = op(
                                pa.loadUnaligned(fromByteOffset: i &* MemoryLayout<A>.stride, as: A.self),
                                pb.loadUnaligned(fromByteOffset: i &* MemoryLayout<B>.stride, as: B.self))
                        }
                    }
                case (false, true):
                    let c = pb.loadUnaligned(as: B.self)
                    if let x = pa.assumingMemoryBoundIfAligned(A.self) {
                        for i in 0..<count { out[i] = op(x[i], c) }
                    } else {
                        for i in 0..<count { out[i] = op(pa.loadUnaligned(fromByteOffset: i &* MemoryLayout<A>.stride, as: A.self), c) }
                    }
                case (true, false):
                    let c = pa.loadUnaligned(as: A.self)
                    if let y = pb.assumingMemoryBoundIfAligned(B.self) {
                        for i in 0..<count { out[i] = op(c, y[i]) }
                    } else {
                        for i in 0..<count { out[i] = op(c, pb.loadUnaligned(fromByteOffset: i &* MemoryLayout<B>.stride, as: B.self)) }
                    }
                case (true, true):
                    let r = op(pa.loadUnaligned(as: A.self), pb.loadUnaligned(as: B.self))
                    for i in 0..<count { out[i] = r }
                }
            }
        }
    }
}

extension UnsafeRawPointer {
    /// The memory as `T` when it is aligned for `T` (arrays' buffers are), nil otherwise.
    @inline(__always)
    func assumingMemoryBoundIfAligned<T>(_: T.Type) -> UnsafePointer<T>? {
        UInt(bitPattern: self) % UInt(MemoryLayout<T>.alignment) == 0 ? assumingMemoryBound(to: T.self) : nil
    }
}

/// `out[i] = op(a[i])` over fixed-width values.
@inline(__always)
func unaryLoop<A: BitwiseCopyable, R: BitwiseCopyable>(_ a: Vector, count: Int, _ op: (A) -> R) -> [UInt8] {
    a.withRawValues { pa in
        fixedValues(count, as: R.self) { out in
            if a.isScalar {
                let r = op(pa.loadUnaligned(as: A.self))
                for i in 0..<count { out[i] = r }
            } else if let x = pa.assumingMemoryBoundIfAligned(A.self) {
                for i in 0..<count { out[i] = op(x[i]) }
            } else {
                for i in 0..<count { out[i] = op(pa.loadUnaligned(fromByteOffset: i &* MemoryLayout<A>.stride, as: A.self)) }
            }
        }
    }
}

/// Value `row` of a fixed-width vector (slow path: error reporting, per-row kernels).
@inline(__always)
func load<T: BitwiseCopyable>(_ v: Vector, _ row: Int, as _: T.Type) -> T {
    v.withRawValues { $0.loadUnaligned(fromByteOffset: row &* v.stride &* MemoryLayout<T>.stride, as: T.self) }
}
