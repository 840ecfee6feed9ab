import Columnar
@testable import DuckLake

/// What DuckDB's `CAST(x AS VARCHAR)` prints for a value of `type` (blobs as `hex(x)`);
/// nested values as DuckDB prints them, for the simple strings the tests use.
func expectedText(_ value: Value, _ type: DataType) -> String? {
    switch (value, type) {
    case (.null, _): return nil
    case (.list(let items), .list(let element)):
        return "[" + items.map { expectedText($0, element.type) ?? "NULL" }.joined(separator: ", ") + "]"
    case (.structure(let values), .structure(let fields)):
        return "{" + zip(fields, values).map { "'\($0.name)': \(expectedText($1, $0.type) ?? "NULL")" }.joined(separator: ", ") + "}"
    case (.map(let entries), .map(let key, let item)):
        return "{" + entries.map { "\(expectedText($0.key, key.type) ?? "NULL")=\(expectedText($0.value, item.type) ?? "NULL")" }
            .joined(separator: ", ") + "}"
    case (.time(let v, let unit), _):
        return DuckText.time(v, unit: unit)
    default:
        return DuckText.format(value, type: type)
    }
}

/// The SQL that makes DuckDB print a column as `expectedText` does.
func castSQL(_ field: Field) -> String {
    switch field.type {
    case .binary, .fixedSizeBinary: return "hex(\(field.name))"
    default: return "CAST(\(field.name) AS VARCHAR)"
    }
}
