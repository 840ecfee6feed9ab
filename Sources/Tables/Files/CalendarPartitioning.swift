public import Columnar

/// Partition transforms on calendar parts, as DuckLake and Hive-style folders use them:
/// `identity`, `year`, `month`, `day`, `hour` of a date or timestamp (UTC). Iceberg's own
/// transforms (counts since 1970, bucket, truncate) live in the Iceberg module.
public enum CalendarTransform: String, Sendable, CaseIterable {
    case identity, year, month, day, hour

    /// `day(event_time)` or a bare column name (identity).
    public static func parse(_ text: String) throws(TableError) -> (CalendarTransform, column: String) {
        let trimmed = trimmedSpaces(text)
        guard let open = trimmed.firstIndex(of: "("), trimmed.hasSuffix(")") else {
            guard !trimmed.isEmpty else { throw TableError(.invalidArgument, "empty partition field") }
            return (.identity, trimmed)
        }
        let name = String(trimmed[..<open]).lowercased()
        let column = trimmedSpaces(String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]))
        guard let transform = CalendarTransform(rawValue: name), !column.isEmpty else {
            throw TableError(
                .invalidArgument, "unknown partition transform '\(name)' (identity, year, month, day, hour)", subject: text)
        }
        return (transform, column)
    }

    /// The transform's value for row `index` of `column`: the column's value for identity,
    /// else the calendar part as an integer (null stays null).
    public func apply(_ column: Column, at index: Int) throws(TableError) -> Value {
        if column.isNull(index) { return .null }
        if self == .identity { return column.value(at: index) }
        let micros: Int64
        switch column.type {
        case .date:
            micros = Int64(column.value(at: index, as: Int32.self)) * 86_400_000_000
        case .timestamp(let unit, _):
            let raw = column.value(at: index, as: Int64.self)
            switch unit {
            case .millisecond: micros = raw * 1000
            case .microsecond: micros = raw
            case .nanosecond: micros = raw / 1000 - (raw % 1000 < 0 ? 1 : 0)
            }
        default:
            throw TableError(.invalidArgument, "\(rawValue)() needs a date or timestamp column, not \(column.type)")
        }
        let days = micros >= 0 ? micros / 86_400_000_000 : (micros + 1) / 86_400_000_000 - 1
        let (year, month, day) = TextFormatting.civil(fromDays: days)
        switch self {
        case .identity: return .null
        case .year: return .int(year)
        case .month: return .int(month)
        case .day: return .int(day)
        case .hour: return .int((micros - days * 86_400_000_000) / 3_600_000_000)
        }
    }
}

/// `text` without leading and trailing spaces and tabs.
func trimmedSpaces(_ text: String) -> String {
    var slice = Substring(text)
    while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
    while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
    return String(slice)
}
