import Iceberg
import Tables

/// Partition fields as `--partition` spells them, to Iceberg's transforms and back:
/// `country` (identity), `identity(country)`, `year(t)`, `month(t)`, `day(t)`, `hour(t)`,
/// `bucket[16](id)` or `bucket(16, id)`, `truncate[4](name)` or `truncate(4, name)`.
enum PartitionFields {
    static func parse(_ text: String) throws(TableError) -> UnboundPartitionField {
        let trimmed = text.trimmingSpaces
        guard !trimmed.isEmpty else { throw TableError(.invalidArgument, "empty partition field") }
        guard let open = trimmed.firstIndex(of: "("), trimmed.hasSuffix(")") else {
            guard !trimmed.contains(where: { "()[],".contains($0) }) else { throw invalid(text) }
            return UnboundPartitionField(trimmed, .identity)
        }
        var name = String(trimmed[..<open]).trimmingSpaces.lowercased()
        let inside = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        var arguments = inside.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
        // `bucket[16]` and `truncate[4]`: the number in brackets; `bucket(16, id)`: the first argument.
        var number: Int?
        if let bracket = name.firstIndex(of: "["), name.hasSuffix("]") {
            number = Int(name[name.index(after: bracket)..<name.index(before: name.endIndex)].description.trimmingSpaces)
            guard number != nil else { throw invalid(text) }
            name = String(name[..<bracket]).trimmingSpaces
        } else if arguments.count == 2 {
            number = Int(arguments[0])
            guard number != nil else { throw invalid(text) }
            arguments.removeFirst()
        }
        guard arguments.count == 1, let column = arguments.first, !column.isEmpty else { throw invalid(text) }
        let transform: Transform
        switch (name, number) {
        case ("identity", nil): transform = .identity
        case ("year", nil), ("years", nil): transform = .year
        case ("month", nil), ("months", nil): transform = .month
        case ("day", nil), ("days", nil): transform = .day
        case ("hour", nil), ("hours", nil): transform = .hour
        case ("bucket", let n?) where n > 0: transform = .bucket(n)
        case ("truncate", let w?) where w > 0: transform = .truncate(w)
        default: throw invalid(text)
        }
        return UnboundPartitionField(column, transform)
    }

    static func invalid(_ text: String) -> TableError {
        TableError(
            .invalidArgument,
            "a partition field is a column, or identity/year/month/day/hour(column), bucket[N](column), "
                + "bucket(N, column), truncate[W](column) or truncate(W, column)",
            subject: text)
    }

    /// The spec's fields as `parse` reads them (`day(event_time)`, `bucket[16](id)`, `country`).
    static func describe(_ spec: PartitionSpec, schema: IcebergSchema) -> [String] {
        spec.fields.map { field in
            let source = schema.field(id: field.sourceId)?.dottedName ?? "#\(field.sourceId)"
            switch field.transform {
            case .identity: return source
            default: return "\(field.transform.description)(\(source))"
            }
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
