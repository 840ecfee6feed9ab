public import Tables
import Iceberg

extension IcebergCatalog {
    public func plan(_ table: TableIdentifier, filter: ScanFilter?) async throws(TableError) -> ScanPlan {
        let loaded = try await load(table)
        let metadata = loaded.metadata
        let schema = try currentSchema(loaded)
        let predicate = try filter.map { filter throws(TableError) in try ScanPredicate(filter, schema: schema) }
        var tasks: [ScanPlan.Task] = []
        var pruned = 0
        let manifests = try await files.currentManifests(metadata)
        if manifests.contains(where: { $0.content != 0 && $0.addedFilesCount + $0.existingFilesCount > 0 }) {
            throw TableError(.unsupported, "the table has delete files, which Lakegate does not apply", subject: table.description)
        }
        for manifest in manifests where manifest.content == 0 {
            let spec = metadata.spec(id: Int(manifest.partitionSpecId))
            if let predicate, let spec, !predicate.mightMatch(manifest, spec: spec, schema: schema) {
                pruned += Int(manifest.addedFilesCount + manifest.existingFilesCount)
                continue
            }
            for entry in try await files.entries(manifest, metadata: metadata) where entry.status.isLive {
                let file = entry.dataFile
                if let predicate, !predicate.mightMatch(file, spec: spec, schema: schema) {
                    pruned += 1
                    continue
                }
                tasks.append(ScanPlan.Task(url: file.filePath, recordCount: Int(file.recordCount)))
            }
        }
        return ScanPlan(schema: schema.columnarSchema(), tasks: tasks, prunedFiles: pruned)
    }
}

/// `column op literal` over a table's schema, and whether a manifest or a data file may hold
/// rows that match it: by partition values (the predicate projected through each partition
/// transform of the column) and by the file's column bounds and null counts. A null never
/// matches, as in SQL.
struct ScanPredicate {
    let fieldId: Int
    let type: IcebergType
    let op: ScanFilter.Operator
    let literal: IcebergLiteral

    init(_ filter: ScanFilter, schema: IcebergSchema) throws(TableError) {
        guard let field = schema.field(named: filter.column) else {
            throw TableError(.invalidArgument, "the table has no such column", subject: filter.column)
        }
        guard field.type.isPrimitive, !field.isRepeated else {
            throw TableError(.invalidArgument, "filters take a primitive column outside lists and maps", subject: filter.column)
        }
        fieldId = field.id
        type = field.type
        op = filter.op
        literal = try LiteralParsing.parse(filter.literal, as: field.type, column: filter.column)
    }

    /// The predicate on a partition field of this column: exact for identity; for the
    /// order-keeping transforms (year…hour, truncate) the inclusive projection (`col < v` holds
    /// only where `f(col) <= f(v)`); equality alone for bucket.
    func projected(_ field: PartitionField) -> (op: ScanFilter.Operator, value: IcebergLiteral)? {
        guard field.sourceId == fieldId else { return nil }
        switch field.transform {
        case .identity:
            return (op, literal)
        case .year, .month, .day, .hour, .truncate, .bucket:
            guard let value = try? field.transform.apply(literal, source: type) else { return nil }
            if case .bucket = field.transform { return op == .equal ? (.equal, value) : nil }
            switch op {
            case .equal: return (.equal, value)
            case .less, .lessOrEqual: return (.lessOrEqual, value)
            case .greater, .greaterOrEqual: return (.greaterOrEqual, value)
            case .notEqual: return nil
            }
        default:
            return nil
        }
    }

    /// Whether some value in [lower, upper] (nil: unbounded) satisfies `op value`.
    static func mightMatch(_ op: ScanFilter.Operator, _ value: IcebergLiteral, lower: IcebergLiteral?, upper: IcebergLiteral?) -> Bool {
        let less = IcebergLiteral.isLess
        switch op {
        case .equal:
            if let lower, less(value, lower) { return false }
            if let upper, less(upper, value) { return false }
        case .less:
            if let lower, !less(lower, value) { return false }
        case .lessOrEqual:
            if let lower, less(value, lower) { return false }
        case .greater:
            if let upper, !less(value, upper) { return false }
        case .greaterOrEqual:
            if let upper, less(upper, value) { return false }
        case .notEqual:
            if let lower, let upper, lower == value, upper == value { return false }
        }
        return true
    }

    func mightMatch(_ manifest: ManifestFile, spec: PartitionSpec, schema: IcebergSchema) -> Bool {
        guard let summaries = manifest.partitions, summaries.count == spec.fields.count,
            let types = try? spec.partitionType(schema: schema)
        else { return true }
        for (index, field) in spec.fields.enumerated() {
            guard let (op, value) = projected(field) else { continue }
            let summary = summaries[index]
            let type = types[index].type
            let lower = summary.lowerBound.flatMap { try? IcebergLiteral(binaryBound: $0, type: type) }
            let upper = summary.upperBound.flatMap { try? IcebergLiteral(binaryBound: $0, type: type) }
            // No bounds but nulls: every value of the field is null.
            if lower == nil, upper == nil, summary.lowerBound == nil, summary.upperBound == nil {
                if summary.containsNull { return false }
                continue
            }
            if !Self.mightMatch(op, value, lower: lower, upper: upper) { return false }
        }
        return true
    }

    func mightMatch(_ file: DataFile, spec: PartitionSpec?, schema: IcebergSchema) -> Bool {
        if let spec, file.partition.values.count == spec.fields.count {
            for (index, field) in spec.fields.enumerated() {
                guard let (op, value) = projected(field) else { continue }
                guard let partition = file.partition.values[index] else { return false }
                if !Self.mightMatch(op, value, lower: partition, upper: partition) { return false }
            }
        }
        let id = Int32(fieldId)
        if let values = file.valueCounts[id], let nulls = file.nullValueCounts[id], values > 0, values == nulls {
            return false
        }
        let lower = file.lowerBounds[id].flatMap { try? IcebergLiteral(binaryBound: $0, type: type) }
        let upper = file.upperBounds[id].flatMap { try? IcebergLiteral(binaryBound: $0, type: type) }
        return Self.mightMatch(op, literal, lower: lower, upper: upper)
    }
}
