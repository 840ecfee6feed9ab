public import Tables
import Columnar
import Iceberg

extension IcebergCatalog {
    /// Merges the small files of each partition (of the default spec) into files of about the
    /// target size, in one `replace` snapshot. Rows are read by field id into the current
    /// schema, so files written before columns were added or widened merge with newer ones.
    /// A concurrent commit that removed one of the files makes this a `.conflict` (nothing is
    /// changed and the new files are deleted); concurrent appends are merely retried around.
    public func compact(_ table: TableIdentifier) async throws(TableError) -> MaintenanceResult {
        let loaded = try await load(table)
        let metadata = loaded.metadata
        let schema = try currentSchema(loaded)
        guard metadata.currentSnapshot != nil else { return MaintenanceResult(snapshot: nil, filesAdded: 0, filesRemoved: 0, filesDeleted: 0) }
        if try await files.hasDeleteFiles(metadata) {
            throw TableError(.unsupported, "the table has delete files, which Lakegate does not apply", subject: table.description)
        }
        let spec: PartitionSpec
        do {
            spec = try metadata.requireDefaultSpec()
        } catch {
            throw TableError.iceberg(error, "reading the partition spec", subject: table.description)
        }
        let small = options.smallFileBytes ?? (options.targetFileBytes / 4 * 3)
        var groups: [PartitionValues: [DataFile]] = [:]
        var order: [PartitionValues] = []
        for (entry, specId) in try await files.liveDataFiles(metadata)
        where specId == spec.specId && entry.dataFile.fileSizeInBytes < Int64(small) && entry.dataFile.fileFormat == "PARQUET" {
            if groups[entry.dataFile.partition] == nil { order.append(entry.dataFile.partition) }
            groups[entry.dataFile.partition, default: []].append(entry.dataFile)
        }
        let chosen = order.compactMap { groups[$0]!.count > 1 ? groups[$0]! : nil }
        guard !chosen.isEmpty else {
            return MaintenanceResult(snapshot: metadata.currentSnapshotId, filesAdded: 0, filesRemoved: 0, filesDeleted: 0)
        }

        // Rewrite each chosen partition's files into new ones.
        let columnar = schema.columnarSchema()
        let writer = IcebergFileWriter(
            store: store, schema: schema, spec: spec, tableKey: try tableKey(table), options: options.parquet,
            targetFileBytes: options.targetFileBytes, maxOpenFiles: 1)
        let written: [WrittenFile]
        do {
            for group in chosen {
                for file in group {
                    try await forEachBatch(ofDataFile: file.filePath, schema: columnar, table: table) { batch throws(TableError) in
                        try await writer.write(batch)
                    }
                }
            }
            written = try await writer.finish()
        } catch {
            await deleteQuietly(writer.abort())
            throw error
        }
        let removing = chosen.flatMap { $0.map(\.filePath) }
        let adding = written.map(\.dataFile)
        let snapshotId = Random.snapshotId()

        var unresolved = false
        do throws(TableError) {
            _ = try await commitMaintenance(table, unresolved: &unresolved) { current, attempt throws(TableError) in
                var entries: [String: [ManifestEntry]] = [:]
                let manifests = try await files.currentManifests(current.metadata)
                for manifest in manifests where manifest.content == 0 {
                    entries[manifest.manifestPath] = try await files.entries(manifest, metadata: current.metadata)
                }
                let base = CommitBase(
                    metadata: current.metadata, metadataLocation: current.metadataLocation, parentManifests: manifests,
                    snapshotId: snapshotId, timestampMs: max(WallClock.nowMs(), current.metadata.lastUpdatedMs),
                    commitUUID: Random.uuid(), attempt: attempt)
                let plan: CommitPlan
                do throws(IcebergError) {
                    plan = try CommitPlanner.planReplace(base, removing: removing, adding: adding, manifestEntries: entries)
                } catch {
                    throw TableError.iceberg(error, "planning the compaction", subject: table.description)
                }
                return MaintenancePlan(
                    files: plan.filesToWrite, metadata: plan.metadata, metadataLocation: plan.metadataLocation,
                    snapshotId: snapshotId)
            }
        } catch {
            if !unresolved { await deleteQuietly(written.map(\.key)) }
            throw error
        }
        return MaintenanceResult(snapshot: snapshotId, filesAdded: adding.count, filesRemoved: removing.count, filesDeleted: 0)
    }
}
