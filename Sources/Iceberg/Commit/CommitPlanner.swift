import Columnar

/// A file a commit needs written before the catalog's compare-and-swap.
public struct PlannedFile: Sendable, Hashable {
    public var path: String
    public var bytes: [UInt8]
    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }
}

/// A manifest written for a commit, with the entries it holds (so a retry can reuse it).
public struct WrittenManifest: Sendable, Hashable {
    public var file: PlannedFile
    public var entries: [ManifestEntry]
    public var specId: Int
}

/// What a commit starts from: the table as loaded and the new snapshot's identity.
public struct CommitBase: Sendable {
    public var metadata: TableMetadata
    /// The metadata file `metadata` was read from (nil when it has not been written yet).
    public var metadataLocation: String?
    /// The entries of the current snapshot's manifest list (empty when there is none).
    public var parentManifests: [ManifestFile]
    public var snapshotId: Int64
    public var timestampMs: Int64
    /// Names this commit's files: `<uuid>-m<n>.avro`, `snap-<id>-<attempt>-<uuid>.avro`,
    /// `<version>-<uuid>.metadata.json` (as pyiceberg names them).
    public var commitUUID: String
    /// Counts retries of one commit, so each attempt writes a new manifest list.
    public var attempt: Int

    public init(
        metadata: TableMetadata, metadataLocation: String?, parentManifests: [ManifestFile], snapshotId: Int64,
        timestampMs: Int64, commitUUID: String, attempt: Int = 0
    ) {
        self.metadata = metadata
        self.metadataLocation = metadataLocation
        self.parentManifests = parentManifests
        self.snapshotId = snapshotId
        self.timestampMs = timestampMs
        self.commitUUID = commitUUID
        self.attempt = attempt
    }
}

/// Everything one commit writes and the metadata it installs. The caller writes
/// `filesToWrite` in order, then swaps the catalog's pointer from `base.metadataLocation` to
/// `metadataLocation`; when the swap fails it reloads the table and plans again (appends may
/// pass `newManifests` back as `reusing`).
public struct CommitPlan: Sendable {
    public var snapshot: Snapshot
    /// Manifests written by this commit (added files; rewritten manifests of a replace).
    public var newManifests: [WrittenManifest]
    /// The new snapshot's manifest list: new manifests first, then the parent's carried over.
    public var manifestFiles: [ManifestFile]
    public var manifestList: PlannedFile
    public var metadata: TableMetadata
    public var metadataLocation: String

    public var metadataFile: PlannedFile { PlannedFile(path: metadataLocation, bytes: metadata.jsonBytes) }

    /// Manifests, the manifest list, then the metadata file.
    public var filesToWrite: [PlannedFile] { newManifests.map(\.file) + [manifestList, metadataFile] }
}

/// Plans commits without doing I/O: appends, replaces (compaction) and snapshot expiry.
public enum CommitPlanner {
    /// Snapshot summary keys.
    public enum SummaryKey {
        public static let addedDataFiles = "added-data-files"
        public static let addedRecords = "added-records"
        public static let addedFilesSize = "added-files-size"
        public static let deletedDataFiles = "deleted-data-files"
        public static let deletedRecords = "deleted-records"
        public static let removedFilesSize = "removed-files-size"
        public static let changedPartitionCount = "changed-partition-count"
        public static let totalRecords = "total-records"
        public static let totalDataFiles = "total-data-files"
        public static let totalFilesSize = "total-files-size"
        public static let totalDeleteFiles = "total-delete-files"
        public static let totalPositionDeletes = "total-position-deletes"
        public static let totalEqualityDeletes = "total-equality-deletes"
    }

    /// The metadata property that bounds the metadata log (Iceberg's default is 100).
    public static let previousVersionsMaxProperty = "write.metadata.previous-versions-max"

    // MARK: Append

    /// A fast append: one new manifest of ADDED entries (numbers left to inheritance) for
    /// `files` under the default spec, a manifest list of it plus every parent manifest that
    /// still has live files, a snapshot with sequence number `last-sequence-number + 1` and a
    /// summary whose totals chain from the parent's.
    ///
    /// `reusing` takes the `newManifests` of an earlier attempt of the same commit: they hold
    /// no snapshot or sequence numbers, so only the manifest list and metadata are rewritten.
    public static func planAppend(
        _ base: CommitBase, files: [DataFile], reusing: [WrittenManifest]? = nil,
        options: ManifestWriteOptions = ManifestWriteOptions()
    ) throws(IcebergError) -> CommitPlan {
        let metadata = base.metadata
        let schema = try metadata.requireCurrentSchema()
        let spec = try metadata.requireDefaultSpec()
        for file in files where file.content != .data {
            throw IcebergError(.unsupported, "appending delete files", field: file.filePath)
        }
        let sequenceNumber = metadata.lastSequenceNumber + 1
        let written: [WrittenManifest]
        if let reusing {
            written = reusing
        } else if files.isEmpty {
            written = []
        } else {
            let entries = files.map { ManifestEntry(status: .added, dataFile: $0) }
            let bytes = try Manifests.manifestBytes(entries, schema: schema, spec: spec, options: options)
            written = [
                WrittenManifest(
                    file: PlannedFile(path: manifestPath(base, index: 0), bytes: bytes), entries: entries,
                    specId: spec.specId)
            ]
        }
        var newFiles: [ManifestFile] = []
        for manifest in written {
            newFiles.append(try summarize(manifest, base: base, schema: schema, sequenceNumber: sequenceNumber))
        }

        var added = Totals()
        var partitions: Set<PartitionKey> = []
        for manifest in written {
            for entry in manifest.entries where entry.status == .added {
                added.add(entry.dataFile)
                partitions.insert(PartitionKey(specId: manifest.specId, values: entry.dataFile.partition))
            }
        }
        var summary = SnapshotSummary(operation: .append)
        summary[SummaryKey.addedFilesSize] = String(added.size)
        summary[SummaryKey.addedDataFiles] = String(added.files)
        summary[SummaryKey.addedRecords] = String(added.records)
        summary[SummaryKey.changedPartitionCount] = String(partitions.count)
        chainTotals(&summary, parent: metadata.currentSnapshot, added: added, removed: Totals())

        return try finish(base, summary: summary, newManifests: written, newFiles: newFiles, sequenceNumber: sequenceNumber, options: options)
    }

    // MARK: Replace

    /// A replace (compaction): the live files at `removing` leave the table and `adding` enter
    /// it, with no change to the rows the table holds. Every parent manifest that lists a
    /// removed file is rewritten with that file DELETED and the others EXISTING, numbers
    /// explicit; the added files go into a new manifest as ADDED.
    ///
    /// `manifestEntries` maps manifest paths to their entries as read (at least every parent
    /// data manifest that may hold a removed file; passing all of them is simplest). A path
    /// not live in those manifests is a `.conflict`: another commit removed it.
    public static func planReplace(
        _ base: CommitBase, removing: [String], adding: [DataFile], manifestEntries: [String: [ManifestEntry]],
        options: ManifestWriteOptions = ManifestWriteOptions()
    ) throws(IcebergError) -> CommitPlan {
        let metadata = base.metadata
        let schema = try metadata.requireCurrentSchema()
        let spec = try metadata.requireDefaultSpec()
        let sequenceNumber = metadata.lastSequenceNumber + 1
        var toRemove = Set(removing)
        guard toRemove.count == removing.count else {
            throw IcebergError(.invalidArgument, "a file to remove is listed twice")
        }

        var written: [WrittenManifest] = []
        var carried: [ManifestFile] = []
        var removedTotals = Totals()
        var partitions: Set<PartitionKey> = []
        for manifest in base.parentManifests {
            guard manifest.content == 0, let entries = manifestEntries[manifest.manifestPath],
                entries.contains(where: { $0.status.isLive && toRemove.contains($0.dataFile.filePath) })
            else {
                carried.append(manifest)
                continue
            }
            var rewritten: [ManifestEntry] = []
            for raw in entries where raw.status.isLive {
                var entry = raw.inheriting(from: manifest)
                guard entry.sequenceNumber != nil else {
                    throw IcebergError(
                        .invalidManifest, "an EXISTING entry without a sequence number", path: manifest.manifestPath)
                }
                if toRemove.remove(entry.dataFile.filePath) != nil {
                    entry.status = .deleted
                    entry.snapshotId = base.snapshotId
                    removedTotals.add(entry.dataFile)
                    partitions.insert(PartitionKey(specId: Int(manifest.partitionSpecId), values: entry.dataFile.partition))
                } else {
                    entry.status = .existing
                }
                rewritten.append(entry)
            }
            guard let manifestSpec = metadata.spec(id: Int(manifest.partitionSpecId)) else {
                throw IcebergError(
                    .invalidMetadata, "partition spec \(manifest.partitionSpecId) is not in the metadata",
                    path: manifest.manifestPath)
            }
            let bytes = try Manifests.manifestBytes(rewritten, schema: schema, spec: manifestSpec, options: options)
            written.append(
                WrittenManifest(
                    file: PlannedFile(path: manifestPath(base, index: written.count + 1), bytes: bytes), entries: rewritten,
                    specId: manifestSpec.specId))
        }
        if !toRemove.isEmpty {
            throw IcebergError(
                .conflict, "\(toRemove.count) of the files to replace are no longer live in the table",
                field: toRemove.sorted().first)
        }

        var addedTotals = Totals()
        if !adding.isEmpty {
            for file in adding where file.content != .data {
                throw IcebergError(.unsupported, "adding delete files", field: file.filePath)
            }
            let entries = adding.map { ManifestEntry(status: .added, dataFile: $0) }
            let bytes = try Manifests.manifestBytes(entries, schema: schema, spec: spec, options: options)
            written.insert(
                WrittenManifest(
                    file: PlannedFile(path: manifestPath(base, index: 0), bytes: bytes), entries: entries, specId: spec.specId),
                at: 0)
            for file in adding {
                addedTotals.add(file)
                partitions.insert(PartitionKey(specId: spec.specId, values: file.partition))
            }
        }
        var newFiles: [ManifestFile] = []
        for manifest in written {
            newFiles.append(try summarize(manifest, base: base, schema: schema, sequenceNumber: sequenceNumber))
        }

        var summary = SnapshotSummary(operation: .replace)
        summary[SummaryKey.addedFilesSize] = String(addedTotals.size)
        summary[SummaryKey.addedDataFiles] = String(addedTotals.files)
        summary[SummaryKey.addedRecords] = String(addedTotals.records)
        summary[SummaryKey.removedFilesSize] = String(removedTotals.size)
        summary[SummaryKey.deletedDataFiles] = String(removedTotals.files)
        summary[SummaryKey.deletedRecords] = String(removedTotals.records)
        summary[SummaryKey.changedPartitionCount] = String(partitions.count)
        chainTotals(&summary, parent: metadata.currentSnapshot, added: addedTotals, removed: removedTotals)

        return try finish(
            base, summary: summary, newManifests: written, newFiles: newFiles, sequenceNumber: sequenceNumber,
            carried: carried, options: options)
    }

    // MARK: Shared steps

    struct Totals {
        var files: Int64 = 0
        var records: Int64 = 0
        var size: Int64 = 0
        mutating func add(_ file: DataFile) {
            files += 1
            records += file.recordCount
            size += file.fileSizeInBytes
        }
    }

    struct PartitionKey: Hashable {
        var specId: Int
        var values: PartitionValues
    }

    static func metadataDirectory(_ metadata: TableMetadata) -> String {
        TableMetadata.trimmingSlash(metadata.location) + "/metadata/"
    }

    static func manifestPath(_ base: CommitBase, index: Int) -> String {
        metadataDirectory(base.metadata) + "\(base.commitUUID)-m\(index).avro"
    }

    static func summarize(
        _ manifest: WrittenManifest, base: CommitBase, schema: IcebergSchema, sequenceNumber: Int64
    ) throws(IcebergError) -> ManifestFile {
        guard let spec = base.metadata.spec(id: manifest.specId) else {
            throw IcebergError(.invalidMetadata, "partition spec \(manifest.specId) is not in the metadata")
        }
        return try ManifestFile(
            summarizing: manifest.entries, path: manifest.file.path, length: Int64(manifest.file.bytes.count), spec: spec,
            schema: schema, sequenceNumber: sequenceNumber, addedSnapshotId: base.snapshotId)
    }

    /// Sets the `total-*` keys from the parent's, as pyiceberg does: a total the parent lacks
    /// (an engine that does not write it) is left out rather than guessed.
    static func chainTotals(_ summary: inout SnapshotSummary, parent: Snapshot?, added: Totals, removed: Totals) {
        let parentSummary = parent?.summary  // decoded once (a summary read from a file stays text until asked)
        func chain(_ key: String, plus: Int64, minus: Int64) {
            let previous: Int64?
            if let parentSummary { previous = parentSummary.count(key) } else { previous = 0 }
            guard let previous else { return }
            let total = previous + plus - minus
            if total >= 0 { summary[key] = String(total) }
        }
        chain(SummaryKey.totalDataFiles, plus: added.files, minus: removed.files)
        chain(SummaryKey.totalDeleteFiles, plus: 0, minus: 0)
        chain(SummaryKey.totalRecords, plus: added.records, minus: removed.records)
        chain(SummaryKey.totalFilesSize, plus: added.size, minus: removed.size)
        chain(SummaryKey.totalPositionDeletes, plus: 0, minus: 0)
        chain(SummaryKey.totalEqualityDeletes, plus: 0, minus: 0)
    }

    /// The manifest list, snapshot and metadata of a commit whose new manifests are known.
    static func finish(
        _ base: CommitBase, summary: SnapshotSummary, newManifests: [WrittenManifest], newFiles: [ManifestFile],
        sequenceNumber: Int64, carried: [ManifestFile]? = nil, options: ManifestWriteOptions
    ) throws(IcebergError) -> CommitPlan {
        let metadata = base.metadata
        guard metadata.snapshot(id: base.snapshotId) == nil else {
            throw IcebergError(.invalidArgument, "snapshot id \(base.snapshotId) is already in the table")
        }
        // Manifests holding only DELETED entries describe the parent's change, not the table.
        let kept = (carried ?? base.parentManifests).filter { $0.addedFilesCount + $0.existingFilesCount > 0 || $0.deletedFilesCount == 0 }
        let manifestFiles = newFiles + kept
        let parentId = metadata.currentSnapshotId
        let listPath = metadataDirectory(metadata) + "snap-\(base.snapshotId)-\(base.attempt)-\(base.commitUUID).avro"
        let listBytes = try Manifests.manifestListBytes(
            manifestFiles, snapshotId: base.snapshotId, parentSnapshotId: parentId, sequenceNumber: sequenceNumber,
            options: options)
        let snapshot = Snapshot(
            snapshotId: base.snapshotId, parentSnapshotId: parentId, sequenceNumber: sequenceNumber,
            timestampMs: base.timestampMs, manifestList: listPath, summary: summary, schemaId: metadata.currentSchemaId)

        var next = metadata
        next.snapshots.append(snapshot)
        next.currentSnapshotId = snapshot.snapshotId
        next.lastSequenceNumber = sequenceNumber
        next.snapshotLog.append(SnapshotLogEntry(snapshotId: snapshot.snapshotId, timestampMs: snapshot.timestampMs))
        if let index = next.refs.firstIndex(where: { $0.name == "main" }) {
            next.refs[index].snapshotId = snapshot.snapshotId
        } else {
            next.refs.append(SnapshotRef(name: "main", snapshotId: snapshot.snapshotId))
        }
        advance(&next, from: base.metadataLocation, timestampMs: base.timestampMs)
        next = retainingNewestSnapshots(next)
        return CommitPlan(
            snapshot: snapshot, newManifests: newManifests, manifestFiles: manifestFiles,
            manifestList: PlannedFile(path: listPath, bytes: listBytes), metadata: next,
            metadataLocation: metadata.nextMetadataLocation(after: base.metadataLocation, uuid: base.commitUUID))
    }

    /// Records the metadata file being replaced in the metadata log (bounded by
    /// `write.metadata.previous-versions-max`) and stamps the update time.
    static func advance(_ metadata: inout TableMetadata, from location: String?, timestampMs: Int64) {
        if let location {
            metadata.metadataLog.append(MetadataLogEntry(metadataFile: location, timestampMs: metadata.lastUpdatedMs))
            let limit = max(1, metadata.properties[previousVersionsMaxProperty].flatMap { Int($0) } ?? 100)
            if metadata.metadataLog.count > limit { metadata.metadataLog.removeFirst(metadata.metadataLog.count - limit) }
        }
        metadata.lastUpdatedMs = max(timestampMs, metadata.lastUpdatedMs)
    }
}

extension CommitPlanner {
    /// A random positive snapshot id (Java and pyiceberg also draw them at random).
    public static func newSnapshotId<R: RandomNumberGenerator>(using generator: inout R) -> Int64 {
        var id: Int64 = 0
        while id == 0 { id = Int64(bitPattern: generator.next() & UInt64(Int64.max)) }
        return id
    }

    /// A random (version 4) UUID in its lowercase 8-4-4-4-12 form, for table UUIDs and file names.
    public static func newUUID<R: RandomNumberGenerator>(using generator: inout R) -> String {
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        return Transform.humanString(.uuid(bytes))
    }
}
