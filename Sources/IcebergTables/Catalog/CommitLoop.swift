import Iceberg
import Tables

// Optimistic commits. Each attempt loads the table as the catalog row says now, plans the new
// snapshot against it with the CommitPlanner, writes the manifests, manifest list and metadata
// file, and runs one transaction that moves the row's pointer only if it still points where
// the attempt started (recording the idempotency key in the same transaction). An attempt that
// lost the race deletes its list and metadata file (nothing can reference them) and the next
// one plans again; an append keeps its manifests, which hold no snapshot numbers.
//
// When the connection dies during COMMIT the attempt may have landed. Nothing it wrote is
// deleted then, and before going on the commit finds out: by its idempotency key when it has
// one (the key row is written in the same transaction), else by looking for its snapshot or
// metadata file in the table.

extension IcebergCatalog {
    /// Waits before retry `attempt` (1, 2, …): a random part of a delay that doubles each time.
    func backoff(_ attempt: Int) async {
        func seconds(_ d: Duration) -> Double {
            Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        let base = seconds(options.retryDelay) * Double(1 << min(attempt - 1, 20))
        let delay = min(base, seconds(options.maxRetryDelay))
        let wait = Double.random(in: (delay / 2)...max(delay, delay / 2 + 1e-9))
        try? await Task.sleep(for: .nanoseconds(Int64(wait * 1e9)))
    }

    func put(_ file: PlannedFile) async throws(TableError) -> ObjectKey {
        let key = try files.key(file.path)
        try await store.put(key, file.bytes)
        return key
    }

    /// Deletes objects nothing references; failures only leave orphans behind.
    func deleteQuietly(_ keys: [ObjectKey]) async {
        for key in keys { try? await store.delete(key) }
    }

    func unknownOutcome(_ table: TableIdentifier) -> TableError {
        TableError(
            .io,
            "the catalog connection died while committing and the outcome could not be checked; "
                + "the written files were kept (retry the commit with the same idempotency key)",
            subject: table.description)
    }
}

/// The commit of one append (see the comment at the top of this file).
final class AppendCommit {
    let catalog: IcebergCatalog
    let table: TableIdentifier
    /// The schema the data files were written with (field ids in the files).
    let schema: IcebergSchema
    let specId: Int
    let files: [WrittenFile]
    let key: String?
    let message: String?

    private let snapshotId = Random.snapshotId()
    /// Manifests written by an earlier attempt (reused while the default spec stays).
    private var manifests: [WrittenManifest]?
    private var manifestKeys: [ObjectKey] = []
    /// Whether an attempt's COMMIT had an unknown outcome: nothing may be deleted then until
    /// the commit knows it did not land.
    private var outcomeUnknown = false

    init(
        catalog: IcebergCatalog, table: TableIdentifier, schema: IcebergSchema, specId: Int, files: [WrittenFile],
        key: String?, message: String?
    ) {
        self.catalog = catalog
        self.table = table
        self.schema = schema
        self.specId = specId
        self.files = files
        self.key = key
        self.message = message
    }

    var committed: CommitOutcome {
        .committed(snapshot: snapshotId, files: files.count, rows: files.reduce(0) { $0 + Int($1.dataFile.recordCount) })
    }

    func run() async throws(TableError) -> CommitOutcome {
        do {
            return try await attempts()
        } catch {
            if !outcomeUnknown { await discard() }
            throw error
        }
    }

    /// Deletes everything this commit wrote (it is known not to be part of the table).
    private func discard() async {
        await catalog.deleteQuietly(files.map(\.key) + manifestKeys)
    }

    /// The outcome when the key turns out to be committed: ours (an attempt whose outcome was
    /// unknown landed) or another commit's, whose files stay while ours go.
    private func keyCommitted(by snapshot: Int64) async -> CommitOutcome {
        if snapshot == snapshotId { return committed }
        await discard()
        return .alreadyCommitted(snapshot: snapshot)
    }

    private func attempts() async throws(TableError) -> CommitOutcome {
        let dataFiles = files.map(\.dataFile)
        for attempt in 0..<max(1, catalog.options.maxCommitAttempts) {
            if attempt > 0 { await catalog.backoff(attempt) }
            let wasUnknown = outcomeUnknown
            if let key {
                // A connection still down throws here, before anything is deleted.
                if let snapshot = try await catalog.tables.committedSnapshot(key: key) {
                    return await keyCommitted(by: snapshot)
                }
                outcomeUnknown = false  // the key row would be there had it landed
            }
            let loaded = try await catalog.load(table)
            // Snapshot ids are random 63-bit numbers: this one in the table is this commit's
            // (an attempt whose COMMIT reply was lost, landed after all).
            if loaded.metadata.snapshot(id: snapshotId) != nil { return committed }
            if wasUnknown, key == nil { outcomeUnknown = false }
            let base = try evolvedBase(loaded)
            let commitUUID = Random.uuid()
            let merge = try await ManifestMerge.merge(
                try await catalog.files.currentManifests(base), metadata: base, snapshotId: snapshotId,
                commitUUID: commitUUID, files: catalog.files, table: table,
                defaultMinCount: catalog.options.manifestMergeMinCount)
            let commitBase = CommitBase(
                metadata: base, metadataLocation: loaded.metadataLocation, parentManifests: merge.manifests,
                snapshotId: snapshotId, timestampMs: max(WallClock.nowMs(), base.lastUpdatedMs),
                commitUUID: commitUUID, attempt: attempt)
            var plan: CommitPlan
            do {
                plan = try CommitPlanner.planAppend(commitBase, files: dataFiles, reusing: manifests)
            } catch {
                throw TableError.iceberg(error, "planning the append", subject: table.description)
            }
            if let message, let index = plan.metadata.snapshots.lastIndex(where: { $0.snapshotId == snapshotId }) {
                plan.metadata.snapshots[index].summary[IcebergCatalog.messageProperty] = message
            }
            if manifests == nil {
                for manifest in plan.newManifests { manifestKeys.append(try await catalog.put(manifest.file)) }
                manifests = plan.newManifests
            }
            var attemptKeys: [ObjectKey] = []
            if let merged = merge.written { attemptKeys.append(try await catalog.put(merged.file)) }
            attemptKeys.append(try await catalog.put(plan.manifestList))
            attemptKeys.append(try await catalog.put(plan.metadataFile))

            let outcome = try await catalog.tables.swap(
                table, from: loaded.metadataLocation, to: plan.metadataLocation, key: key, snapshotId: snapshotId)
            switch outcome {
            case .swapped:
                catalog.files.remember(plan.metadata, at: plan.metadataLocation)
                catalog.files.rememberList(plan.manifestFiles, at: plan.manifestList.path)
                for manifest in plan.newManifests {
                    catalog.files.rememberEntries(manifest.entries, at: manifest.file.path)
                }
                if let merged = merge.written { catalog.files.rememberEntries(merged.entries, at: merged.file.path) }
                return committed
            case .keyCommitted(let snapshot):
                await catalog.deleteQuietly(attemptKeys)
                return await keyCommitted(by: snapshot)
            case .stale, .transient:
                await catalog.deleteQuietly(attemptKeys)
            case .unknown:
                outcomeUnknown = true
            }
        }
        if outcomeUnknown {
            // The last attempt's outcome is unknown and cannot be checked any more here.
            throw catalog.unknownOutcome(table)
        }
        throw TableError(
            .conflict, "other writers committed first \(catalog.options.maxCommitAttempts) times; the append was dropped",
            subject: table.description)
    }

    /// The loaded metadata with the append's schema: the columns the append added get the
    /// same ids they have in the files, unless a concurrent commit took those ids.
    private func evolvedBase(_ loaded: LoadedTable) throws(TableError) -> TableMetadata {
        guard loaded.metadata.defaultSpecId == specId else {
            throw TableError(
                .conflict, "the table's partition spec changed while the append was written; write it again",
                subject: table.description)
        }
        let evolved: TableMetadata
        do {
            evolved = try loaded.metadata.evolvingSchema(toInclude: schema.columnarSchema()).metadata
        } catch {
            throw TableError.iceberg(error, "taking in the append's columns", subject: table.description)
        }
        guard let current = evolved.currentSchema else {
            throw TableError(.corrupt, "the evolved schema is missing", subject: table.description)
        }
        for field in schema.allFields where current.field(named: field.dottedName)?.id != field.id {
            throw TableError(
                .conflict,
                "a concurrent schema change gave column \(field.dottedName) another field id; write the append again",
                subject: table.description)
        }
        return evolved
    }
}

/// What a maintenance commit (compaction, expiry) writes for one attempt.
struct MaintenancePlan {
    var files: [PlannedFile]
    var metadata: TableMetadata
    var metadataLocation: String
    var snapshotId: Int64?
}

extension IcebergCatalog {
    /// Commits a maintenance change: `plan` is called with the table as loaded for each
    /// attempt and returns what to write (nil: nothing to do). Returns the table as the plan
    /// that landed started from, and that plan. `unresolved` is true when it throws after an
    /// attempt whose outcome is unknown (the caller must keep what that attempt references).
    func commitMaintenance(
        _ table: TableIdentifier, unresolved: inout Bool,
        plan makePlan: (LoadedTable, Int) async throws(TableError) -> MaintenancePlan?
    ) async throws(TableError) -> (before: LoadedTable, plan: MaintenancePlan)? {
        var pending: [(before: LoadedTable, plan: MaintenancePlan)] = []
        for attempt in 0..<max(1, options.maxCommitAttempts) {
            if attempt > 0 { await backoff(attempt) }
            let loaded = try await load(table)
            if !pending.isEmpty {
                // An attempt whose outcome was unknown and that landed is current or in the log.
                let logged = Set(loaded.metadata.metadataLog.map(\.metadataFile) + [loaded.metadataLocation])
                if let landed = pending.first(where: { logged.contains($0.plan.metadataLocation) }) {
                    unresolved = false
                    return landed
                }
                pending = []
                unresolved = false
            }
            guard let plan = try await makePlan(loaded, attempt) else { return nil }
            var written: [ObjectKey] = []
            for file in plan.files { written.append(try await put(file)) }
            switch try await tables.swap(table, from: loaded.metadataLocation, to: plan.metadataLocation, key: nil, snapshotId: nil) {
            case .swapped:
                files.remember(plan.metadata, at: plan.metadataLocation)
                return (loaded, plan)
            case .stale, .transient, .keyCommitted:
                await deleteQuietly(written)
            case .unknown:
                pending.append((loaded, plan))
                unresolved = true
            }
        }
        if unresolved { throw unknownOutcome(table) }
        throw TableError(
            .conflict, "other writers committed first \(options.maxCommitAttempts) times; the change was dropped",
            subject: table.description)
    }
}
