// IcebergTables: Iceberg v2 tables in a SQL catalog, behind the TableCatalog protocol.
//
// The catalog database holds pyiceberg's SqlCatalog tables (so pyiceberg, and through it
// other engines, open the same tables) and Lakegate's `lakegate_commits` (idempotency keys).
// Data, manifests and metadata files go to an ObjectStore rooted at the lake's data path.
//
//   IcebergCatalog.swift       opening, tables, descriptions, history, files, drop
//   Catalog/CatalogTables      the SQL: DDL, rows, the compare-and-swap commit transaction
//   Catalog/TableLoading       metadata, manifest lists and manifests from storage, cached
//   Catalog/CommitLoop         optimistic commits: plan, write, swap, retry, unknown outcomes
//   Catalog/ManifestMerging    appends fold many small manifests into one (bounded lists)
//   Write/                     appends: batches cast to the table schema, partitioned Parquet
//                              files with Iceberg metrics
//   Scan/                      planning a scan: pruning by partition values and column bounds;
//                              reading data files by field id
//   Maintenance/               compaction (a replace snapshot), snapshot expiry, orphan sweeping
//   PartitionFields            `day(event_time)`, `bucket[16](id)`, … to Iceberg transforms

public import Columnar
public import Database
import Iceberg
public import Parquet
public import Tables

/// How an `IcebergCatalog` writes and commits.
public struct IcebergCatalogOptions: Sendable {
    /// Parquet settings of data files (zstd, as pyiceberg writes by default).
    public var parquet: ParquetWriteOptions
    /// A data file is closed once it reaches this many bytes.
    public var targetFileBytes: Int
    /// Partitions written at once by one append; past it the oldest file is closed early.
    public var maxOpenFiles: Int
    /// Tries of one commit against concurrent commits before giving up with `.conflict`.
    public var maxCommitAttempts: Int
    /// The first retry waits up to this long, doubling each time up to `maxRetryDelay`
    /// (each wait a random part of it, so writers that collided spread out).
    public var retryDelay: Duration
    public var maxRetryDelay: Duration
    /// Compaction merges the files of a partition smaller than this (default: 3/4 of the target).
    public var smallFileBytes: Int?
    /// Expiry deletes objects no snapshot names only once they are this old: an append in
    /// progress has written files that its commit has not named yet.
    public var orphanGraceSeconds: Double
    /// An append merges the current snapshot's small data manifests into one once there are
    /// this many (a table's `commit.manifest.min-count-to-merge` wins; nil: never).
    public var manifestMergeMinCount: Int?

    public init(
        parquet: ParquetWriteOptions = ParquetWriteOptions(codec: .zstd(level: 3)), targetFileBytes: Int = 128 << 20,
        maxOpenFiles: Int = 32, maxCommitAttempts: Int = 60, retryDelay: Duration = .milliseconds(2),
        maxRetryDelay: Duration = .milliseconds(250), smallFileBytes: Int? = nil,
        orphanGraceSeconds: Double = 3600, manifestMergeMinCount: Int? = 100
    ) {
        self.parquet = parquet
        self.targetFileBytes = targetFileBytes
        self.maxOpenFiles = maxOpenFiles
        self.maxCommitAttempts = maxCommitAttempts
        self.retryDelay = retryDelay
        self.maxRetryDelay = maxRetryDelay
        self.smallFileBytes = smallFileBytes
        self.orphanGraceSeconds = orphanGraceSeconds
        self.manifestMergeMinCount = manifestMergeMinCount
    }
}

/// Iceberg v2 tables whose catalog is a SQL database laid out as pyiceberg's `SqlCatalog`
/// (SQLite or PostgreSQL). Every change is one snapshot, installed by one transaction that
/// moves the table's metadata pointer if nobody moved it first (and records the idempotency
/// key); a writer that lost the race reloads the table, plans again and retries.
///
/// The object store must be rooted at the lake's data path: a table `ns.t` lives under
/// `<data path>/ns/t/` (`data/` and `metadata/`), and its location is the store's URL of it.
public final class IcebergCatalog: TableCatalog, Sendable {
    public let location: LakeLocation
    public let catalogName: String
    public let options: IcebergCatalogOptions
    let store: any ObjectStore
    let database: any SQLDatabase
    let tables: CatalogTables
    let files: TableFiles

    init(
        location: LakeLocation, store: any ObjectStore, database: any SQLDatabase, catalogName: String,
        options: IcebergCatalogOptions
    ) {
        self.location = location
        self.store = store
        self.database = database
        self.catalogName = catalogName
        self.options = options
        self.tables = CatalogTables(database: database, catalogName: catalogName)
        self.files = TableFiles(store: store)
    }

    /// Opens (and creates, when missing) the catalog at `location`: a SQLite file or a
    /// PostgreSQL database. `catalogName` is the `catalog_name` of its rows, the name pyiceberg
    /// is given for the same catalog.
    public static func open(
        location: LakeLocation, store: any ObjectStore, catalogName: String = "lakegate",
        options: IcebergCatalogOptions = IcebergCatalogOptions()
    ) async throws(TableError) -> IcebergCatalog {
        let database: any SQLDatabase
        do {
            switch location.catalog {
            case .sqlite(let path):
                if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
                    try LocalObjectStore.makeDirectories(String(path[..<slash]))
                }
                database = try await SQLiteDatabase(configuration: SQLiteConfiguration(path: path))
            case .postgres(let connection):
                database = try await DatabaseURL.open(connection.hasPrefix("postgres:") ? connection : "postgres:" + connection)
            case .none:
                throw TableError(.invalidArgument, "an Iceberg lake needs a SQLite or PostgreSQL catalog")
            }
        } catch {
            throw TableError.database(error, "opening the catalog")
        }
        do {
            return try await open(
                database: database, location: location, store: store, catalogName: catalogName, options: options)
        } catch {
            try? await database.close()
            throw error
        }
    }

    /// Opens the catalog in a database the caller opened (and closes with the catalog).
    public static func open(
        database: any SQLDatabase, location: LakeLocation, store: any ObjectStore, catalogName: String = "lakegate",
        options: IcebergCatalogOptions = IcebergCatalogOptions()
    ) async throws(TableError) -> IcebergCatalog {
        guard location.format == .iceberg else {
            throw TableError(.invalidArgument, "\(location) is not an Iceberg lake")
        }
        guard !catalogName.isEmpty, catalogName.utf8.count <= 255 else {
            throw TableError(.invalidArgument, "a catalog name has 1 to 255 bytes")
        }
        let catalog = IcebergCatalog(
            location: location, store: store, database: database, catalogName: catalogName, options: options)
        try await catalog.tables.createIfMissing()
        return catalog
    }

    public func close() async {
        try? await database.close()
    }

    // MARK: Tables

    func tableKey(_ table: TableIdentifier) throws(TableError) -> ObjectKey {
        try ObjectKey(table.namespace + "/" + table.name)
    }

    /// The table as the catalog row says now; nil when there is no such table.
    func loadIfExists(_ table: TableIdentifier) async throws(TableError) -> LoadedTable? {
        guard let location = try await tables.metadataLocation(table) else { return nil }
        return LoadedTable(identifier: table, metadataLocation: location, metadata: try await files.metadata(at: location))
    }

    func load(_ table: TableIdentifier) async throws(TableError) -> LoadedTable {
        guard let loaded = try await loadIfExists(table) else {
            throw TableError(.notFound, "no such table in catalog \(catalogName)", subject: table.description)
        }
        return loaded
    }

    public func listTables() async throws(TableError) -> [TableIdentifier] {
        // pyiceberg allows dotted (nested) namespaces; Lakegate's names do not, so those are skipped.
        try await tables.listTables().compactMap { try? TableIdentifier(namespace: $0.namespace, name: $0.name) }
    }

    public func createTable(_ table: TableIdentifier, schema: Schema, partitionBy: [String]) async throws(TableError) {
        if try await tables.metadataLocation(table) != nil { return }
        var fields: [UnboundPartitionField] = []
        for text in partitionBy { fields.append(try PartitionFields.parse(text)) }
        let key = try tableKey(table)
        let now = WallClock.nowMs()
        let metadata: TableMetadata
        do {
            metadata = try TableMetadata.newTable(
                schema: schema, partitionBy: fields, location: store.url(of: key), tableUUID: Random.uuid(), timestampMs: now)
        } catch {
            throw TableError.iceberg(error, "creating the table's metadata", subject: table.description)
        }
        let metadataLocation = metadata.nextMetadataLocation(after: nil, uuid: Random.uuid())
        let metadataKey = try files.key(metadataLocation)
        try await store.put(metadataKey, metadata.jsonBytes)
        try await tables.createNamespace(table.namespace)
        if try await tables.insertTable(table, metadataLocation: metadataLocation) {
            files.remember(metadata, at: metadataLocation)
        } else {
            try? await store.delete(metadataKey)  // another creator won; its table stays as it is
        }
    }

    public func describe(_ table: TableIdentifier) async throws(TableError) -> TableDescription? {
        guard let loaded = try await loadIfExists(table) else { return nil }
        let metadata = loaded.metadata
        let schema = try currentSchema(loaded)
        var records: Int
        var fileCount: Int
        var bytes: Int
        let summary = metadata.currentSnapshot?.summary
        if metadata.currentSnapshot == nil {
            (records, fileCount, bytes) = (0, 0, 0)
        } else if let summary, let r = summary.count(CommitPlanner.SummaryKey.totalRecords),
            let f = summary.count(CommitPlanner.SummaryKey.totalDataFiles),
            let b = summary.count(CommitPlanner.SummaryKey.totalFilesSize)
        {
            (records, fileCount, bytes) = (Int(r), Int(f), Int(b))
        } else {
            // Another engine left the totals out: count the live files.
            let live = try await files.liveDataFiles(metadata)
            records = live.reduce(0) { $0 + Int($1.entry.dataFile.recordCount) }
            fileCount = live.count
            bytes = live.reduce(0) { $0 + Int($1.entry.dataFile.fileSizeInBytes) }
        }
        let spec = metadata.defaultSpec ?? .unpartitioned
        return TableDescription(
            identifier: table, schema: schema.columnarSchema(),
            partitionBy: PartitionFields.describe(spec, schema: schema), currentSnapshot: metadata.currentSnapshotId,
            recordCount: records, fileCount: fileCount, totalBytes: bytes,
            properties: [
                ("format", "iceberg"), ("format-version", String(metadata.formatVersion)), ("location", metadata.location),
                ("metadata_location", loaded.metadataLocation), ("table-uuid", metadata.tableUUID),
                ("catalog", catalogName), ("current-schema-id", String(metadata.currentSchemaId)),
                ("last-sequence-number", String(metadata.lastSequenceNumber)),
                ("snapshots", String(metadata.snapshots.count)),
            ])
    }

    func currentSchema(_ loaded: LoadedTable) throws(TableError) -> IcebergSchema {
        do {
            return try loaded.metadata.requireCurrentSchema()
        } catch {
            throw TableError.iceberg(error, "reading the table's schema", subject: loaded.identifier.description)
        }
    }

    public func history(_ table: TableIdentifier) async throws(TableError) -> [SnapshotDescription] {
        let loaded = try await load(table)
        let keys = try await tables.keys(table)
        return loaded.metadata.snapshots.sorted { ($0.sequenceNumber, $0.timestampMs) < ($1.sequenceNumber, $1.timestampMs) }
            .map { snapshot in
                let properties = snapshot.summary.properties.pairs.filter { $0.key != Self.messageProperty }
                var summary = properties.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
                if let message = snapshot.summary[Self.messageProperty] { summary = message + " (" + summary + ")" }
                return SnapshotDescription(
                    id: snapshot.snapshotId, timestamp: Double(snapshot.timestampMs) / 1000,
                    operation: snapshot.summary.operationName, summary: summary, idempotencyKey: keys[snapshot.snapshotId])
            }
    }

    /// The snapshot summary property that holds a commit's message.
    static let messageProperty = "lakegate.message"

    public func files(_ table: TableIdentifier) async throws(TableError) -> [DataFileDescription] {
        let loaded = try await load(table)
        let schema = try currentSchema(loaded)
        var out: [DataFileDescription] = []
        for (entry, specId) in try await files.liveDataFiles(loaded.metadata) {
            let file = entry.dataFile
            var partition: [String] = []
            if let spec = loaded.metadata.spec(id: specId), let path = try? spec.partitionPath(file.partition, schema: schema),
                !path.isEmpty
            {
                partition = path.split(separator: "/").map(String.init)
            }
            out.append(
                DataFileDescription(
                    url: file.filePath, recordCount: Int(file.recordCount), fileSize: Int(file.fileSizeInBytes),
                    partition: partition))
        }
        return out
    }

    public func dropTable(_ table: TableIdentifier) async throws(TableError) {
        guard try await tables.deleteTable(table) else {
            throw TableError(.notFound, "no such table in catalog \(catalogName)", subject: table.description)
        }
        // Purge: everything under the table's folder (data, manifests, lists, metadata).
        let prefix = try tableKey(table)
        for object in try await store.list(under: prefix) { try await store.delete(object.key) }
    }
}
