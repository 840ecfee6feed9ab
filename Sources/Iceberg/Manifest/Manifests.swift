import Avro
import Columnar
import LakegateCore

/// How manifests and manifest lists are written.
public struct ManifestWriteOptions: Sendable, Hashable {
    /// pyiceberg reads snappy only with an optional package, so deflate is the default.
    public var codec: AvroCodec
    /// The Avro sync marker; nil draws a random one (set it for reproducible bytes).
    public var syncMarker: [UInt8]?

    public init(codec: AvroCodec = .deflate(), syncMarker: [UInt8]? = nil) {
        self.codec = codec
        self.syncMarker = syncMarker
    }
}

/// A manifest as read back: its header (schema, spec, content) and its entries, numbers as
/// stored (apply `ManifestEntry.inheriting(from:)` to fill the inherited ones).
public struct ManifestContents: Sendable, Hashable {
    /// The table schema from the `schema` header key, when present and readable.
    public var schema: IcebergSchema?
    public var spec: PartitionSpec
    /// `data` or `deletes`.
    public var content: String
    public var formatVersion: Int?
    public var entries: [ManifestEntry]
}

/// A manifest list as read back: its header keys and its manifests.
public struct ManifestListContents: Sendable, Hashable {
    public var snapshotId: Int64?
    public var parentSnapshotId: Int64?
    public var sequenceNumber: Int64?
    public var formatVersion: Int?
    public var manifests: [ManifestFile]
}

/// Manifests (`manifest_entry` records) and manifest lists (`manifest_file` records) as Avro
/// object container files, through Lakegate's Avro module: rows are built as Columnar
/// batches whose fields carry Iceberg's field ids, which the Avro writer turns into
/// `field-id`, `element-id` and the `k117_v118`-style arrays of key/value records with
/// `logicalType: map` that Iceberg uses for maps with int keys. Records are named as Java
/// and pyiceberg name them (`manifest_entry`, `r2`, `r102`, `manifest_file`, `r508`).
public enum Manifests {
    // MARK: Schemas

    static func intMap(_ name: String, id: Int32, keyId: Int32, valueId: Int32, value: DataType) -> Field {
        Field(
            name,
            .map(
                key: Field("key", .int32, nullable: false, id: keyId),
                value: Field("value", value, nullable: false, id: valueId)), nullable: true, id: id)
    }

    /// The Columnar schema of `manifest_entry` for a partition struct of `partitionType`.
    public static func entrySchema(partitionType: [NestedField]) -> Schema {
        let partition = partitionType.map {
            Field($0.name, IcebergSchema.columnarType($0.type), nullable: true, id: Int32($0.id))
        }
        let dataFile: [Field] = [
            Field("content", .int32, nullable: false, id: 134),
            Field("file_path", .string, nullable: false, id: 100),
            Field("file_format", .string, nullable: false, id: 101),
            Field("partition", .structure(partition), nullable: false, id: 102),
            Field("record_count", .int64, nullable: false, id: 103),
            Field("file_size_in_bytes", .int64, nullable: false, id: 104),
            intMap("column_sizes", id: 108, keyId: 117, valueId: 118, value: .int64),
            intMap("value_counts", id: 109, keyId: 119, valueId: 120, value: .int64),
            intMap("null_value_counts", id: 110, keyId: 121, valueId: 122, value: .int64),
            intMap("nan_value_counts", id: 137, keyId: 138, valueId: 139, value: .int64),
            intMap("lower_bounds", id: 125, keyId: 126, valueId: 127, value: .binary),
            intMap("upper_bounds", id: 128, keyId: 129, valueId: 130, value: .binary),
            Field("key_metadata", .binary, nullable: true, id: 131),
            Field("split_offsets", .list(Field("element", .int64, nullable: false, id: 133)), nullable: true, id: 132),
            Field("equality_ids", .list(Field("element", .int32, nullable: false, id: 136)), nullable: true, id: 135),
            Field("sort_order_id", .int32, nullable: true, id: 140),
        ]
        return Schema([
            Field("status", .int32, nullable: false, id: 0),
            Field("snapshot_id", .int64, nullable: true, id: 1),
            Field("sequence_number", .int64, nullable: true, id: 3),
            Field("file_sequence_number", .int64, nullable: true, id: 4),
            Field("data_file", .structure(dataFile), nullable: false, id: 2),
        ])
    }

    /// The Columnar schema of `manifest_file`.
    public static let manifestFileSchema = Schema([
        Field("manifest_path", .string, nullable: false, id: 500),
        Field("manifest_length", .int64, nullable: false, id: 501),
        Field("partition_spec_id", .int32, nullable: false, id: 502),
        Field("content", .int32, nullable: false, id: 517),
        Field("sequence_number", .int64, nullable: false, id: 515),
        Field("min_sequence_number", .int64, nullable: false, id: 516),
        Field("added_snapshot_id", .int64, nullable: false, id: 503),
        Field("added_files_count", .int32, nullable: false, id: 504),
        Field("existing_files_count", .int32, nullable: false, id: 505),
        Field("deleted_files_count", .int32, nullable: false, id: 506),
        Field("added_rows_count", .int64, nullable: false, id: 512),
        Field("existing_rows_count", .int64, nullable: false, id: 513),
        Field("deleted_rows_count", .int64, nullable: false, id: 514),
        Field(
            "partitions",
            .list(
                Field(
                    "element",
                    .structure([
                        Field("contains_null", .boolean, nullable: false, id: 509),
                        Field("contains_nan", .boolean, nullable: true, id: 518),
                        Field("lower_bound", .binary, nullable: true, id: 510),
                        Field("upper_bound", .binary, nullable: true, id: 511),
                    ]), nullable: false, id: 508)), nullable: true, id: 507),
        Field("key_metadata", .binary, nullable: true, id: 519),
    ])

    // MARK: Writing

    /// Writes a manifest of `entries` (all of one spec) to `sink`. The header carries the
    /// table schema, the spec's fields and id, format version 2 and `content`.
    public static func writeManifest(
        _ entries: [ManifestEntry], schema: IcebergSchema, spec: PartitionSpec, content: FileContent = .data,
        to sink: any ByteSink, options: ManifestWriteOptions = ManifestWriteOptions()
    ) throws(IcebergError) {
        let partitionType = try spec.partitionType(schema: schema)
        let columnarSchema = entrySchema(partitionType: partitionType)
        var rows: [[Value]] = []
        rows.reserveCapacity(entries.count)
        for entry in entries {
            guard entry.dataFile.partition.values.count == partitionType.count else {
                throw IcebergError(
                    .invalidArgument,
                    "a file has \(entry.dataFile.partition.values.count) partition values for a spec of \(partitionType.count) fields",
                    field: "partition")
            }
            var partition: [Value] = []
            for (value, field) in zip(entry.dataFile.partition.values, partitionType) {
                guard let value else {
                    partition.append(.null)
                    continue
                }
                guard value.fits(field.type) else {
                    throw IcebergError(.invalidArgument, "a partition value does not fit its type", field: field.name)
                }
                partition.append(value.columnarValue(field.type))
            }
            rows.append(entryRow(entry, partition: partition))
        }
        var metadata = KeyValueMetadata()
        metadata["schema"] = schema.json.text
        metadata["schema-id"] = String(schema.schemaId)
        metadata["partition-spec"] = spec.fieldsJSON.text
        metadata["partition-spec-id"] = String(spec.specId)
        metadata["format-version"] = "2"
        metadata["content"] = content == .data ? "data" : "deletes"
        try write(rows, schema: columnarSchema, recordName: "manifest_entry", metadata: metadata, to: sink, options: options)
    }

    /// The bytes of a manifest (see `writeManifest`).
    public static func manifestBytes(
        _ entries: [ManifestEntry], schema: IcebergSchema, spec: PartitionSpec, content: FileContent = .data,
        options: ManifestWriteOptions = ManifestWriteOptions()
    ) throws(IcebergError) -> [UInt8] {
        let sink = MemoryByteSink()
        try writeManifest(entries, schema: schema, spec: spec, content: content, to: sink, options: options)
        return sink.bytes
    }

    /// Writes a manifest list to `sink`; the header carries the snapshot id, the parent's
    /// (`"null"` when none), the sequence number and format version 2.
    public static func writeManifestList(
        _ manifests: [ManifestFile], snapshotId: Int64, parentSnapshotId: Int64?, sequenceNumber: Int64,
        to sink: any ByteSink, options: ManifestWriteOptions = ManifestWriteOptions()
    ) throws(IcebergError) {
        let rows = manifests.map(manifestFileRow)
        var metadata = KeyValueMetadata()
        metadata["snapshot-id"] = String(snapshotId)
        metadata["parent-snapshot-id"] = parentSnapshotId.map { String($0) } ?? "null"
        metadata["sequence-number"] = String(sequenceNumber)
        metadata["format-version"] = "2"
        try write(rows, schema: manifestFileSchema, recordName: "manifest_file", metadata: metadata, to: sink, options: options)
    }

    public static func manifestListBytes(
        _ manifests: [ManifestFile], snapshotId: Int64, parentSnapshotId: Int64?, sequenceNumber: Int64,
        options: ManifestWriteOptions = ManifestWriteOptions()
    ) throws(IcebergError) -> [UInt8] {
        let sink = MemoryByteSink()
        try writeManifestList(
            manifests, snapshotId: snapshotId, parentSnapshotId: parentSnapshotId, sequenceNumber: sequenceNumber,
            to: sink, options: options)
        return sink.bytes
    }

    private static func write(
        _ rows: [[Value]], schema: Schema, recordName: String, metadata: KeyValueMetadata, to sink: any ByteSink,
        options: ManifestWriteOptions
    ) throws(IcebergError) {
        let builders = schema.fields.map { ColumnBuilder(type: $0.type, capacity: rows.count) }
        do {
            for row in rows {
                for (builder, value) in zip(builders, row) { try builder.append(value) }
            }
        } catch {
            throw IcebergError(.invalidArgument, "a value does not fit the \(recordName) schema", underlying: "\(error)")
        }
        let batch: RecordBatch
        do {
            batch = try RecordBatch(schema: schema, columns: builders.map { $0.finish() })
        } catch {
            throw IcebergError(.invalidArgument, "the \(recordName) columns do not form a batch", underlying: "\(error)")
        }
        let avroOptions = AvroWriteOptions(
            codec: options.codec, metadata: metadata, recordName: recordName, syncMarker: options.syncMarker,
            icebergTypes: true)
        do {
            let writer = try AvroFileWriter(sink: sink, schema: schema, options: avroOptions)
            if batch.rowCount > 0 { try writer.write(batch) }
            try writer.close()
        } catch {
            throw IcebergError(.avro, "writing \(recordName) records failed", underlying: "\(error)",
                isRetryable: error.isRetryable)
        }
    }

    static func intMapValue(_ map: [Int32: Int64]) -> Value {
        .map(map.keys.sorted().map { .init(key: .int(Int64($0)), value: .int(map[$0]!)) })
    }

    static func bytesMapValue(_ map: [Int32: [UInt8]]) -> Value {
        .map(map.keys.sorted().map { .init(key: .int(Int64($0)), value: .binary(map[$0]!)) })
    }

    static func entryRow(_ entry: ManifestEntry, partition: [Value]) -> [Value] {
        let file = entry.dataFile
        let dataFile: [Value] = [
            .int(Int64(file.content.rawValue)),
            .string(file.filePath),
            .string(file.fileFormat),
            .structure(partition),
            .int(file.recordCount),
            .int(file.fileSizeInBytes),
            intMapValue(file.columnSizes),
            intMapValue(file.valueCounts),
            intMapValue(file.nullValueCounts),
            intMapValue(file.nanValueCounts),
            bytesMapValue(file.lowerBounds),
            bytesMapValue(file.upperBounds),
            file.keyMetadata.map { .binary($0) } ?? .null,
            file.splitOffsets.map { .list($0.map { .int($0) }) } ?? .null,
            file.equalityIds.map { .list($0.map { .int(Int64($0)) }) } ?? .null,
            file.sortOrderId.map { .int(Int64($0)) } ?? .null,
        ]
        return [
            .int(Int64(entry.status.rawValue)),
            entry.snapshotId.map { .int($0) } ?? .null,
            entry.sequenceNumber.map { .int($0) } ?? .null,
            entry.fileSequenceNumber.map { .int($0) } ?? .null,
            .structure(dataFile),
        ]
    }

    static func manifestFileRow(_ manifest: ManifestFile) -> [Value] {
        let partitions: Value =
            manifest.partitions.map { summaries in
                .list(
                    summaries.map { summary in
                        .structure([
                            .bool(summary.containsNull),
                            summary.containsNaN.map { .bool($0) } ?? .null,
                            summary.lowerBound.map { .binary($0) } ?? .null,
                            summary.upperBound.map { .binary($0) } ?? .null,
                        ])
                    })
            } ?? .null
        return [
            .string(manifest.manifestPath),
            .int(manifest.manifestLength),
            .int(Int64(manifest.partitionSpecId)),
            .int(Int64(manifest.content)),
            .int(manifest.sequenceNumber),
            .int(manifest.minSequenceNumber),
            .int(manifest.addedSnapshotId),
            .int(Int64(manifest.addedFilesCount)),
            .int(Int64(manifest.existingFilesCount)),
            .int(Int64(manifest.deletedFilesCount)),
            .int(manifest.addedRowsCount),
            .int(manifest.existingRowsCount),
            .int(manifest.deletedRowsCount),
            partitions,
            manifest.keyMetadata.map { .binary($0) } ?? .null,
        ]
    }
}
