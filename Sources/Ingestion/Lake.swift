import Database
import DuckLake
import HiveTables
import IcebergTables
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
        if case .sqlite(let path) = location.catalog, let slash = path.lastIndex(of: "/") {
            _ = try LocalObjectStore(root: String(path[..<slash]))
        }
        return try await open(location, store: try LocalObjectStore(root: location.dataPath), catalogName: catalogName)
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
