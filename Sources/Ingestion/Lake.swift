import Database
import DuckLake
import HiveTables
import IcebergTables
public import S3
import StorageS3
import Tables

/// Opens a lake's catalog over the store its data files live in.
public enum Lake {
    public static func open(_ location: LakeLocation, store: any ObjectStore, catalogName: String = "lakegate") async throws
        -> any TableCatalog
    {
        switch location.format {
        case .hive:
            return HiveCatalog(location: location, store: store)
        case .iceberg:
            return try await IcebergCatalog.open(location: location, store: store, catalogName: catalogName)
        case .ducklake:
            return try await DuckLakeCatalog.open(location: location, store: store, author: "lakegate")
        }
    }

    /// A lake on the local filesystem: its catalog's folder and data folder are created.
    public static func openLocal(_ location: LakeLocation, catalogName: String = "lakegate") async throws -> any TableCatalog {
        try await open(location, s3: nil, catalogName: catalogName)
    }

    /// A lake whose data files are in a local folder, or in a bucket when its data path is
    /// `s3://bucket/prefix` (then `s3` is the client to reach it). A SQLite catalog's folder is
    /// created when missing.
    public static func open(_ location: LakeLocation, s3: S3Client?, catalogName: String = "lakegate") async throws -> any TableCatalog {
        let store = try dataStore(location, s3: s3)
        try makeCatalogFolder(location)
        return try await open(location, store: store, catalogName: catalogName)
    }

    public static func makeCatalogFolder(_ location: LakeLocation) throws {
        if case .sqlite(let path) = location.catalog, let slash = path.lastIndex(of: "/") {
            _ = try LocalObjectStore(root: String(path[..<slash]))
        }
    }

    /// The store the lake's data files are in: its folder (created when missing) or its bucket.
    public static func dataStore(_ location: LakeLocation, s3: S3Client?) throws -> any ObjectStore {
        guard let bucket = dataBucket(location) else { return try LocalObjectStore(root: location.dataPath) }
        guard let s3 else { throw TableError(.invalidArgument, "data files in \(location.dataPath) need an S3 connection") }
        let prefix = bucket.prefix.hasSuffix("/") ? String(bucket.prefix.dropLast()) : bucket.prefix
        return try S3ObjectStore(client: s3, bucket: bucket.bucket, prefix: prefix.isEmpty ? nil : try ObjectKey(prefix))
    }

    /// The bucket and key prefix of an `s3://` data path, nil for a folder.
    public static func dataBucket(_ location: LakeLocation) -> (bucket: String, prefix: String)? {
        guard location.dataPath.hasPrefix("s3://") else { return nil }
        let rest = location.dataPath.dropFirst("s3://".count)
        let bucket = String(rest.prefix { $0 != "/" })
        return (bucket, String(rest.dropFirst(bucket.count).drop { $0 == "/" }))
    }

    /// Where jobs and the embedded queue live: the lake's own catalog database when it has one
    /// (one source of truth, one backup), else `fallback` (a SQLite file for Hive folders).
    public static func stateDatabase(for location: LakeLocation, fallback: String) -> String {
        switch location.catalog {
        case .sqlite(let path): "sqlite:" + path
        case .postgres(let connection): connection
        case .none: fallback
        }
    }
}
