/// The outcome of expiring snapshots: the metadata without them, and which snapshots went.
public struct ExpiryPlan: Sendable {
    public var expired: [Snapshot]
    public var retained: [Snapshot]
    /// The metadata to install (the same as the base when nothing expired).
    public var metadata: TableMetadata
    public var metadataLocation: String
    public var metadataFile: PlannedFile { PlannedFile(path: metadataLocation, bytes: metadata.jsonBytes) }
    public var isEmpty: Bool { expired.isEmpty }
}

/// Files that no retained snapshot can reach, safe to delete once the expiry is committed.
public struct UnreachableFiles: Sendable, Hashable {
    public var manifestLists: [String]
    public var manifests: [String]
    public var dataFiles: [String]
}

extension CommitPlanner {
    /// Drops snapshots older than `olderThanMs`, except the current one, the heads of refs
    /// and the `retainLast` newest ancestors of the current snapshot. The snapshot log loses
    /// the expired entries and (as Java does) everything logged before one; statistics
    /// members that name an expired snapshot go too.
    public static func planExpiry(
        metadata: TableMetadata, metadataLocation: String?, olderThanMs: Int64, retainLast: Int = 1, timestampMs: Int64,
        uuid: String
    ) -> ExpiryPlan {
        let keep = protectedSnapshots(metadata, newest: retainLast)
        let pruned = pruning(metadata) { keep.contains($0.snapshotId) || $0.timestampMs >= olderThanMs }
        var next = pruned.metadata
        if !pruned.expired.isEmpty { advance(&next, from: metadataLocation, timestampMs: timestampMs) }
        return ExpiryPlan(
            expired: pruned.expired, retained: pruned.retained, metadata: next,
            metadataLocation: pruned.expired.isEmpty
                ? (metadataLocation ?? metadata.nextMetadataLocation(after: nil, uuid: uuid))
                : metadata.nextMetadataLocation(after: metadataLocation, uuid: uuid))
    }

    /// The property that bounds how many snapshots a commit keeps in the metadata (Lakegate's
    /// own: Iceberg leaves this to a separate expiry, see `retainingNewestSnapshots`).
    public static let maxSnapshotsProperty = "lakegate.history.max-snapshots"
    /// The bound when the table does not set `maxSnapshotsProperty`.
    public static let defaultMaxSnapshots = 100

    /// The metadata after a commit forgets all but the newest `lakegate.history.max-snapshots`
    /// ancestors of the current snapshot (the heads of refs stay too); `0` keeps everything.
    ///
    /// Every metadata file holds every snapshot it keeps and is rewritten whole on each commit,
    /// so without a bound a table that takes one commit per landed file pays more per commit as
    /// it ages. Only the metadata forgets: the files those snapshots alone reached stay until
    /// `tables expire` sweeps unreferenced objects, so a reader still holding an older metadata
    /// file can finish.
    public static func retainingNewestSnapshots(_ metadata: TableMetadata) -> TableMetadata {
        let limit = metadata.properties[maxSnapshotsProperty].flatMap { Int($0) } ?? defaultMaxSnapshots
        guard limit > 0, metadata.snapshots.count > limit else { return metadata }
        let keep = protectedSnapshots(metadata, newest: limit)
        return pruning(metadata) { keep.contains($0.snapshotId) }.metadata
    }

    /// The current snapshot, the heads of refs and the `newest` latest ancestors of the current one.
    static func protectedSnapshots(_ metadata: TableMetadata, newest: Int) -> Set<Int64> {
        var keep: Set<Int64> = Set(metadata.refs.map(\.snapshotId))
        if let current = metadata.currentSnapshotId { keep.insert(current) }
        let parents = Dictionary(
            metadata.snapshots.map { ($0.snapshotId, $0.parentSnapshotId) }, uniquingKeysWith: { first, _ in first })
        var walked: Set<Int64> = []
        var next = metadata.currentSnapshotId
        while walked.count < max(1, newest), let id = next, walked.insert(id).inserted, let parent = parents[id] {
            keep.insert(id)
            next = parent
        }
        return keep
    }

    /// The metadata without the snapshots `retain` refuses. The snapshot log loses the
    /// dropped entries and (as Java does) everything logged before one; statistics members
    /// that name a dropped snapshot go too.
    static func pruning(
        _ metadata: TableMetadata, retain: (Snapshot) -> Bool
    ) -> (metadata: TableMetadata, expired: [Snapshot], retained: [Snapshot]) {
        var expired: [Snapshot] = []
        var retained: [Snapshot] = []
        for snapshot in metadata.snapshots {
            if retain(snapshot) { retained.append(snapshot) } else { expired.append(snapshot) }
        }
        guard !expired.isEmpty else { return (metadata, expired, retained) }
        var next = metadata
        let gone = Set(expired.map(\.snapshotId))
        next.snapshots = retained
        var log: [SnapshotLogEntry] = []
        for entry in metadata.snapshotLog {
            if gone.contains(entry.snapshotId) { log.removeAll() } else { log.append(entry) }
        }
        next.snapshotLog = log
        next.otherMembers = metadata.otherMembers.map { member in
            guard member.key == "statistics" || member.key == "partition-statistics", let items = member.value.arrayValue
            else { return member }
            let kept = items.filter { item in
                guard let id = item["snapshot-id"]?.int64Value else { return true }
                return !gone.contains(id)
            }
            return IcebergJSONMember(member.key, .array(kept))
        }
        return (next, expired, retained)
    }

    /// The manifest lists, manifests and data files that only expired snapshots reach.
    ///
    /// `manifestLists` maps each snapshot's manifest list location to its entries, for every
    /// expired and retained snapshot; `manifestEntries` maps manifest locations to their
    /// entries, for every manifest those lists name. A file is unreachable when an expired
    /// snapshot's manifest names it and no retained snapshot's manifest lists it as live.
    public static func unreachableFiles(
        expired: [Snapshot], retained: [Snapshot], manifestLists: [String: [ManifestFile]],
        manifestEntries: [String: [ManifestEntry]]
    ) throws(IcebergError) -> UnreachableFiles {
        func list(_ snapshot: Snapshot) throws(IcebergError) -> [ManifestFile] {
            guard let manifests = manifestLists[snapshot.manifestList] else {
                throw IcebergError(.invalidArgument, "the manifest list of a snapshot was not given", path: snapshot.manifestList)
            }
            return manifests
        }
        func entries(_ path: String) throws(IcebergError) -> [ManifestEntry] {
            guard let entries = manifestEntries[path] else {
                throw IcebergError(.invalidArgument, "the entries of a manifest were not given", path: path)
            }
            return entries
        }
        var retainedManifests: Set<String> = []
        var retainedLists: Set<String> = []
        for snapshot in retained {
            retainedLists.insert(snapshot.manifestList)
            for manifest in try list(snapshot) { retainedManifests.insert(manifest.manifestPath) }
        }
        var expiredManifests: [String] = []
        var seen: Set<String> = []
        for snapshot in expired {
            for manifest in try list(snapshot) where !retainedManifests.contains(manifest.manifestPath) {
                if seen.insert(manifest.manifestPath).inserted { expiredManifests.append(manifest.manifestPath) }
            }
        }
        var live: Set<String> = []
        for path in retainedManifests.sorted() {
            for entry in try entries(path) where entry.status.isLive { live.insert(entry.dataFile.filePath) }
        }
        var dataFiles: [String] = []
        var candidates: Set<String> = []
        for path in expiredManifests {
            for entry in try entries(path) where !live.contains(entry.dataFile.filePath) {
                if candidates.insert(entry.dataFile.filePath).inserted { dataFiles.append(entry.dataFile.filePath) }
            }
        }
        var lists: [String] = []
        for snapshot in expired where !retainedLists.contains(snapshot.manifestList) { lists.append(snapshot.manifestList) }
        return UnreachableFiles(manifestLists: lists, manifests: expiredManifests, dataFiles: dataFiles)
    }
}
