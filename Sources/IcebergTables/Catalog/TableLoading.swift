import Iceberg
import Synchronization
import Tables

/// A table as loaded from the catalog: the metadata file the catalog row points at, parsed.
struct LoadedTable: Sendable {
    var identifier: TableIdentifier
    var metadataLocation: String
    var metadata: TableMetadata
}

/// Metadata files, manifest lists and manifests are immutable once written, so each catalog
/// keeps the ones it read or wrote lately: a writer that commits again finds its own last
/// metadata without reading or parsing it, and planning reads each manifest once.
struct ReadCache: Sendable {
    private var metadata: [String: TableMetadata] = [:]
    private var metadataOrder: [String] = []
    private var lists: [String: [ManifestFile]] = [:]
    private var listOrder: [String] = []
    private var manifests: [String: [ManifestEntry]] = [:]
    private var manifestOrder: [String] = []

    static let metadataLimit = 8
    static let listLimit = 64
    static let manifestLimit = 4096

    func metadata(_ location: String) -> TableMetadata? { metadata[location] }
    func list(_ location: String) -> [ManifestFile]? { lists[location] }
    func manifest(_ location: String) -> [ManifestEntry]? { manifests[location] }

    mutating func remember(metadata value: TableMetadata, at location: String) {
        Self.insert(value, at: location, into: &metadata, order: &metadataOrder, limit: Self.metadataLimit)
    }
    mutating func remember(list value: [ManifestFile], at location: String) {
        Self.insert(value, at: location, into: &lists, order: &listOrder, limit: Self.listLimit)
    }
    mutating func remember(manifest value: [ManifestEntry], at location: String) {
        Self.insert(value, at: location, into: &manifests, order: &manifestOrder, limit: Self.manifestLimit)
    }

    private static func insert<V>(_ value: V, at key: String, into map: inout [String: V], order: inout [String], limit: Int) {
        if map.updateValue(value, forKey: key) == nil { order.append(key) }
        if order.count > limit {
            let drop = order.count - limit
            for old in order.prefix(drop) { map[old] = nil }
            order.removeFirst(drop)
        }
    }
}

/// Reads a table's files from the object store, through the cache.
final class TableFiles: Sendable {
    let store: any ObjectStore
    let cache = Mutex(ReadCache())

    init(store: any ObjectStore) {
        self.store = store
    }

    static let maxMetadataBytes = 256 << 20
    static let maxManifestBytes = 256 << 20

    func key(_ url: String) throws(TableError) -> ObjectKey {
        guard let key = store.key(ofURL: url) else {
            throw TableError(.unsupported, "the file is outside the lake's data path (\(store.rootURL))", subject: url)
        }
        return key
    }

    func metadata(at location: String) async throws(TableError) -> TableMetadata {
        if let cached = cache.withLock({ $0.metadata(location) }) { return cached }
        let bytes = try await store.get(try key(location), limit: Self.maxMetadataBytes)
        let metadata: TableMetadata
        do {
            metadata = try TableMetadata(jsonBytes: bytes)
            try metadata.validate()
        } catch {
            throw TableError.iceberg(error, "reading table metadata", subject: location)
        }
        remember(metadata, at: location)
        return metadata
    }

    func remember(_ metadata: TableMetadata, at location: String) {
        cache.withLock { $0.remember(metadata: metadata, at: location) }
    }

    func rememberList(_ manifests: [ManifestFile], at location: String) {
        cache.withLock { $0.remember(list: manifests, at: location) }
    }

    /// The manifests of a snapshot's manifest list.
    func manifestList(_ location: String) async throws(TableError) -> [ManifestFile] {
        if let cached = cache.withLock({ $0.list(location) }) { return cached }
        let bytes = try await store.get(try key(location), limit: Self.maxManifestBytes)
        let manifests: [ManifestFile]
        do {
            manifests = try Manifests.readManifestList(bytes: bytes, path: location).manifests
        } catch {
            throw TableError.iceberg(error, "reading a manifest list", subject: location)
        }
        rememberList(manifests, at: location)
        return manifests
    }

    /// The current snapshot's manifests (none for a table without snapshots).
    func currentManifests(_ metadata: TableMetadata) async throws(TableError) -> [ManifestFile] {
        guard let snapshot = metadata.currentSnapshot else { return [] }
        return try await manifestList(snapshot.manifestList)
    }

    /// A manifest's entries as written (numbers not inherited), typed with the manifest's spec
    /// and the table's current schema.
    func entries(_ manifest: ManifestFile, metadata: TableMetadata) async throws(TableError) -> [ManifestEntry] {
        let location = manifest.manifestPath
        if let cached = cache.withLock({ $0.manifest(location) }) { return cached }
        let bytes = try await store.get(try key(location), limit: Self.maxManifestBytes)
        let entries: [ManifestEntry]
        do {
            entries = try Manifests.readManifest(
                bytes: bytes, path: location, spec: metadata.spec(id: Int(manifest.partitionSpecId)),
                schema: metadata.currentSchema
            ).entries
        } catch {
            throw TableError.iceberg(error, "reading a manifest", subject: location)
        }
        cache.withLock { $0.remember(manifest: entries, at: location) }
        return entries
    }

    func rememberEntries(_ entries: [ManifestEntry], at location: String) {
        cache.withLock { $0.remember(manifest: entries, at: location) }
    }

    /// Live data files of the current snapshot, with inherited numbers, and the spec id of
    /// the manifest each came from.
    func liveDataFiles(_ metadata: TableMetadata) async throws(TableError) -> [(entry: ManifestEntry, specId: Int)] {
        var out: [(ManifestEntry, Int)] = []
        for manifest in try await currentManifests(metadata) where manifest.content == 0 {
            for entry in try await entries(manifest, metadata: metadata) where entry.status.isLive {
                out.append((entry.inheriting(from: manifest), Int(manifest.partitionSpecId)))
            }
        }
        return out
    }

    /// Whether the current snapshot holds delete files (which this implementation does not apply).
    func hasDeleteFiles(_ metadata: TableMetadata) async throws(TableError) -> Bool {
        try await currentManifests(metadata).contains { $0.content != 0 && $0.addedFilesCount + $0.existingFilesCount > 0 }
    }
}
