public import Columnar

/// One step of a table's transforms. Steps run in order, each seeing the columns the previous
/// one left.
public enum TransformStep: Sendable, Hashable, CustomStringConvertible {
    /// Adds the column, or replaces it in place when it exists.
    case derive(column: String, expression: ParsedExpression)
    /// Renames a column (its data, type and field id stay).
    case rename(from: String, to: String)
    /// Converts a column to a type, strictly: a value that does not convert fails the batch.
    case cast(column: String, type: DataType)
    /// Removes columns; naming a column that does not exist is an error (typos must not pass).
    case drop([String])
    /// Keeps the rows where the predicate is true (false and null rows go).
    case filter(ParsedExpression)

    /// Longest column name accepted (names become Parquet and catalog identifiers).
    public static let maxNameLength = 255

    /// `derive: {metric: "value * 5"}`, checked for syntax.
    public static func parseDerive(column: String, expression: String) throws(TransformError) -> TransformStep {
        try checkName(column)
        return .derive(column: column, expression: try ParsedExpression(parsing: expression))
    }

    /// `filter: "status != 'test'"`, checked for syntax.
    public static func parseFilter(_ predicate: String) throws(TransformError) -> TransformStep {
        .filter(try ParsedExpression(parsing: predicate))
    }

    /// `cast: {amount: "decimal(18,2)"}`, with the type spelled as the command line spells it.
    public static func parseCast(column: String, type: String) throws(TransformError) -> TransformStep {
        try checkName(column)
        guard let parsed = DataType(parsing: type) else {
            throw TransformError(.syntax, "unknown type '\(type)'")
        }
        return .cast(column: column, type: parsed)
    }

    public static func parseRename(from: String, to: String) throws(TransformError) -> TransformStep {
        try checkName(from)
        try checkName(to)
        return .rename(from: from, to: to)
    }

    public static func parseDrop(_ columns: [String]) throws(TransformError) -> TransformStep {
        guard !columns.isEmpty else { throw TransformError(.invalidStep, "drop needs at least one column") }
        for column in columns { try checkName(column) }
        return .drop(columns)
    }

    static func checkName(_ name: String) throws(TransformError) {
        guard !name.isEmpty, name.utf8.count <= maxNameLength else {
            throw TransformError(.invalidStep, "a column name is 1 to \(maxNameLength) bytes")
        }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw TransformError(.invalidStep, "a column name has no control characters")
        }
    }

    public var description: String {
        switch self {
        case .derive(let column, let expression): return "derive \(column) = \(expression.text)"
        case .rename(let from, let to): return "rename \(from) -> \(to)"
        case .cast(let column, let type): return "cast \(column) to \(name(type))"
        case .drop(let columns): return "drop \(columns.joined(separator: ", "))"
        case .filter(let predicate): return "filter \(predicate.text)"
        }
    }
}
