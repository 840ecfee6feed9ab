/// One value bound to, or read from, a statement. SQLite has no boolean type: a `.boolean`
/// bind is stored as 0/1, and a column declared BOOLEAN reads back as `.boolean`.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
    case boolean(Bool)

    /// The kind's name, for error messages (never the value itself).
    public var kindName: String {
        switch self {
        case .null: "null"
        case .integer: "integer"
        case .real: "real"
        case .text: "text"
        case .blob: "blob"
        case .boolean: "boolean"
        }
    }
}

extension SQLValue: ExpressibleByNilLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByBooleanLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .real(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
}

/// One result row: the column names (shared by every row of a result) and the values.
///
/// Accessors take a column name or a zero-based index. A name is matched exactly first, then
/// without regard to case, because PostgreSQL folds unquoted names to lower case and SQLite keeps
/// them as written. They throw `DatabaseError` of kind `.noSuchColumn` or `.typeMismatch`; the
/// `optional…` forms return nil for NULL instead of throwing.
public struct SQLRow: Sendable, Hashable {
    public let columns: [String]
    public let values: [SQLValue]

    public init(columns: [String], values: [SQLValue]) {
        precondition(columns.count == values.count, "a row needs one value per column")
        self.columns = columns
        self.values = values
    }

    public var count: Int { values.count }

    /// The value at `index`; traps when out of range, like an array.
    public subscript(index: Int) -> SQLValue { values[index] }

    public func value(_ column: String) throws(DatabaseError) -> SQLValue {
        values[try index(of: column)]
    }

    public func value(_ index: Int) throws(DatabaseError) -> SQLValue {
        guard values.indices.contains(index) else {
            throw DatabaseError(.noSuchColumn, message: "no column at index \(index) (the row has \(values.count))")
        }
        return values[index]
    }

    public func index(of column: String) throws(DatabaseError) -> Int {
        if let index = columns.firstIndex(of: column) { return index }
        let lowered = column.lowercased()
        if let index = columns.firstIndex(where: { $0.lowercased() == lowered }) { return index }
        throw DatabaseError(.noSuchColumn, message: "no column named \"\(column)\" (columns: \(columns.joined(separator: ", ")))")
    }

    public func isNull(_ column: String) throws(DatabaseError) -> Bool { try value(column) == .null }
    public func isNull(_ index: Int) throws(DatabaseError) -> Bool { try value(index) == .null }

    public func int64(_ column: String) throws(DatabaseError) -> Int64 { try Self.int64(value(column), column) }
    public func int64(_ index: Int) throws(DatabaseError) -> Int64 { try Self.int64(value(index), "#\(index)") }
    public func string(_ column: String) throws(DatabaseError) -> String { try Self.string(value(column), column) }
    public func string(_ index: Int) throws(DatabaseError) -> String { try Self.string(value(index), "#\(index)") }
    public func double(_ column: String) throws(DatabaseError) -> Double { try Self.double(value(column), column) }
    public func double(_ index: Int) throws(DatabaseError) -> Double { try Self.double(value(index), "#\(index)") }
    public func bool(_ column: String) throws(DatabaseError) -> Bool { try Self.bool(value(column), column) }
    public func bool(_ index: Int) throws(DatabaseError) -> Bool { try Self.bool(value(index), "#\(index)") }
    public func bytes(_ column: String) throws(DatabaseError) -> [UInt8] { try Self.bytes(value(column), column) }
    public func bytes(_ index: Int) throws(DatabaseError) -> [UInt8] { try Self.bytes(value(index), "#\(index)") }

    public func optionalInt64(_ column: String) throws(DatabaseError) -> Int64? {
        let value = try value(column)
        return value == .null ? nil : try Self.int64(value, column)
    }
    public func optionalString(_ column: String) throws(DatabaseError) -> String? {
        let value = try value(column)
        return value == .null ? nil : try Self.string(value, column)
    }
    public func optionalDouble(_ column: String) throws(DatabaseError) -> Double? {
        let value = try value(column)
        return value == .null ? nil : try Self.double(value, column)
    }
    public func optionalBool(_ column: String) throws(DatabaseError) -> Bool? {
        let value = try value(column)
        return value == .null ? nil : try Self.bool(value, column)
    }
    public func optionalBytes(_ column: String) throws(DatabaseError) -> [UInt8]? {
        let value = try value(column)
        return value == .null ? nil : try Self.bytes(value, column)
    }

    // MARK: Conversions. Only lossless ones: an integer reads as a double, and 0/1 as a boolean
    // (SQLite's booleans); text never silently becomes a number.

    private static func int64(_ value: SQLValue, _ column: String) throws(DatabaseError) -> Int64 {
        if case .integer(let v) = value { return v }
        throw mismatch(value, column, "integer")
    }

    private static func string(_ value: SQLValue, _ column: String) throws(DatabaseError) -> String {
        if case .text(let v) = value { return v }
        throw mismatch(value, column, "text")
    }

    private static func double(_ value: SQLValue, _ column: String) throws(DatabaseError) -> Double {
        switch value {
        case .real(let v): return v
        case .integer(let v): return Double(v)
        default: throw mismatch(value, column, "real")
        }
    }

    private static func bool(_ value: SQLValue, _ column: String) throws(DatabaseError) -> Bool {
        switch value {
        case .boolean(let v): return v
        case .integer(0): return false
        case .integer(1): return true
        default: throw mismatch(value, column, "boolean")
        }
    }

    private static func bytes(_ value: SQLValue, _ column: String) throws(DatabaseError) -> [UInt8] {
        if case .blob(let v) = value { return v }
        throw mismatch(value, column, "blob")
    }

    private static func mismatch(_ value: SQLValue, _ column: String, _ wanted: String) -> DatabaseError {
        // The value stays out of the message: it may be user data.
        DatabaseError(.typeMismatch, message: "column \(column) holds \(value.kindName), not \(wanted)")
    }
}
