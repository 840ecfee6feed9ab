import Columnar
import Tables

/// Fits record batches to a table's schema: columns in the table's order, absent ones null,
/// narrower types widened, time units brought to the table's. Matching is by name for the
/// batches of an append and by field id for files read back (DuckLake's own rule: a file
/// column belongs to the table column with its field id, whatever its name now).
enum Conform {
    enum Match { case name, fieldId }

    static func batch(_ batch: RecordBatch, to schema: Schema, by match: Match) throws(TableError) -> RecordBatch {
        if batch.schema == schema { return batch }
        var columns: [Column] = []
        columns.reserveCapacity(schema.fields.count)
        for field in schema.fields {
            let index: Int?
            switch match {
            case .name: index = batch.schema.index(of: field.name)
            case .fieldId: index = field.id.flatMap { id in batch.schema.fields.firstIndex { $0.id == id } }
            }
            guard let index else {
                columns.append(Column.nulls(field.type, count: batch.rowCount))
                continue
            }
            columns.append(try column(batch.columns[index], as: batch.schema.fields[index], to: field, by: match))
        }
        do {
            return try RecordBatch(schema: schema, columns: columns)
        } catch {
            throw TableError(.invalidArgument, "batch does not fit the table: \(error)")
        }
    }

    static func column(_ column: Column, as source: Field, to target: Field, by match: Match) throws(TableError) -> Column {
        if column.type == target.type { return column }
        switch (column.type, target.type) {
        case (.null, _):
            return Column.nulls(target.type, count: column.count)
        case (.structure(let sourceFields), .structure(let targetFields)):
            var children: [Column] = []
            for child in targetFields {
                let index: Int?
                switch match {
                case .name: index = sourceFields.firstIndex { $0.name == child.name }
                case .fieldId: index = child.id.flatMap { id in sourceFields.firstIndex { $0.id == id } }
                }
                if let index {
                    children.append(try self.column(column.children[index], as: sourceFields[index], to: child, by: match))
                } else {
                    children.append(Column.nulls(child.type, count: column.count))
                }
            }
            return Column(
                unchecked: target.type, count: column.count, validity: column.validity, offsets: column.offsets,
                children: children)
        case (.list(let sourceElement), .list(let targetElement)):
            let element = try self.column(column.children[0], as: sourceElement, to: targetElement, by: match)
            return Column(
                unchecked: target.type, count: column.count, validity: column.validity, offsets: column.offsets,
                children: [element])
        case (.map(let sourceKey, let sourceValue), .map(let targetKey, let targetValue)):
            let key = try self.column(column.children[0], as: sourceKey, to: targetKey, by: match)
            let value = try self.column(column.children[1], as: sourceValue, to: targetValue, by: match)
            return Column(
                unchecked: target.type, count: column.count, validity: column.validity, offsets: column.offsets,
                children: [key, value])
        default:
            return try cast(column, to: target.type, name: target.name)
        }
    }

    /// Value by value (casts are rare: the first batch after a type changed).
    private static func cast(_ column: Column, to type: DataType, name: String) throws(TableError) -> Column {
        let builder = ColumnBuilder(type: type, capacity: column.count)
        for index in 0..<column.count {
            let value = column.value(at: index)
            guard let converted = convert(value, from: column.type, to: type) else {
                throw TableError(.invalidArgument, "column '\(name)' cannot hold \(column.type) values as \(type)")
            }
            do {
                try builder.append(converted)
            } catch {
                throw TableError(.invalidArgument, "column '\(name)': a \(column.type) value does not fit \(type)")
            }
        }
        return builder.finish()
    }

    private static func convert(_ value: Value, from source: DataType, to target: DataType) -> Value? {
        if case .null = value { return .null }
        switch (value, source, target) {
        case (.int(let v), _, .float64), (.int(let v), _, .float32): return .double(Double(v))
        case (.uint(let v), _, .float64), (.uint(let v), _, .float32): return .double(Double(v))
        case (.int, _, _) where DuckLakeTypes.widens(source, to: target): return value
        case (.uint(let v), _, .int16), (.uint(let v), _, .int32), (.uint(let v), _, .int64):
            return Int64(exactly: v).map { .int($0) }
        case (.uint, _, _) where DuckLakeTypes.widens(source, to: target): return value
        case (.double, .float16, .float32), (.double, .float16, .float64), (.double, .float32, .float64): return value
        case (.binary, .fixedSizeBinary, .binary): return value
        case (.time(let v, let unit), _, .time(let targetUnit)): return .time(rescale(v, unit, targetUnit), targetUnit)
        case (.timestamp(let v, let unit, _), _, .timestamp(let targetUnit, let utc)):
            return .timestamp(rescale(v, unit, targetUnit), targetUnit, utc: utc)
        case (.decimal(let v, _), .decimal(_, let sourceScale), .decimal(_, let targetScale)) where targetScale >= sourceScale:
            var unscaled = v
            for _ in sourceScale..<targetScale { unscaled *= 10 }
            return .decimal(unscaled, scale: targetScale)
        default:
            return nil
        }
    }

    /// A time count in another unit (toward negative infinity when it loses precision).
    static func rescale(_ value: Int64, _ from: TimeUnit, _ to: TimeUnit) -> Int64 {
        if from == to { return value }
        if from.perSecond < to.perSecond { return value * (to.perSecond / from.perSecond) }
        return DuckText.floorDivide(value, from.perSecond / to.perSecond).0
    }
}
