public import Columnar

/// What a data file holds in one leaf column: counts, bounds and size, as catalogs record them
/// (DuckLake's file column statistics, Iceberg's metrics). Leaves are in schema order,
/// depth-first, as Parquet lists its column chunks.
public struct ColumnStatistics: Sendable, Hashable {
    /// Field names from the top; a list's entries are `element`, a map's `key` and `value`.
    public var path: [String]
    /// The leaf's field id, when the schema carries ids.
    public var fieldId: Int32?
    public var type: DataType
    /// Values that are not null.
    public var valueCount: Int
    public var nullCount: Int
    /// Smallest and largest non-null value (NaN never counts), nil when every value is null or
    /// the type has no order kept here (nested types).
    public var minimum: Value?
    public var maximum: Value?
    /// Floating-point leaves only: whether a NaN was seen.
    public var containsNaN: Bool?
    /// Compressed bytes of the leaf's column chunks in the file.
    public var compressedBytes: Int

    public init(
        path: [String], fieldId: Int32?, type: DataType, valueCount: Int = 0, nullCount: Int = 0,
        minimum: Value? = nil, maximum: Value? = nil, containsNaN: Bool? = nil, compressedBytes: Int = 0
    ) {
        self.path = path
        self.fieldId = fieldId
        self.type = type
        self.valueCount = valueCount
        self.nullCount = nullCount
        self.minimum = minimum
        self.maximum = maximum
        self.containsNaN = containsNaN
        self.compressedBytes = compressedBytes
    }

    /// This file's statistics merged with another's of the same leaf (table-wide bounds).
    public func merged(with other: ColumnStatistics) -> ColumnStatistics {
        var result = self
        result.valueCount += other.valueCount
        result.nullCount += other.nullCount
        result.compressedBytes += other.compressedBytes
        if let low = other.minimum { result.minimum = minimum.map { ValueOrder.less(low, $0) ? low : $0 } ?? low }
        if let high = other.maximum { result.maximum = maximum.map { ValueOrder.less($0, high) ? high : $0 } ?? high }
        if let nan = other.containsNaN { result.containsNaN = (containsNaN ?? false) || nan }
        return result
    }
}

/// Collects `ColumnStatistics` for every leaf of a schema over the batches of one file.
public struct StatisticsCollector: Sendable {
    public private(set) var leaves: [ColumnStatistics]

    public init(schema: Schema) {
        var leaves: [ColumnStatistics] = []
        func visit(_ field: Field, _ path: [String]) {
            switch field.type {
            case .list(let element):
                visit(Field("element", element.type, id: element.id), path)
            case .map(let key, let value):
                visit(Field("key", key.type, id: key.id), path)
                visit(Field("value", value.type, id: value.id), path)
            case .structure(let fields):
                for child in fields { visit(child, path + [child.name]) }
            default:
                leaves.append(ColumnStatistics(path: path, fieldId: field.id, type: field.type))
            }
        }
        for field in schema.fields {
            switch field.type {
            case .list(let element):
                visit(Field("element", element.type, id: element.id), [field.name, "element"])
            case .map(let key, let value):
                visit(Field("key", key.type, id: key.id), [field.name, "key"])
                visit(Field("value", value.type, id: value.id), [field.name, "value"])
            default:
                visit(field, [field.name])
            }
        }
        self.leaves = leaves
    }

    public mutating func observe(_ batch: RecordBatch) {
        var leaf = 0
        for column in batch.columns { observe(column, rows: 0..<column.count, parentNulls: nil, leaf: &leaf) }
    }

    /// Walks `rows` of `column`; `parentNulls` marks rows whose struct parent is null (their
    /// children count as null).
    private mutating func observe(_ column: Column, rows: Range<Int>, parentNulls: [Bool]?, leaf: inout Int) {
        switch column.type {
        case .structure:
            var nulls = [Bool](repeating: false, count: rows.count)
            for (offset, row) in rows.enumerated() where column.isNull(row) || (parentNulls?[offset] ?? false) {
                nulls[offset] = true
            }
            for child in column.children { observe(child, rows: rows, parentNulls: nulls, leaf: &leaf) }
        case .list, .map:
            // Entries of the rows' lists (an empty or null list has none).
            var lower = Int.max
            var upper = 0
            for (offset, row) in rows.enumerated() where !column.isNull(row) && !(parentNulls?[offset] ?? false) {
                let range = column.range(at: row)
                if !range.isEmpty {
                    lower = Swift.min(lower, range.lowerBound)
                    upper = Swift.max(upper, range.upperBound)
                }
            }
            let entries = lower < upper ? lower..<upper : 0..<0
            for child in column.children { observe(child, rows: entries, parentNulls: nil, leaf: &leaf) }
        default:
            leaves[leaf].observeLeaf(column, rows: rows, parentNulls: parentNulls)
            leaf += 1
        }
    }

    /// Fills each leaf's compressed size from the Parquet footer's column chunks, which list
    /// the leaves in the same order.
    public mutating func addChunkSizes(_ sizes: [Int]) {
        for (index, size) in sizes.enumerated() where index < leaves.count { leaves[index].compressedBytes += size }
    }
}

extension ColumnStatistics {
    fileprivate mutating func observeLeaf(_ column: Column, rows: Range<Int>, parentNulls: [Bool]?) {
        // The common flat cases run over the buffers; the rest take the general path.
        if parentNulls == nil {
            switch type {
            case .int64, .timestamp, .time: return observeIntegers(column, rows: rows, as: Int64.self)
            case .int32: return observeIntegers(column, rows: rows, as: Int32.self)
            case .date: return observeIntegers(column, rows: rows, as: Int32.self)
            case .float64: return observeDoubles(column, rows: rows)
            case .string, .binary: return observeBytes(column, rows: rows)
            default: break
            }
        }
        var low = minimum
        var high = maximum
        var nan = containsNaN ?? false
        let floating = type == .float32 || type == .float64 || type == .float16
        for (offset, row) in rows.enumerated() {
            if column.isNull(row) || (parentNulls?[offset] ?? false) {
                nullCount += 1
                continue
            }
            valueCount += 1
            guard Self.ordered(type) else { continue }
            let value = column.value(at: row)
            if case .double(let d) = value, d.isNaN {
                nan = true
                continue
            }
            if low.map({ ValueOrder.less(value, $0) }) ?? true { low = value }
            if high.map({ ValueOrder.less($0, value) }) ?? true { high = value }
        }
        minimum = low
        maximum = high
        if floating { containsNaN = nan }
    }

    private mutating func observeIntegers<T: FixedWidthInteger & BitwiseCopyable>(
        _ column: Column, rows: Range<Int>, as _: T.Type
    ) {
        var low = T.max
        var high = T.min
        var seen = 0
        column.withValues(as: T.self) { values in
            for row in rows where column.validity.map({ $0[row] }) ?? true {
                let value = values[row]
                if value < low { low = value }
                if value > high { high = value }
                seen += 1
            }
        }
        nullCount += rows.count - seen
        valueCount += seen
        guard seen > 0 else { return }
        let (lowValue, highValue) = (typed(Int64(low)), typed(Int64(high)))
        if minimum.map({ ValueOrder.less(lowValue, $0) }) ?? true { minimum = lowValue }
        if maximum.map({ ValueOrder.less($0, highValue) }) ?? true { maximum = highValue }
    }

    /// An integer of this leaf's type as the `Value` that `Column.value(at:)` would give.
    private func typed(_ raw: Int64) -> Value {
        switch type {
        case .date: return .date(raw)
        case .timestamp(let unit, let utc): return .timestamp(raw, unit, utc: utc)
        case .time(let unit): return .time(raw, unit)
        default: return .int(raw)
        }
    }

    private mutating func observeDoubles(_ column: Column, rows: Range<Int>) {
        var low = Double.infinity
        var high = -Double.infinity
        var seen = 0
        var ordered = 0
        var nan = containsNaN ?? false
        column.withValues(as: Double.self) { values in
            for row in rows where column.validity.map({ $0[row] }) ?? true {
                let value = values[row]
                seen += 1
                if value.isNaN {
                    nan = true
                    continue
                }
                ordered += 1
                if value < low { low = value }
                if value > high { high = value }
            }
        }
        nullCount += rows.count - seen
        valueCount += seen
        containsNaN = nan
        guard ordered > 0 else { return }
        if minimum.map({ ValueOrder.less(.double(low), $0) }) ?? true { minimum = .double(low) }
        if maximum.map({ ValueOrder.less($0, .double(high)) }) ?? true { maximum = .double(high) }
    }

    private mutating func observeBytes(_ column: Column, rows: Range<Int>) {
        var low: Range<Int>?
        var high: Range<Int>?
        var seen = 0
        column.values.withUnsafeBytes { raw in
            func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: raw[range]) }
            for row in rows where column.validity.map({ $0[row] }) ?? true {
                let range = column.range(at: row)
                seen += 1
                if let current = low {
                    if bytes(range).lexicographicallyPrecedes(bytes(current)) { low = range }
                } else {
                    low = range
                }
                if let current = high {
                    if bytes(current).lexicographicallyPrecedes(bytes(range)) { high = range }
                } else {
                    high = range
                }
            }
        }
        nullCount += rows.count - seen
        valueCount += seen
        guard let low, let high else { return }
        let isString = type == .string
        func make(_ range: Range<Int>) -> Value {
            column.values.withUnsafeBytes { raw in
                let bytes = UnsafeRawBufferPointer(rebasing: raw[range])
                return isString ? .string(String(decoding: bytes, as: UTF8.self)) : .binary(Array(bytes))
            }
        }
        let (lowValue, highValue) = (make(low), make(high))
        if minimum.map({ ValueOrder.less(lowValue, $0) }) ?? true { minimum = lowValue }
        if maximum.map({ ValueOrder.less($0, highValue) }) ?? true { maximum = highValue }
    }

    static func ordered(_ type: DataType) -> Bool {
        switch type {
        case .null, .list, .structure, .map, .float16: return false
        default: return true
        }
    }
}

/// The order of values of one type, as min/max statistics use it: numbers numerically,
/// strings and bytes bytewise (UTF-8 order is code point order), booleans false < true.
public enum ValueOrder {
    public static func less(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.bool(let x), .bool(let y)): return !x && y
        case (.int(let x), .int(let y)), (.date(let x), .date(let y)): return x < y
        case (.uint(let x), .uint(let y)): return x < y
        case (.double(let x), .double(let y)): return x < y
        case (.decimal(let x, _), .decimal(let y, _)): return x < y
        case (.time(let x, _), .time(let y, _)): return x < y
        case (.timestamp(let x, _, _), .timestamp(let y, _, _)): return x < y
        case (.string(let x), .string(let y)): return x.utf8.lexicographicallyPrecedes(y.utf8)
        case (.binary(let x), .binary(let y)): return x.lexicographicallyPrecedes(y)
        default: return false
        }
    }
}
