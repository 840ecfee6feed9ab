import Columnar

/// Collects a data file's column metrics from the batches written into it, keyed by field id:
/// value, null and NaN counts for every primitive field (list elements and map entries count
/// once per element), lower and upper bounds for primitive fields outside lists and maps, as
/// pyiceberg records them. String bounds are truncated to `truncateLength` code points (the
/// upper bound then rounded up so it stays an upper bound), Iceberg's `truncate(16)` default.
///
/// ```swift
/// var metrics = ColumnMetrics(schema: schema)
/// try metrics.add(batch)          // batches of schema.columnarSchema()
/// let file = metrics.dataFile(path: …, partition: …, fileSize: …, columnSizes: …)
/// ```
public struct ColumnMetrics: Sendable {
    public let schema: IcebergSchema
    public var truncateLength: Int?
    public private(set) var recordCount: Int64 = 0
    public private(set) var valueCounts: [Int32: Int64] = [:]
    public private(set) var nullValueCounts: [Int32: Int64] = [:]
    public private(set) var nanValueCounts: [Int32: Int64] = [:]
    private var lower: [Int32: IcebergLiteral] = [:]
    private var upper: [Int32: IcebergLiteral] = [:]

    public init(schema: IcebergSchema, truncateLength: Int? = 16) {
        self.schema = schema
        self.truncateLength = truncateLength
    }

    /// Adds a batch whose top-level columns are found by name (missing ones count as nulls).
    public mutating func add(_ batch: RecordBatch) throws(IcebergError) {
        let rows = Int64(batch.rowCount)
        recordCount += rows
        for field in schema.fields {
            if let index = batch.schema.index(of: field.name) {
                try add(batch.columns[index], type: field.type, id: field.id, repeated: false, path: field.name)
            } else {
                addMissing(field.type, id: field.id, count: rows)
            }
        }
    }

    /// Lower bounds, single-value serialized.
    public var lowerBounds: [Int32: [UInt8]] {
        lower.mapValues { bound in
            if case .string(let s) = bound, let n = truncateLength { return Array(Self.prefix(s, n).utf8) }
            return bound.binaryBound
        }
    }

    /// Upper bounds, single-value serialized; a string truncated and rounded up, or left out
    /// when no shorter string is above it (every kept code point is the largest).
    public var upperBounds: [Int32: [UInt8]] {
        var out: [Int32: [UInt8]] = [:]
        for (id, bound) in upper {
            if case .string(let s) = bound, let n = truncateLength, s.unicodeScalars.count > n {
                if let rounded = Self.roundedUp(Self.prefix(s, n)) { out[id] = Array(rounded.utf8) }
            } else {
                out[id] = bound.binaryBound
            }
        }
        return out
    }

    /// A data file with these metrics.
    public func dataFile(
        path: String, partition: PartitionValues, fileSizeInBytes: Int64, columnSizes: [Int32: Int64] = [:],
        splitOffsets: [Int64]? = nil, fileFormat: String = "PARQUET"
    ) -> DataFile {
        DataFile(
            filePath: path, fileFormat: fileFormat, partition: partition, recordCount: recordCount,
            fileSizeInBytes: fileSizeInBytes, columnSizes: columnSizes, valueCounts: valueCounts,
            nullValueCounts: nullValueCounts, nanValueCounts: nanValueCounts, lowerBounds: lowerBounds,
            upperBounds: upperBounds, splitOffsets: splitOffsets)
    }

    // MARK: Walking columns

    private mutating func addMissing(_ type: IcebergType, id: Int, count: Int64) {
        switch type {
        case .structure(let fields):
            for field in fields { addMissing(field.type, id: field.id, count: count) }
        case .list, .map:
            break  // no elements
        default:
            valueCounts[Int32(id), default: 0] += count
            nullValueCounts[Int32(id), default: 0] += count
        }
    }

    private mutating func add(_ column: Column, type: IcebergType, id: Int, repeated: Bool, path: String) throws(IcebergError) {
        switch (type, column.type) {
        case (.structure(let fields), .structure(let children)):
            for field in fields {
                if let index = children.firstIndex(where: { $0.name == field.name }) {
                    try add(column.children[index], type: field.type, id: field.id, repeated: repeated, path: path + "." + field.name)
                } else {
                    addMissing(field.type, id: field.id, count: Int64(column.count))
                }
            }
        case (.list(let elementId, _, let element), .list):
            try add(column.children[0], type: element, id: elementId, repeated: true, path: path + ".element")
        case (.map(let keyId, let key, let valueId, _, let value), .map):
            try add(column.children[0], type: key, id: keyId, repeated: true, path: path + ".key")
            try add(column.children[1], type: value, id: valueId, repeated: true, path: path + ".value")
        default:
            guard type.isPrimitive, !column.type.isNested else {
                throw IcebergError(.invalidArgument, "a column does not have the schema's shape", field: path)
            }
            try addPrimitive(column, type: type, id: Int32(id), bounds: !repeated, path: path)
        }
    }

    private mutating func addPrimitive(_ column: Column, type: IcebergType, id: Int32, bounds: Bool, path: String) throws(IcebergError) {
        valueCounts[id, default: 0] += Int64(column.count)
        nullValueCounts[id, default: 0] += Int64(column.nullCount)
        let floating = type == .float || type == .double
        if floating { nanValueCounts[id, default: 0] += 0 }
        guard bounds || floating else { return }
        // Integers, dates, times and timestamps: one pass over the buffer.
        if let values = Transform.integers(column), [.int, .long, .date, .time, .timestamp, .timestamptz].contains(type) {
            var low: Int64?
            var high: Int64?
            for row in 0..<column.count where !column.isNull(row) {
                let v = values[row]
                if low.map({ v < $0 }) ?? true { low = v }
                if high.map({ v > $0 }) ?? true { high = v }
            }
            if let low, let high {
                merge(id, literal(low, type), literal(high, type))
            }
            return
        }
        var low: IcebergLiteral?
        var high: IcebergLiteral?
        var nans: Int64 = 0
        for row in 0..<column.count where !column.isNull(row) {
            guard let value = IcebergLiteral(columnar: column.value(at: row), type: type) else {
                throw IcebergError(.invalidArgument, "a column does not hold the schema's type", field: path)
            }
            if value.isNaN {
                nans += 1
                continue
            }
            if low.map({ IcebergLiteral.isLess(value, $0) }) ?? true { low = value }
            if high.map({ IcebergLiteral.isLess($0, value) }) ?? true { high = value }
        }
        if floating { nanValueCounts[id, default: 0] += nans }
        if bounds, let low, let high { merge(id, low, high) }
    }

    private func literal(_ v: Int64, _ type: IcebergType) -> IcebergLiteral {
        switch type {
        case .int: return .int(Int32(truncatingIfNeeded: v))
        case .date: return .date(Int32(truncatingIfNeeded: v))
        case .time: return .time(v)
        case .timestamp: return .timestamp(v)
        case .timestamptz: return .timestamptz(v)
        default: return .long(v)
        }
    }

    private mutating func merge(_ id: Int32, _ low: IcebergLiteral, _ high: IcebergLiteral) {
        if lower[id].map({ IcebergLiteral.isLess(low, $0) }) ?? true { lower[id] = low }
        if upper[id].map({ IcebergLiteral.isLess($0, high) }) ?? true { upper[id] = high }
    }

    static func prefix(_ s: String, _ n: Int) -> String {
        var out = String.UnicodeScalarView()
        out.append(contentsOf: s.unicodeScalars.prefix(n))
        return String(out)
    }

    /// The smallest string above every string that starts with `prefix`, no longer than it:
    /// the last code point that can grow is incremented and what follows dropped.
    static func roundedUp(_ prefix: String) -> String? {
        var scalars = Array(prefix.unicodeScalars)
        while let last = scalars.popLast() {
            var next = last.value + 1
            if next == 0xD800 { next = 0xE000 }  // skip the surrogate range
            if next <= 0x10FFFF, let scalar = Unicode.Scalar(next) {
                var out = String.UnicodeScalarView()
                out.append(contentsOf: scalars)
                out.append(scalar)
                return String(out)
            }
        }
        return nil
    }
}
