/// What a file in a manifest holds.
public enum FileContent: Int32, Sendable, Hashable {
    case data = 0
    case positionDeletes = 1
    case equalityDeletes = 2
}

/// A data (or delete) file as a manifest records it: where it is, its partition, its size
/// and its column statistics keyed by field id.
public struct DataFile: Sendable, Hashable {
    public var content: FileContent
    /// The full URI (`s3://…`, `file:///…`).
    public var filePath: String
    /// `PARQUET`, `AVRO` or `ORC`.
    public var fileFormat: String
    public var partition: PartitionValues
    public var recordCount: Int64
    public var fileSizeInBytes: Int64
    // Column metrics keyed by field id. Empty maps are written as empty (not null), as
    // pyiceberg writes them: its `inspect.entries()` fails on null maps.
    /// Bytes on disk per column (leaf field id).
    public var columnSizes: [Int32: Int64]
    /// Values per column, nulls and NaNs included.
    public var valueCounts: [Int32: Int64]
    public var nullValueCounts: [Int32: Int64]
    public var nanValueCounts: [Int32: Int64]
    /// Single-value serialized bounds (`IcebergLiteral.binaryBound`).
    public var lowerBounds: [Int32: [UInt8]]
    public var upperBounds: [Int32: [UInt8]]
    public var keyMetadata: [UInt8]?
    /// Offsets where a reader may split the file (row group starts).
    public var splitOffsets: [Int64]?
    public var equalityIds: [Int32]?
    public var sortOrderId: Int32?

    public init(
        content: FileContent = .data, filePath: String, fileFormat: String = "PARQUET",
        partition: PartitionValues = .unpartitioned, recordCount: Int64, fileSizeInBytes: Int64,
        columnSizes: [Int32: Int64] = [:], valueCounts: [Int32: Int64] = [:], nullValueCounts: [Int32: Int64] = [:],
        nanValueCounts: [Int32: Int64] = [:], lowerBounds: [Int32: [UInt8]] = [:], upperBounds: [Int32: [UInt8]] = [:],
        keyMetadata: [UInt8]? = nil, splitOffsets: [Int64]? = nil, equalityIds: [Int32]? = nil, sortOrderId: Int32? = nil
    ) {
        self.content = content
        self.filePath = filePath
        self.fileFormat = fileFormat
        self.partition = partition
        self.recordCount = recordCount
        self.fileSizeInBytes = fileSizeInBytes
        self.columnSizes = columnSizes
        self.valueCounts = valueCounts
        self.nullValueCounts = nullValueCounts
        self.nanValueCounts = nanValueCounts
        self.lowerBounds = lowerBounds
        self.upperBounds = upperBounds
        self.keyMetadata = keyMetadata
        self.splitOffsets = splitOffsets
        self.equalityIds = equalityIds
        self.sortOrderId = sortOrderId
    }
}

/// The status of a manifest entry.
public enum ManifestEntryStatus: Int32, Sendable, Hashable {
    case existing = 0
    case added = 1
    case deleted = 2

    /// Whether the file is part of the table in the manifest's snapshot.
    public var isLive: Bool { self != .deleted }
}

/// One row of a manifest: a file, its status and the snapshot and sequence numbers that
/// govern it. ADDED entries are written with nil numbers: readers inherit them from the
/// manifest list entry (so a manifest can be written before its commit's numbers are known).
public struct ManifestEntry: Sendable, Hashable {
    public var status: ManifestEntryStatus
    /// The snapshot that added the file, or deleted it when the status is `deleted`.
    public var snapshotId: Int64?
    /// The data sequence number (which deletes apply to the file).
    public var sequenceNumber: Int64?
    /// The sequence number of the snapshot that added the file.
    public var fileSequenceNumber: Int64?
    public var dataFile: DataFile

    public init(
        status: ManifestEntryStatus, snapshotId: Int64? = nil, sequenceNumber: Int64? = nil,
        fileSequenceNumber: Int64? = nil, dataFile: DataFile
    ) {
        self.status = status
        self.snapshotId = snapshotId
        self.sequenceNumber = sequenceNumber
        self.fileSequenceNumber = fileSequenceNumber
        self.dataFile = dataFile
    }

    /// The entry with nil numbers filled from the manifest list entry that points at its
    /// manifest, as the spec's inheritance rules say: the snapshot id always; the sequence
    /// numbers only for ADDED entries.
    public func inheriting(from manifest: ManifestFile) -> ManifestEntry {
        var copy = self
        if copy.snapshotId == nil { copy.snapshotId = manifest.addedSnapshotId }
        if status == .added {
            if copy.sequenceNumber == nil { copy.sequenceNumber = manifest.sequenceNumber }
            if copy.fileSequenceNumber == nil { copy.fileSequenceNumber = manifest.sequenceNumber }
        }
        return copy
    }
}

/// What a manifest list says about one partition field across a manifest's files.
public struct PartitionFieldSummary: Sendable, Hashable {
    public var containsNull: Bool
    /// nil when unknown (only floating-point fields can hold NaN).
    public var containsNaN: Bool?
    public var lowerBound: [UInt8]?
    public var upperBound: [UInt8]?

    public init(containsNull: Bool, containsNaN: Bool? = nil, lowerBound: [UInt8]? = nil, upperBound: [UInt8]? = nil) {
        self.containsNull = containsNull
        self.containsNaN = containsNaN
        self.lowerBound = lowerBound
        self.upperBound = upperBound
    }
}

/// A manifest list entry (`manifest_file`): one manifest, its counts and partition ranges.
public struct ManifestFile: Sendable, Hashable {
    public var manifestPath: String
    public var manifestLength: Int64
    public var partitionSpecId: Int32
    /// 0 data, 1 deletes.
    public var content: Int32
    /// The sequence number of the snapshot that added the manifest.
    public var sequenceNumber: Int64
    /// The smallest data sequence number of the manifest's live files.
    public var minSequenceNumber: Int64
    public var addedSnapshotId: Int64
    public var addedFilesCount: Int32
    public var existingFilesCount: Int32
    public var deletedFilesCount: Int32
    public var addedRowsCount: Int64
    public var existingRowsCount: Int64
    public var deletedRowsCount: Int64
    public var partitions: [PartitionFieldSummary]?
    public var keyMetadata: [UInt8]?

    public init(
        manifestPath: String, manifestLength: Int64, partitionSpecId: Int32, content: Int32 = 0, sequenceNumber: Int64,
        minSequenceNumber: Int64, addedSnapshotId: Int64, addedFilesCount: Int32, existingFilesCount: Int32,
        deletedFilesCount: Int32, addedRowsCount: Int64, existingRowsCount: Int64, deletedRowsCount: Int64,
        partitions: [PartitionFieldSummary]? = nil, keyMetadata: [UInt8]? = nil
    ) {
        self.manifestPath = manifestPath
        self.manifestLength = manifestLength
        self.partitionSpecId = partitionSpecId
        self.content = content
        self.sequenceNumber = sequenceNumber
        self.minSequenceNumber = minSequenceNumber
        self.addedSnapshotId = addedSnapshotId
        self.addedFilesCount = addedFilesCount
        self.existingFilesCount = existingFilesCount
        self.deletedFilesCount = deletedFilesCount
        self.addedRowsCount = addedRowsCount
        self.existingRowsCount = existingRowsCount
        self.deletedRowsCount = deletedRowsCount
        self.partitions = partitions
        self.keyMetadata = keyMetadata
    }
}
