import Avro
import Columnar
import LakegateCore

extension Manifests {
    /// Reads a manifest (ours, pyiceberg's or Java's). Fields are found by field id. The
    /// partition values take their types from `spec` and `schema` when given, else from the
    /// header's `partition-spec` and `schema`, else from the Avro types.
    public static func readManifest(
        _ source: any ByteRangeSource, path: String? = nil, spec: PartitionSpec? = nil, schema: IcebergSchema? = nil
    ) throws(IcebergError) -> ManifestContents {
        let (reader, rows) = try readRows(source, path: path)
        let header = reader.metadata
        var headerSchema: IcebergSchema?
        if let text = header["schema"] { headerSchema = try? IcebergSchema(json: try IcebergJSON.parse(text)) }
        let tableSchema = schema ?? headerSchema
        var tableSpec = spec
        if tableSpec == nil, let text = header["partition-spec"] {
            let specId = header["partition-spec-id"].flatMap { Int($0) } ?? 0
            tableSpec = try? PartitionSpec(fieldsJSON: try IcebergJSON.parse(text), specId: specId)
        }
        var partitionTypes: [Int: IcebergType] = [:]
        if let tableSpec, let tableSchema, let fields = try? tableSpec.partitionType(schema: tableSchema) {
            for field in fields { partitionTypes[field.id] = field.type }
        }

        let fields = reader.schema.fields
        let status = try index(fields, id: 0, name: "status", path: path)
        let snapshotId = optionalIndex(fields, id: 1, name: "snapshot_id")
        let sequence = optionalIndex(fields, id: 3, name: "sequence_number")
        let fileSequence = optionalIndex(fields, id: 4, name: "file_sequence_number")
        let dataFileIndex = try index(fields, id: 2, name: "data_file", path: path)
        guard case .structure(let fileFields) = fields[dataFileIndex].type else {
            throw IcebergError(.invalidManifest, "data_file is not a record", path: path)
        }
        let at = DataFileColumns(fileFields)
        guard let pathIndex = at.filePath, let recordCount = at.recordCount, let fileSize = at.fileSize else {
            throw IcebergError(.invalidManifest, "data_file lacks file_path, record_count or file_size_in_bytes", path: path)
        }
        // The partition struct's fields in spec order (by field id), or in file order.
        var partitionFields: [(index: Int, type: IcebergType?)] = []
        if let partitionIndex = at.partition, case .structure(let children) = fileFields[partitionIndex].type {
            let order: [Int] =
                tableSpec.map { spec in
                    spec.fields.compactMap { field in children.firstIndex { $0.id.map(Int.init) == field.fieldId } }
                } ?? Array(children.indices)
            for child in (order.count == children.count ? order : Array(children.indices)) {
                let id = children[child].id.map(Int.init)
                let type = id.flatMap { partitionTypes[$0] } ?? (try? IcebergSchema.unnumberedType(children[child].type, path: ""))
                partitionFields.append((child, type))
            }
        }

        var entries: [ManifestEntry] = []
        entries.reserveCapacity(rows.count)
        for row in rows {
            guard case .structure(let file) = row[dataFileIndex] else {
                throw IcebergError(.invalidManifest, "an entry has no data_file", path: path)
            }
            var partition: [IcebergLiteral?] = []
            if let partitionIndex = at.partition, case .structure(let values) = file[partitionIndex] {
                for (index, type) in partitionFields {
                    let value = values[index]
                    guard let type, value != .null else {
                        partition.append(nil)
                        continue
                    }
                    guard let literal = IcebergLiteral(columnar: value, type: type) else {
                        throw IcebergError(.invalidManifest, "a partition value does not fit its type", path: path)
                    }
                    partition.append(literal)
                }
            }
            guard let statusValue = int(row[status]), let statusCase = ManifestEntryStatus(rawValue: Int32(truncatingIfNeeded: statusValue)) else {
                throw IcebergError(.invalidManifest, "an entry has an unknown status", path: path)
            }
            let content = at.content.flatMap { int(file[$0]) }.flatMap { FileContent(rawValue: Int32(truncatingIfNeeded: $0)) }
            guard case .string(let filePath) = file[pathIndex], let records = int(file[recordCount]), let size = int(file[fileSize]) else {
                throw IcebergError(.invalidManifest, "an entry lacks its path or counts", path: path)
            }
            let dataFile = DataFile(
                content: content ?? .data, filePath: filePath,
                fileFormat: at.fileFormat.flatMap { string(file[$0]) } ?? "PARQUET",
                partition: PartitionValues(partition), recordCount: records, fileSizeInBytes: size,
                columnSizes: at.columnSizes.flatMap { intMap(file[$0]) } ?? [:],
                valueCounts: at.valueCounts.flatMap { intMap(file[$0]) } ?? [:],
                nullValueCounts: at.nullValueCounts.flatMap { intMap(file[$0]) } ?? [:],
                nanValueCounts: at.nanValueCounts.flatMap { intMap(file[$0]) } ?? [:],
                lowerBounds: at.lowerBounds.flatMap { bytesMap(file[$0]) } ?? [:],
                upperBounds: at.upperBounds.flatMap { bytesMap(file[$0]) } ?? [:],
                keyMetadata: at.keyMetadata.flatMap { bytes(file[$0]) },
                splitOffsets: at.splitOffsets.flatMap { intList(file[$0]) },
                equalityIds: at.equalityIds.flatMap { intList(file[$0]) }.map { $0.map { Int32(truncatingIfNeeded: $0) } },
                sortOrderId: at.sortOrderId.flatMap { int(file[$0]) }.map { Int32(truncatingIfNeeded: $0) })
            entries.append(
                ManifestEntry(
                    status: statusCase, snapshotId: snapshotId.flatMap { int(row[$0]) },
                    sequenceNumber: sequence.flatMap { int(row[$0]) }, fileSequenceNumber: fileSequence.flatMap { int(row[$0]) },
                    dataFile: dataFile))
        }
        return ManifestContents(
            schema: tableSchema, spec: tableSpec ?? .unpartitioned, content: header["content"] ?? "data",
            formatVersion: header["format-version"].flatMap { Int($0) }, entries: entries)
    }

    public static func readManifest(
        bytes: [UInt8], path: String? = nil, spec: PartitionSpec? = nil, schema: IcebergSchema? = nil
    ) throws(IcebergError) -> ManifestContents {
        try readManifest(MemoryByteSource(bytes), path: path, spec: spec, schema: schema)
    }

    /// Reads a manifest list. Fields are found by field id.
    public static func readManifestList(_ source: any ByteRangeSource, path: String? = nil) throws(IcebergError) -> ManifestListContents {
        let (reader, rows) = try readRows(source, path: path)
        let fields = reader.schema.fields
        func required(_ id: Int32, _ name: String) throws(IcebergError) -> Int { try index(fields, id: id, name: name, path: path) }
        let manifestPath = try required(500, "manifest_path")
        let length = try required(501, "manifest_length")
        let specId = try required(502, "partition_spec_id")
        let content = optionalIndex(fields, id: 517, name: "content")
        let sequence = optionalIndex(fields, id: 515, name: "sequence_number")
        let minSequence = optionalIndex(fields, id: 516, name: "min_sequence_number")
        let addedSnapshot = try required(503, "added_snapshot_id")
        let counts = [
            optionalIndex(fields, id: 504, name: "added_files_count"), optionalIndex(fields, id: 505, name: "existing_files_count"),
            optionalIndex(fields, id: 506, name: "deleted_files_count"), optionalIndex(fields, id: 512, name: "added_rows_count"),
            optionalIndex(fields, id: 513, name: "existing_rows_count"), optionalIndex(fields, id: 514, name: "deleted_rows_count"),
        ]
        let partitions = optionalIndex(fields, id: 507, name: "partitions")
        let keyMetadata = optionalIndex(fields, id: 519, name: "key_metadata")
        var summaryIndexes: [Int?] = [nil, nil, nil, nil]
        if let partitions, case .list(let element) = fields[partitions].type, case .structure(let children) = element.type {
            summaryIndexes = [(509, "contains_null"), (518, "contains_nan"), (510, "lower_bound"), (511, "upper_bound")].map {
                optionalIndex(children, id: $0.0, name: $0.1)
            }
        }

        var manifests: [ManifestFile] = []
        for row in rows {
            guard case .string(let location) = row[manifestPath], let size = int(row[length]), let spec = int(row[specId]),
                let snapshot = int(row[addedSnapshot])
            else {
                throw IcebergError(.invalidManifest, "a manifest list entry lacks a required field", path: path)
            }
            let count = counts.map { index in index.flatMap { int(row[$0]) } ?? 0 }
            var summaries: [PartitionFieldSummary]?
            if let partitions, case .list(let items) = row[partitions] {
                summaries = items.map { item in
                    guard case .structure(let values) = item else { return PartitionFieldSummary(containsNull: true) }
                    func value(_ i: Int) -> Value { summaryIndexes[i].map { values[$0] } ?? .null }
                    var containsNull = true
                    if case .bool(let flag) = value(0) { containsNull = flag }
                    var containsNaN: Bool?
                    if case .bool(let flag) = value(1) { containsNaN = flag }
                    return PartitionFieldSummary(
                        containsNull: containsNull, containsNaN: containsNaN, lowerBound: bytes(value(2)),
                        upperBound: bytes(value(3)))
                }
            }
            let sequenceNumber = sequence.flatMap { int(row[$0]) } ?? 0
            manifests.append(
                ManifestFile(
                    manifestPath: location, manifestLength: size, partitionSpecId: Int32(truncatingIfNeeded: spec),
                    content: Int32(truncatingIfNeeded: content.flatMap { int(row[$0]) } ?? 0), sequenceNumber: sequenceNumber,
                    minSequenceNumber: minSequence.flatMap { int(row[$0]) } ?? sequenceNumber, addedSnapshotId: snapshot,
                    addedFilesCount: Int32(truncatingIfNeeded: count[0]), existingFilesCount: Int32(truncatingIfNeeded: count[1]),
                    deletedFilesCount: Int32(truncatingIfNeeded: count[2]), addedRowsCount: count[3],
                    existingRowsCount: count[4], deletedRowsCount: count[5], partitions: summaries,
                    keyMetadata: keyMetadata.flatMap { bytes(row[$0]) }))
        }
        let header = reader.metadata
        return ManifestListContents(
            snapshotId: header["snapshot-id"].flatMap { Int64($0) },
            parentSnapshotId: header["parent-snapshot-id"].flatMap { Int64($0) },
            sequenceNumber: header["sequence-number"].flatMap { Int64($0) },
            formatVersion: header["format-version"].flatMap { Int($0) }, manifests: manifests)
    }

    public static func readManifestList(bytes: [UInt8], path: String? = nil) throws(IcebergError) -> ManifestListContents {
        try readManifestList(MemoryByteSource(bytes), path: path)
    }

    // MARK: Helpers

    /// Every row of an Avro file as values (manifests are small: the slow path is fine).
    private static func readRows(_ source: any ByteRangeSource, path: String?) throws(IcebergError) -> (AvroFileReader, [[Value]]) {
        do {
            let reader = try AvroFileReader(source: source, path: path)
            var rows: [[Value]] = []
            while let batch = try reader.nextBatch() {
                for row in 0..<batch.rowCount { rows.append(batch.row(row)) }
            }
            return (reader, rows)
        } catch {
            throw IcebergError(
                .avro, "reading the Avro file failed", path: path, underlying: "\(error)",
                isRetryable: error.isRetryable)
        }
    }

    /// The index of the field with Iceberg field id `id`, else of the field named `name`.
    static func optionalIndex(_ fields: [Field], id: Int32, name: String) -> Int? {
        fields.firstIndex { $0.id == id } ?? fields.firstIndex { $0.name == name }
    }

    static func index(_ fields: [Field], id: Int32, name: String, path: String?) throws(IcebergError) -> Int {
        guard let index = optionalIndex(fields, id: id, name: name) else {
            throw IcebergError(.invalidManifest, "the file has no field \(name) (id \(id))", path: path)
        }
        return index
    }

    static func int(_ value: Value) -> Int64? {
        switch value {
        case .int(let v), .date(let v): return v
        case .uint(let v): return Int64(exactly: v)
        default: return nil
        }
    }

    static func string(_ value: Value) -> String? {
        if case .string(let s) = value { return s }
        return nil
    }

    static func bytes(_ value: Value) -> [UInt8]? {
        switch value {
        case .binary(let b): return b
        case .string(let s): return Array(s.utf8)
        default: return nil
        }
    }

    static func intMap(_ value: Value) -> [Int32: Int64]? {
        guard case .map(let entries) = value else { return nil }
        var out: [Int32: Int64] = [:]
        for entry in entries {
            guard let key = int(entry.key), let v = int(entry.value) else { continue }
            out[Int32(truncatingIfNeeded: key)] = v
        }
        return out
    }

    static func bytesMap(_ value: Value) -> [Int32: [UInt8]]? {
        guard case .map(let entries) = value else { return nil }
        var out: [Int32: [UInt8]] = [:]
        for entry in entries {
            guard let key = int(entry.key), let v = bytes(entry.value) else { continue }
            out[Int32(truncatingIfNeeded: key)] = v
        }
        return out
    }

    static func intList(_ value: Value) -> [Int64]? {
        guard case .list(let items) = value else { return nil }
        return items.compactMap(int)
    }

    /// Where each data_file field sits, found by field id.
    struct DataFileColumns {
        var content, filePath, fileFormat, partition, recordCount, fileSize: Int?
        var columnSizes, valueCounts, nullValueCounts, nanValueCounts, lowerBounds, upperBounds: Int?
        var keyMetadata, splitOffsets, equalityIds, sortOrderId: Int?

        init(_ fields: [Field]) {
            func find(_ id: Int32, _ name: String) -> Int? { Manifests.optionalIndex(fields, id: id, name: name) }
            content = find(134, "content")
            filePath = find(100, "file_path")
            fileFormat = find(101, "file_format")
            partition = find(102, "partition")
            recordCount = find(103, "record_count")
            fileSize = find(104, "file_size_in_bytes")
            columnSizes = find(108, "column_sizes")
            valueCounts = find(109, "value_counts")
            nullValueCounts = find(110, "null_value_counts")
            nanValueCounts = find(137, "nan_value_counts")
            lowerBounds = find(125, "lower_bounds")
            upperBounds = find(128, "upper_bounds")
            keyMetadata = find(131, "key_metadata")
            splitOffsets = find(132, "split_offsets")
            equalityIds = find(135, "equality_ids")
            sortOrderId = find(140, "sort_order_id")
        }
    }
}
