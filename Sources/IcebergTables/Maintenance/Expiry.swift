public import Tables
import Iceberg

extension IcebergCatalog {
    /// Forgets snapshots older than `seconds` (never the current one) and, once that is
    /// committed, deletes the manifest lists, manifests and data files only they reached, and
    /// metadata files older than every one the metadata log still names; then sweeps the
    /// table's unreferenced objects older than `seconds` and the orphan grace period.
    /// `filesDeleted` counts every object deleted.
    public func expireSnapshots(_ table: TableIdentifier, olderThan seconds: Double) async throws(TableError) -> MaintenanceResult {
        guard seconds >= 0, seconds.isFinite else {
            throw TableError(.invalidArgument, "the age of snapshots to expire must be zero or more seconds")
        }
        var unresolved = false
        var unreachable: UnreachableFiles?
        let landed = try await commitMaintenance(table, unresolved: &unresolved) { current, _ throws(TableError) in
            let now = WallClock.nowMs()
            let expiry = CommitPlanner.planExpiry(
                metadata: current.metadata, metadataLocation: current.metadataLocation,
                olderThanMs: now - Int64(seconds * 1000), timestampMs: max(now, current.metadata.lastUpdatedMs),
                uuid: Random.uuid())
            guard !expiry.isEmpty else { return nil }
            var lists: [String: [ManifestFile]] = [:]
            var entries: [String: [ManifestEntry]] = [:]
            for snapshot in expiry.expired + expiry.retained {
                let manifests = try await files.manifestList(snapshot.manifestList)
                lists[snapshot.manifestList] = manifests
                for manifest in manifests where entries[manifest.manifestPath] == nil {
                    entries[manifest.manifestPath] = try await files.entries(manifest, metadata: current.metadata)
                }
            }
            do throws(IcebergError) {
                unreachable = try CommitPlanner.unreachableFiles(
                    expired: expiry.expired, retained: expiry.retained, manifestLists: lists, manifestEntries: entries)
            } catch {
                throw TableError.iceberg(error, "finding unreachable files", subject: table.description)
            }
            return MaintenancePlan(
                files: [expiry.metadataFile], metadata: expiry.metadata, metadataLocation: expiry.metadataLocation,
                snapshotId: nil)
        }
        var deleted = 0
        if let landed {
            let gone = unreachable.map { $0.dataFiles + $0.manifests + $0.manifestLists } ?? []
            for url in gone {
                guard let key = store.key(ofURL: url) else { continue }  // not ours to delete
                try await store.delete(key)
                deleted += 1
            }
            deleted += try await deleteOldMetadataFiles(table, keeping: landed.plan.metadata, current: landed.plan.metadataLocation)
        }
        let current = try await load(table)
        deleted += try await sweepOrphans(current, olderThan: max(seconds, options.orphanGraceSeconds))
        return MaintenanceResult(snapshot: current.metadata.currentSnapshotId, filesAdded: 0, filesRemoved: 0, filesDeleted: deleted)
    }

    public func sweepUnreferencedFiles(olderThan seconds: Double) async throws(TableError) -> Int {
        guard seconds >= 0 else { throw TableError(.invalidArgument, "the age must not be negative") }
        var swept = 0
        for table in try await listTables() {
            guard let loaded = try await loadIfExists(table) else { continue }  // dropped meanwhile
            swept += try await sweepOrphans(loaded, olderThan: seconds)
        }
        return swept
    }

    /// Deletes the table's objects that nothing references, once older than `seconds`: data
    /// files, manifests and manifest lists no snapshot names, metadata files neither current
    /// nor in the metadata log (left by writers that died or lost track of a commit's outcome).
    /// The age keeps the files of appends still in progress, which are not named until they commit.
    private func sweepOrphans(_ loaded: LoadedTable, olderThan seconds: Double) async throws(TableError) -> Int {
        var named: Set<String> = [loaded.metadataLocation]
        for entry in loaded.metadata.metadataLog { named.insert(entry.metadataFile) }
        for snapshot in loaded.metadata.snapshots {
            named.insert(snapshot.manifestList)
            for manifest in try await files.manifestList(snapshot.manifestList) where !named.contains(manifest.manifestPath) {
                named.insert(manifest.manifestPath)
                for entry in try await files.entries(manifest, metadata: loaded.metadata) {
                    named.insert(entry.dataFile.filePath)
                }
            }
        }
        let cutoff = Double(WallClock.nowMs()) / 1000 - seconds
        var swept = 0
        for object in try await store.list(under: try tableKey(loaded.identifier))
        where object.modified < cutoff && !named.contains(store.url(of: object.key)) {
            try await store.delete(object.key)
            swept += 1
        }
        return swept
    }

    /// Deletes metadata files whose version is below every version the metadata log keeps (a
    /// writer in flight only ever writes versions above the current one, so none of those).
    private func deleteOldMetadataFiles(
        _ table: TableIdentifier, keeping metadata: TableMetadata, current: String
    ) async throws(TableError) -> Int {
        let versions = (metadata.metadataLog.map(\.metadataFile) + [current]).compactMap(TableMetadata.version(ofMetadataLocation:))
        guard let oldest = versions.min() else { return 0 }
        let folder = try tableKey(table).appending("metadata")
        var deleted = 0
        for object in try await store.list(under: folder) where object.key.path.hasSuffix(".metadata.json") {
            guard let version = TableMetadata.version(ofMetadataLocation: object.key.path), version < oldest else { continue }
            try await store.delete(object.key)
            deleted += 1
        }
        return deleted
    }
}
