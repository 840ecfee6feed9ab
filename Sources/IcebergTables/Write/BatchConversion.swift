import Columnar
import Tables

/// Brings batches to a table's canonical Columnar schema (`IcebergSchema.columnarSchema()`:
/// Iceberg's integer widths, microsecond times and timestamps, field ids on every field) before
/// they reach a Parquet file, and maps columns read from a data file back onto it.
enum BatchConversion {
    /// `batch` with the columns of `target`, found by name: types cast to the target's, columns
    /// the batch lacks filled with nulls (a required one is an error), others dropped.
    static func cast(_ batch: RecordBatch, to target: Schema, table: String) throws(TableError) -> RecordBatch {
        var columns: [Column] = []
        columns.reserveCapacity(target.fields.count)
        for field in target.fields {
            if let index = batch.schema.index(of: field.name) {
                let column = try cast(batch.columns[index], to: field.type, path: field.name, table: table)
                guard field.nullable || column.nullCount == 0 else {
                    throw TableError(.invalidArgument, "the required column \(field.name) holds nulls", subject: table)
                }
                columns.append(column)
            } else {
                guard field.nullable else {
                    throw TableError(.invalidArgument, "the required column \(field.name) is missing", subject: table)
                }
                columns.append(Column.nulls(field.type, count: batch.rowCount))
            }
        }
        return try batchOf(target, columns, table: table)
    }

    /// A data file's batch mapped onto `target`: top-level columns matched by field id (by name
    /// when the file has no ids), nested fields by id or name, types widened as the table's
    /// schema evolved; columns the file lacks are null.
    static func project(_ batch: RecordBatch, onto target: Schema, table: String) throws(TableError) -> RecordBatch {
        var columns: [Column] = []
        for field in target.fields {
            let index =
                batch.schema.fields.firstIndex { $0.id != nil && $0.id == field.id }
                ?? batch.schema.fields.firstIndex { $0.id == nil && $0.name == field.name }
            if let index {
                columns.append(try cast(batch.columns[index], to: field.type, path: field.name, table: table))
            } else {
                columns.append(Column.nulls(field.type, count: batch.rowCount))
            }
        }
        return try batchOf(target, columns, table: table)
    }

    private static func batchOf(_ schema: Schema, _ columns: [Column], table: String) throws(TableError) -> RecordBatch {
        do {
            return try RecordBatch(schema: schema, columns: columns)
        } catch {
            throw TableError(.invalidArgument, "cannot build a batch of the table's schema: \(error)", subject: table)
        }
    }

    static func cast(_ column: Column, to target: DataType, path: String, table: String) throws(TableError) -> Column {
        if column.type == target { return column }
        switch (column.type, target) {
        case (.structure(let from), .structure(let to)):
            var children: [Column] = []
            for field in to {
                let index =
                    from.firstIndex { $0.id != nil && $0.id == field.id } ?? from.firstIndex { $0.name == field.name }
                if let index {
                    children.append(
                        try cast(column.children[index], to: field.type, path: path + "." + field.name, table: table))
                } else {
                    children.append(Column.nulls(field.type, count: column.count))
                }
            }
            return Column(unchecked: target, count: column.count, validity: column.validity, children: children)
        case (.list, .list(let element)):
            let child = try cast(column.children[0], to: element.type, path: path + ".element", table: table)
            return Column(
                unchecked: target, count: column.count, validity: column.validity, offsets: column.offsets, children: [child])
        case (.map, .map(let key, let value)):
            let keys = try cast(column.children[0], to: key.type, path: path + ".key", table: table)
            let values = try cast(column.children[1], to: value.type, path: path + ".value", table: table)
            return Column(
                unchecked: target, count: column.count, validity: column.validity, offsets: column.offsets,
                children: [keys, values])
        case (.null, _):
            return Column.nulls(target, count: column.count)
        default:
            guard !column.type.isNested, !target.isNested else { throw mismatch(column.type, target, path, table) }
            return try primitive(column, to: target, path: path, table: table)
        }
    }

    /// Same bytes, another label (a timestamp's zone flag, a decimal's precision, uuid and
    /// fixed[16], string and binary).
    private static func sameStorage(_ a: DataType, _ b: DataType) -> Bool {
        switch (a, b) {
        case (.timestamp(let u, _), .timestamp(let v, _)): return u == v
        case (.time(let u), .time(let v)): return u == v
        case (.decimal(_, let s), .decimal(_, let t)): return s == t
        case (.uuid, .fixedSizeBinary(16)), (.fixedSizeBinary(16), .uuid): return true
        case (.string, .binary), (.binary, .string): return true
        default: return false
        }
    }

    private static func primitive(_ column: Column, to target: DataType, path: String, table: String) throws(TableError) -> Column {
        if sameStorage(column.type, target) {
            return Column(
                unchecked: target, count: column.count, validity: column.validity, values: column.values,
                offsets: column.offsets)
        }
        let builder = ColumnBuilder(type: target, capacity: column.count)
        switch (column.type, target) {
        case (.timestamp(let from, _), .timestamp(let to, _)), (.time(let from), .time(let to)):
            for row in 0..<column.count {
                if column.isNull(row) {
                    builder.appendNull()
                } else {
                    builder.append(fixed: rescale(column.value(at: row, as: Int64.self), from: from, to: to))
                }
            }
        case (.int8, _), (.int16, _), (.int32, _), (.int64, _), (.uint8, _), (.uint16, _), (.uint32, _),
            (.float16, _), (.float32, _), (.float64, _), (.decimal, _), (.boolean, .boolean):
            for row in 0..<column.count {
                do {
                    try builder.append(column.value(at: row))
                } catch {
                    throw TableError(
                        .invalidArgument, "a value of column \(path) does not fit \(target): \(error.message)", subject: table)
                }
            }
        default:
            throw mismatch(column.type, target, path, table)
        }
        return builder.finish()
    }

    private static func rescale(_ value: Int64, from: TimeUnit, to: TimeUnit) -> Int64 {
        guard from != to else { return value }
        let micros: Int64
        switch from {
        case .microsecond: micros = value
        case .millisecond: micros = value &* 1000
        case .nanosecond: micros = value >= 0 ? value / 1000 : (value - 999) / 1000
        }
        switch to {
        case .microsecond: return micros
        case .millisecond: return micros >= 0 ? micros / 1000 : (micros - 999) / 1000
        case .nanosecond: return micros &* 1000
        }
    }

    private static func mismatch(_ from: DataType, _ to: DataType, _ path: String, _ table: String) -> TableError {
        TableError(.invalidArgument, "column \(path) holds \(from), which cannot be written as \(to)", subject: table)
    }
}
