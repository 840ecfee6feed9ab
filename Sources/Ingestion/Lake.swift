import Database
import DuckLake
import HiveTables
import IcebergTables
public import LakegateConfiguration
public import S3
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
        try dataZone(location).objectStore(s3: s3)
    }

    /// Where the data files are, as a zone is named: a folder, or a bucket and key prefix for
    /// an `s3://` data path (validated like a zone by the configuration loader).
    public static func dataZone(_ location: LakeLocation) -> ZoneLocation {
        guard location.dataPath.hasPrefix("s3://") else { return .folder(location.dataPath) }
        let rest = location.dataPath.dropFirst("s3://".count)
        let bucket = String(rest.prefix { $0 != "/" })
        return .s3(bucket: bucket, prefix: String(rest.dropFirst(bucket.count).drop { $0 == "/" }))
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
