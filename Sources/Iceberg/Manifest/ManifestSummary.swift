extension IcebergLiteral {
    /// Iceberg's order for values of one type: numbers numerically, strings and binary by
    /// unsigned bytes (for UTF-8 that is code point order), false before true. Values of
    /// different kinds compare by kind, so sorting never traps.
    public static func isLess(_ a: IcebergLiteral, _ b: IcebergLiteral) -> Bool {
        switch (a, b) {
        case (.boolean(let x), .boolean(let y)): return !x && y
        case (.int(let x), .int(let y)), (.date(let x), .date(let y)): return x < y
        case (.long(let x), .long(let y)), (.time(let x), .time(let y)), (.timestamp(let x), .timestamp(let y)),
            (.timestamptz(let x), .timestamptz(let y)):
            return x < y
        case (.float(let x), .float(let y)): return x < y
        case (.double(let x), .double(let y)): return x < y
        case (.decimal(let x), .decimal(let y)): return x < y
        case (.string(let x), .string(let y)): return x.utf8.lexicographicallyPrecedes(y.utf8)
        case (.uuid(let x), .uuid(let y)), (.fixed(let x), .fixed(let y)), (.binary(let x), .binary(let y)):
            return x.lexicographicallyPrecedes(y)
        default: return a.kindRank < b.kindRank
        }
    }

    var kindRank: Int {
        switch self {
        case .boolean: 0
        case .int: 1
        case .long: 2
        case .float: 3
        case .double: 4
        case .decimal: 5
        case .date: 6
        case .time: 7
        case .timestamp: 8
        case .timestamptz: 9
        case .string: 10
        case .uuid: 11
        case .fixed: 12
        case .binary: 13
        }
    }

    var isNaN: Bool {
        switch self {
        case .float(let v): return v.isNaN
        case .double(let v): return v.isNaN
        default: return false
        }
    }
}

extension ManifestFile {
    /// The manifest list entry of a manifest holding `entries`, written at `path` with
    /// `length` bytes: file and row counts by status, the smallest live data sequence number
    /// (ADDED entries without one count as `sequenceNumber`), and per partition field whether
    /// any value is null or NaN and the lowest and highest values.
    public init(
        summarizing entries: [ManifestEntry], path: String, length: Int64, spec: PartitionSpec, schema: IcebergSchema,
        content: Int32 = 0, sequenceNumber: Int64, addedSnapshotId: Int64
    ) throws(IcebergError) {
        var counts: [ManifestEntryStatus: (files: Int32, rows: Int64)] = [:]
        var minSequence: Int64?
        for entry in entries {
            var count = counts[entry.status] ?? (0, 0)
            count.files += 1
            count.rows += entry.dataFile.recordCount
            counts[entry.status] = count
            if entry.status.isLive {
                let sequence = entry.sequenceNumber ?? sequenceNumber
                minSequence = min(minSequence ?? sequence, sequence)
            }
        }
        let types = try spec.partitionType(schema: schema).map(\.type)
        var summaries: [PartitionFieldSummary] = []
        for (index, type) in types.enumerated() {
            var containsNull = false
            var containsNaN = false
            var lower: IcebergLiteral?
            var upper: IcebergLiteral?
            for entry in entries {
                let values = entry.dataFile.partition.values
                guard index < values.count, let value = values[index] else {
                    containsNull = true
                    continue
                }
                if value.isNaN {
                    containsNaN = true
                    continue
                }
                if lower.map({ IcebergLiteral.isLess(value, $0) }) ?? true { lower = value }
                if upper.map({ IcebergLiteral.isLess($0, value) }) ?? true { upper = value }
            }
            let floating = type == .float || type == .double
            summaries.append(
                PartitionFieldSummary(
                    containsNull: containsNull, containsNaN: floating ? containsNaN : false,
                    lowerBound: lower?.binaryBound, upperBound: upper?.binaryBound))
        }
        self.init(
            manifestPath: path, manifestLength: length, partitionSpecId: Int32(spec.specId), content: content,
            sequenceNumber: sequenceNumber, minSequenceNumber: minSequence ?? sequenceNumber,
            addedSnapshotId: addedSnapshotId, addedFilesCount: counts[.added]?.files ?? 0,
            existingFilesCount: counts[.existing]?.files ?? 0, deletedFilesCount: counts[.deleted]?.files ?? 0,
            addedRowsCount: counts[.added]?.rows ?? 0, existingRowsCount: counts[.existing]?.rows ?? 0,
            deletedRowsCount: counts[.deleted]?.rows ?? 0, partitions: summaries)
    }
}
