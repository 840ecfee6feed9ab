import Columnar
import Database
import Tables

/// DuckLake's type names (`int64`, `varchar`, `timestamptz`, `decimal(10,2)`, `list`, …) and
/// the Columnar types they stand for. A Columnar type without an exact DuckLake twin is stored
/// as the nearest one, and its batches are converted on the way in (`canonical`).
enum DuckLakeTypes {
    /// The DuckLake name of a Columnar type (nested types name only their kind).
    static func name(of type: DataType) throws(TableError) -> String {
        switch type {
        case .null, .string: return "varchar"
        case .boolean: return "boolean"
        case .int8: return "int8"
        case .int16: return "int16"
        case .int32: return "int32"
        case .int64: return "int64"
        case .uint8: return "uint8"
        case .uint16: return "uint16"
        case .uint32: return "uint32"
        case .uint64: return "uint64"
        case .float16, .float32: return "float32"
        case .float64: return "float64"
        case .decimal(let precision, let scale): return "decimal(\(precision),\(scale))"
        case .binary, .fixedSizeBinary: return "blob"
        case .date: return "date"
        case .time: return "time"
        case .timestamp(_, utc: true): return "timestamptz"
        case .timestamp(.millisecond, utc: false): return "timestamp_ms"
        case .timestamp(.nanosecond, utc: false): return "timestamp_ns"
        case .timestamp(.microsecond, utc: false): return "timestamp"
        case .uuid: return "uuid"
        case .list: return "list"
        case .structure: return "struct"
        case .map: return "map"
        }
    }

    /// The Columnar type of a DuckLake column; `children` are the child columns' fields.
    static func dataType(_ name: String, children: [Field], column: String) throws(TableError) -> DataType {
        let lowered = name.lowercased()
        switch lowered {
        case "boolean": return .boolean
        case "int8": return .int8
        case "int16": return .int16
        case "int32": return .int32
        case "int64": return .int64
        case "uint8": return .uint8
        case "uint16": return .uint16
        case "uint32": return .uint32
        case "uint64": return .uint64
        case "float32": return .float32
        case "float64": return .float64
        case "varchar", "json": return .string
        case "blob": return .binary
        case "date": return .date
        case "time": return .time(.microsecond)
        case "timestamp": return .timestamp(.microsecond, utc: false)
        case "timestamptz": return .timestamp(.microsecond, utc: true)
        case "timestamp_ms": return .timestamp(.millisecond, utc: false)
        case "timestamp_ns": return .timestamp(.nanosecond, utc: false)
        case "uuid": return .uuid
        case "list":
            guard children.count == 1 else { throw corrupt(column, "a list needs one child column") }
            return .list(children[0])
        case "struct":
            guard !children.isEmpty else { throw corrupt(column, "a struct needs child columns") }
            return .structure(children)
        case "map":
            guard children.count == 2 else { throw corrupt(column, "a map needs a key and a value column") }
            return .map(key: children[0], value: children[1])
        default:
            if lowered.hasPrefix("decimal(") && lowered.hasSuffix(")") {
                let inner = lowered.dropFirst("decimal(".count).dropLast()
                let parts = inner.split(separator: ",").map { $0.filter { $0 != " " } }
                if parts.count == 2, let precision = Int(parts[0]), let scale = Int(parts[1]), (1...38).contains(precision),
                    (0...precision).contains(scale)
                {
                    return .decimal(precision: precision, scale: scale)
                }
            }
            throw TableError(.unsupported, "column type '\(name)' is not supported by Lakegate", subject: column)
        }
    }

    /// The type a column of `type` has once stored in DuckLake and read back.
    static func canonical(_ type: DataType) -> DataType {
        switch type {
        case .null: return .string
        case .float16: return .float32
        case .fixedSizeBinary: return .binary
        case .time: return .time(.microsecond)
        case .timestamp(_, utc: true): return .timestamp(.microsecond, utc: true)
        case .list(let element): return .list(canonical(element, name: "element"))
        case .map(let key, let value): return .map(key: canonical(key, name: "key"), value: canonical(value, name: "value"))
        case .structure(let fields): return .structure(fields.map { canonical($0, name: $0.name) })
        default: return type
        }
    }

    static func canonical(_ field: Field, name: String) -> Field {
        Field(name, canonical(field.type), nullable: true, id: field.id)
    }

    /// Whether values of `narrow` fit `wide` without loss, so that a column may be widened
    /// from `narrow` to `wide` (DuckLake's ALTER COLUMN TYPE promotions) or a batch of `narrow`
    /// written into a `wide` column.
    static func widens(_ narrow: DataType, to wide: DataType) -> Bool {
        if narrow == wide { return true }
        switch (narrow, wide) {
        case (.int8, .int16), (.int8, .int32), (.int8, .int64), (.int16, .int32), (.int16, .int64), (.int32, .int64):
            return true
        case (.uint8, .uint16), (.uint8, .uint32), (.uint8, .uint64), (.uint16, .uint32), (.uint16, .uint64),
            (.uint32, .uint64):
            return true
        case (.uint8, .int16), (.uint8, .int32), (.uint8, .int64), (.uint16, .int32), (.uint16, .int64), (.uint32, .int64):
            return true
        case (.float32, .float64):
            return true
        default:
            return false
        }
    }

    /// The column type DuckDB gives a column of DuckLake type `name` in an inlined-data table
    /// (`ducklake_inlined_data_<table>_<version>`), per catalog database, as DuckDB 1.5.5
    /// creates them: SQLite keeps integers and booleans as BIGINT, blobs as BLOB, the rest as
    /// text; PostgreSQL has native types but keeps strings as BYTEA and times as text.
    static func inlinedColumnType(_ name: String, dialect: SQLDialect) -> String {
        let lowered = name.lowercased()
        switch dialect {
        case .sqlite:
            switch lowered {
            case "boolean", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32": return "BIGINT"
            case "blob": return "BLOB"
            default: return "VARCHAR"
            }
        case .postgres:
            switch lowered {
            case "int64", "uint32": return "BIGINT"
            case "int32", "uint8", "uint16": return "INTEGER"
            case "int16", "int8": return "SMALLINT"
            case "boolean": return "BOOLEAN"
            case "float32": return "REAL"
            case "float64": return "DOUBLE PRECISION"
            case "varchar", "json", "blob": return "BYTEA"
            case "uuid": return "UUID"
            case "time": return "TIME"
            case "interval": return "INTERVAL"
            default:
                if lowered.hasPrefix("decimal(") { return "NUMERIC" + lowered.dropFirst("decimal".count) }
                return "VARCHAR"
            }
        }
    }

    /// Whether a batch column of `source` may be written into a table column of `target`
    /// (values converted, as DuckDB's INSERT casts them): a widening, or integers into a
    /// floating-point column.
    static func assignable(_ source: DataType, to target: DataType) -> Bool {
        if widens(source, to: target) { return true }
        switch (source, target) {
        case (.int8, .float64), (.int16, .float64), (.int32, .float64), (.int64, .float64), (.uint8, .float64),
            (.uint16, .float64), (.uint32, .float64), (.uint64, .float64), (.int8, .float32), (.int16, .float32),
            (.int32, .float32), (.int64, .float32):
            return true
        default:
            return false
        }
    }

    private static func corrupt(_ column: String, _ reason: String) -> TableError {
        TableError(.corrupt, reason, subject: column)
    }
}
