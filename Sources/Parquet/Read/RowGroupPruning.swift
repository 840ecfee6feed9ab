import Columnar
import ParquetFormat

/// A condition on one column, used to skip row groups whose statistics prove that no row
/// satisfies it. Comparisons follow SQL: a null never satisfies a comparison.
public struct ColumnPredicate: Sendable, Hashable {
    public enum Operator: Sendable, Hashable {
        case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual, isNull, isNotNull
    }

    /// A top-level primitive column name, or the dotted path of a primitive field inside
    /// structs (`address.city`). Columns inside lists and maps are never pruned on.
    public var column: String
    public var op: Operator
    /// The value compared against; ignored by `isNull` and `isNotNull`.
    public var value: Value

    public init(column: String, op: Operator, value: Value = .null) {
        self.column = column
        self.op = op
        self.value = value
    }
}

extension ParquetFileReader {
    /// The row groups that may hold rows satisfying every predicate, in file order. A row
    /// group is left out only when its statistics prove that some predicate holds for none
    /// of its rows; a predicate on a column that cannot be pruned on (unknown, nested in a
    /// list, without usable statistics) keeps every row group.
    public func rowGroups(matching predicates: [ColumnPredicate]) -> [Int] {
        let resolved = predicates.map { predicate in (predicate, leafIndex(for: predicate.column)) }
        var result: [Int] = []
        for (index, group) in metadata.rowGroups.enumerated() {
            var keep = true
            for (predicate, leafIndex) in resolved {
                guard let leafIndex, leafIndex < group.columns.count else { continue }
                let leaf = readSchema.leaves[leafIndex]
                let order = metadata.columnOrders.flatMap { leafIndex < $0.count ? $0[leafIndex] : nil }
                if StatisticsPruning.provesNoMatch(
                    predicate, leaf: leaf, chunk: group.columns[leafIndex], rows: group.numRows, columnOrder: order,
                    hasColumnOrders: metadata.columnOrders != nil)
                {
                    keep = false
                    break
                }
            }
            if keep { result.append(index) }
        }
        return result
    }

    /// The leaf a predicate names: not repeated, reached through structs only.
    private func leafIndex(for column: String) -> Int? {
        for leaf in readSchema.leaves where leaf.maxRepetitionLevel == 0 && leaf.dottedPath == column {
            return leaf.index
        }
        return nil
    }
}

/// Decides from a column chunk's statistics whether a predicate can hold for any row.
enum StatisticsPruning {
    /// A value in a domain where statistics and predicate values compare.
    enum Comparable: Equatable {
        case integer(Int128)
        case real(Double)
        case bytes([UInt8])
        case boolean(Bool)

        /// -1, 0, 1; nil when the two cannot be compared (different domains, NaN).
        func compare(_ other: Comparable) -> Int? {
            switch (self, other) {
            case (.integer(let a), .integer(let b)): return a < b ? -1 : (a == b ? 0 : 1)
            case (.real(let a), .real(let b)):
                guard !a.isNaN, !b.isNaN else { return nil }
                return a < b ? -1 : (a == b ? 0 : 1)
            case (.bytes(let a), .bytes(let b)):
                return a.lexicographicallyPrecedes(b) ? -1 : (a == b ? 0 : 1)
            case (.boolean(let a), .boolean(let b)):
                return a == b ? 0 : (!a ? -1 : 1)
            default: return nil
            }
        }
    }

    static func provesNoMatch(
        _ predicate: ColumnPredicate, leaf: LeafDescriptor, chunk: ColumnChunk, rows: Int64,
        columnOrder: ColumnOrder?, hasColumnOrders: Bool
    ) -> Bool {
        guard let meta = chunk.metaData, let stats = meta.statistics else { return false }
        // For a column outside lists, entries are rows.
        let entries = meta.numValues
        let nullCount = stats.nullCount.flatMap { $0 >= 0 && $0 <= entries ? $0 : nil }
        switch predicate.op {
        case .isNull:
            return nullCount == 0
        case .isNotNull:
            return nullCount.map { $0 == entries } ?? false
        default:
            break
        }
        // Comparisons: a chunk of nulls only matches none of them.
        if let nullCount, nullCount == entries, entries > 0 { return true }
        guard let bounds = bounds(of: stats, leaf: leaf, columnOrder: columnOrder, hasColumnOrders: hasColumnOrders),
            let value = comparable(predicate.value, for: leaf.type)
        else { return false }
        guard let toMin = value.compare(bounds.min), let toMax = value.compare(bounds.max) else { return false }
        switch predicate.op {
        case .equal: return toMin < 0 || toMax > 0
        case .less: return toMin <= 0  // value <= min: nothing below value
        case .lessOrEqual: return toMin < 0
        case .greater: return toMax >= 0
        case .greaterOrEqual: return toMax > 0
        case .notEqual:
            // Every non-null value equals `value`: needs exact bounds, and no NaN (NaN != value).
            guard bounds.exact, toMin == 0, toMax == 0 else { return false }
            if case .real = value { return stats.nanCount == 0 }
            return true
        case .isNull, .isNotNull:
            return false
        }
    }

    struct Bounds {
        var min: Comparable
        var max: Comparable
        var exact: Bool
    }

    /// The chunk's min and max, decoded, when they can be trusted for this column.
    static func bounds(
        of stats: Statistics, leaf: LeafDescriptor, columnOrder: ColumnOrder?, hasColumnOrders: Bool
    ) -> Bounds? {
        var minBytes: [UInt8]?
        var maxBytes: [UInt8]?
        var exact = true
        if let minValue = stats.minValue, let maxValue = stats.maxValue {
            // min_value/max_value follow the column order; an order this reader does not
            // know makes them unusable.
            if hasColumnOrders {
                switch columnOrder {
                case .typeDefinedOrder?, .ieee754TotalOrder?: break
                default: return nil
                }
            }
            minBytes = minValue
            maxBytes = maxValue
            exact = stats.isMinValueExact != false && stats.isMaxValueExact != false
        } else if let minValue = stats.min, let maxValue = stats.max {
            // The deprecated fields are in signed order: usable only where that is the
            // column's order and values are not byte strings.
            guard leaf.statisticsOrder == .signed,
                leaf.physicalType != .byteArray, leaf.physicalType != .fixedLenByteArray
            else { return nil }
            minBytes = minValue
            maxBytes = maxValue
        }
        guard let minBytes, let maxBytes,
            let min = decode(minBytes, leaf: leaf), let max = decode(maxBytes, leaf: leaf)
        else { return nil }
        if case .real(let a) = min, a.isNaN { return nil }
        if case .real(let b) = max, b.isNaN { return nil }
        return Bounds(min: min, max: max, exact: exact)
    }

    /// A PLAIN-encoded statistics value (no length prefix for byte arrays).
    static func decode(_ bytes: [UInt8], leaf: LeafDescriptor) -> Comparable? {
        func load<T: FixedWidthInteger>(_: T.Type) -> T? {
            guard bytes.count == MemoryLayout<T>.size else { return nil }
            return bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(as: T.self)) }
        }
        switch leaf.statisticsOrder {
        case .none:
            return nil
        case .signed:
            switch leaf.physicalType {
            case .boolean:
                guard bytes.count == 1 else { return nil }
                return .boolean(bytes[0] != 0)
            case .int32: return load(Int32.self).map { .integer(Int128($0)) }
            case .int64: return load(Int64.self).map { .integer(Int128($0)) }
            case .float: return load(UInt32.self).map { .real(Double(Float(bitPattern: $0))) }
            case .double: return load(UInt64.self).map { .real(Double(bitPattern: $0)) }
            default: return nil
            }
        case .unsigned:
            switch leaf.physicalType {
            case .int32: return load(UInt32.self).map { .integer(Int128($0)) }
            case .int64: return load(UInt64.self).map { .integer(Int128($0)) }
            default: return nil
            }
        case .bytes:
            return .bytes(bytes)
        case .decimalBytes:
            guard !bytes.isEmpty, bytes.count <= 16 else { return nil }
            return bytes.withUnsafeBytes { .integer(ValueDecoding.bigEndianInt128($0.baseAddress.unsafelyUnwrapped, count: bytes.count)) }
        }
    }

    /// A predicate value in the domain of a column of `type`, when it converts exactly.
    static func comparable(_ value: Value, for type: DataType) -> Comparable? {
        switch type {
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64, .date:
            return integer(value, scale: 0)
        case .decimal(_, let scale):
            return integer(value, scale: scale)
        case .time(let unit):
            if case .time(let v, let given) = value { return convert(v, from: given, to: unit).map { .integer($0) } }
            return integer(value, scale: 0)
        case .timestamp(let unit, _):
            if case .timestamp(let v, let given, _) = value {
                return convert(v, from: given, to: unit).map { .integer($0) }
            }
            return integer(value, scale: 0)
        case .float32, .float64:
            switch value {
            case .double(let d): return d.isNaN ? nil : .real(d)
            case .int(let v):
                let d = Double(v)
                return Int64(exactly: d) == v ? .real(d) : nil
            case .uint(let v):
                let d = Double(v)
                return UInt64(exactly: d) == v ? .real(d) : nil
            default: return nil
            }
        case .boolean:
            if case .bool(let b) = value { return .boolean(b) }
            return nil
        case .string, .binary, .fixedSizeBinary, .uuid:
            switch value {
            case .string(let s): return .bytes(Array(s.utf8))
            case .binary(let b): return .bytes(b)
            default: return nil
            }
        default:
            return nil
        }
    }

    /// An integer-like value as an unscaled integer at `scale` decimal places, when exact.
    private static func integer(_ value: Value, scale: Int) -> Comparable? {
        let unscaled: Int128
        let given: Int
        switch value {
        case .int(let v), .date(let v): (unscaled, given) = (Int128(v), 0)
        case .uint(let v): (unscaled, given) = (Int128(v), 0)
        case .decimal(let v, let s): (unscaled, given) = (v, s)
        case .double(let d):
            guard d.isFinite, d == d.rounded(), let v = Int64(exactly: d) else { return nil }
            (unscaled, given) = (Int128(v), 0)
        default: return nil
        }
        return rescale(unscaled, from: given, to: scale).map { .integer($0) }
    }

    private static func rescale(_ value: Int128, from: Int, to: Int) -> Int128? {
        guard abs(from - to) <= 38 else { return nil }
        var result = value
        if to > from {
            for _ in 0..<(to - from) {
                let (product, overflow) = result.multipliedReportingOverflow(by: 10)
                if overflow { return nil }
                result = product
            }
        } else if from > to {
            for _ in 0..<(from - to) {
                let (quotient, remainder) = result.quotientAndRemainder(dividingBy: 10)
                if remainder != 0 { return nil }
                result = quotient
            }
        }
        return result
    }

    private static func convert(_ value: Int64, from: Columnar.TimeUnit, to: Columnar.TimeUnit) -> Int128? {
        let fromPer = Int128(from.perSecond)
        let toPer = Int128(to.perSecond)
        let v = Int128(value)
        if toPer >= fromPer { return v * (toPer / fromPer) }
        let factor = fromPer / toPer
        return v % factor == 0 ? v / factor : nil
    }
}
