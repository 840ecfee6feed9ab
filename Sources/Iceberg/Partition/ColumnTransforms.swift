import Columnar

extension Transform {
    /// The partition value of every row of `column`, which holds values of the Iceberg type
    /// `source`: a column of `IcebergSchema.columnarType(resultType(source:))`, null where
    /// the source is null.
    ///
    /// The source column may hold the canonical Columnar type of `source` or a narrower one
    /// that widens to it (int8/int16/uint8/uint16 for int, uint32 for long, timestamps and
    /// times in ms or ns, converted to microseconds first). Temporal, bucket and truncate
    /// transforms over integers, timestamps and strings run over the buffers directly; the
    /// rest go value by value.
    public func apply(to column: Column, source: IcebergType) throws(IcebergError) -> Column {
        let result = try resultType(source: source)
        let held = try? IcebergSchema.unnumberedType(column.type, path: "")
        guard let held, held == source || held.canPromote(to: source) else {
            throw IcebergError(
                .invalidArgument, "a column of type \(column.type) does not hold \(source.primitiveName ?? "nested") values")
        }
        let outType = IcebergSchema.columnarType(result)
        let count = column.count
        switch self {
        case .void:
            return Column.nulls(outType, count: count)
        case .identity where column.type == outType:
            return column
        case .year, .month, .day, .hour:
            guard let (values, isDate) = Self.micros(column) else { break }
            let builder = ColumnBuilder(type: outType, capacity: count)
            for row in 0..<count {
                if column.isNull(row) {
                    builder.appendNull()
                    continue
                }
                switch Self.temporal(self, micros: values[row], isDate: isDate) {
                case .int(let v), .date(let v): builder.append(fixed: v)
                default: preconditionFailure("temporal transforms make ints and dates")
                }
            }
            return builder.finish()
        case .bucket(let n):
            let buckets = Int32(clamping: n)
            let builder = ColumnBuilder(type: .int32, capacity: count)
            func put(_ hash: Int32) { builder.append(fixed: (hash & Int32.max) % buckets) }
            if let values = Self.integers(column) {
                for row in 0..<count {
                    if column.isNull(row) { builder.appendNull() } else { put(Murmur3.hashLong(values[row])) }
                }
                return builder.finish()
            }
            if column.type.isVariableLength {
                for row in 0..<count {
                    if column.isNull(row) {
                        builder.appendNull()
                    } else {
                        put(column.withBytes(at: row) { Murmur3.hash32($0) })
                    }
                }
                return builder.finish()
            }
        case .truncate(let width):
            if let values = Self.integers(column), source == .int || source == .long {
                let builder = ColumnBuilder(type: outType, capacity: count)
                let w = Int64(width)
                for row in 0..<count {
                    if column.isNull(row) {
                        builder.appendNull()
                        continue
                    }
                    let truncated = values[row] &- floorMod(values[row], w)
                    if source == .int {
                        builder.append(fixed: Int32(truncatingIfNeeded: truncated))
                    } else {
                        builder.append(fixed: truncated)
                    }
                }
                return builder.finish()
            }
            if column.type == .string && source == .string {
                let builder = ColumnBuilder(type: .string, capacity: count)
                for row in 0..<count {
                    if column.isNull(row) {
                        builder.appendNull()
                        continue
                    }
                    column.withBytes(at: row) { bytes in
                        builder.append(bytes: UnsafeRawBufferPointer(rebasing: bytes[0..<Self.prefixLength(bytes, codePoints: width)]))
                    }
                }
                return builder.finish()
            }
        default:
            break
        }
        // Value by value.
        let builder = ColumnBuilder(type: outType, capacity: count)
        for row in 0..<count {
            let value = column.value(at: row)
            if case .null = value {
                builder.appendNull()
                continue
            }
            guard let literal = IcebergLiteral(columnar: value, type: source) else {
                throw IcebergError(
                    .invalidArgument, "a column of type \(column.type) does not hold \(source.primitiveName ?? "nested") values")
            }
            guard let out = try apply(literal, source: source) else {
                builder.appendNull()
                continue
            }
            do {
                try builder.append(out.columnarValue(result))
            } catch {
                throw IcebergError(.invalidArgument, "a partition value does not fit its column", underlying: "\(error)")
            }
        }
        return builder.finish()
    }

    /// Bytes of the first `codePoints` code points of valid UTF-8.
    static func prefixLength(_ bytes: UnsafeRawBufferPointer, codePoints: Int) -> Int {
        var seen = 0
        for (index, byte) in bytes.enumerated() where byte & 0xC0 != 0x80 {
            if seen == codePoints { return index }
            seen += 1
        }
        return bytes.count
    }

    /// Every value of an integer-like column as Int64 (times and timestamps in microseconds);
    /// nil for other types. Null slots hold zero.
    static func integers(_ column: Column) -> [Int64]? {
        switch column.type {
        case .int8: return column.withValues(as: Int8.self) { $0.map(Int64.init) }
        case .int16: return column.withValues(as: Int16.self) { $0.map(Int64.init) }
        case .int32, .date: return column.withValues(as: Int32.self) { $0.map(Int64.init) }
        case .uint8: return column.withValues(as: UInt8.self) { $0.map(Int64.init) }
        case .uint16: return column.withValues(as: UInt16.self) { $0.map(Int64.init) }
        case .uint32: return column.withValues(as: UInt32.self) { $0.map(Int64.init) }
        case .int64: return column.withValues(as: Int64.self) { Array($0) }
        case .time(let unit), .timestamp(let unit, _):
            return column.withValues(as: Int64.self) { values in values.map { IcebergLiteral.micros($0, unit) } }
        default: return nil
        }
    }

    /// Microseconds since the epoch of a date or timestamp column, and whether it is a date.
    static func micros(_ column: Column) -> ([Int64], Bool)? {
        switch column.type {
        case .date:
            return (column.withValues(as: Int32.self) { $0.map { Int64($0) * microsPerDay } }, true)
        case .timestamp(let unit, _):
            return (column.withValues(as: Int64.self) { $0.map { IcebergLiteral.micros($0, unit) } }, false)
        default:
            return nil
        }
    }
}
