/// Where a lake is, as `--lake` spells it:
/// - `ducklake:sqlite:PATH`, `ducklake:postgres:postgresql://…` (or libpq `key=value …`),
/// - `iceberg:sqlite:PATH`, `iceberg:postgres:postgresql://…`,
/// - `hive:DIR`.
/// Data files go to `dataPath` (`--data-path`), by default beside the catalog: `PATH.files/`
/// for a SQLite catalog, the folder itself for `hive:`.
public struct LakeLocation: Sendable, Hashable, CustomStringConvertible {
    public enum Format: String, Sendable { case ducklake, iceberg, hive }
    public enum Catalog: Sendable, Hashable {
        /// A SQLite database file (absolute or relative path).
        case sqlite(path: String)
        /// A PostgreSQL connection string, passed to the Database module as written.
        case postgres(connection: String)
        /// No catalog (Hive-style folders).
        case none
    }

    public let format: Format
    public let catalog: Catalog
    /// Folder (or later URL) of the data files.
    public let dataPath: String

    /// The embedded default: a DuckLake with a SQLite catalog under `./lakegate-data`.
    public static func embedded(root: String = "lakegate-data") -> LakeLocation {
        LakeLocation(format: .ducklake, catalog: .sqlite(path: root + "/catalog.sqlite"), dataPath: root + "/files")
    }

    public init(format: Format, catalog: Catalog, dataPath: String) {
        self.format = format
        self.catalog = catalog
        self.dataPath = dataPath
    }

    public init(parsing text: String, dataPath: String? = nil) throws(TableError) {
        let usage =
            "--lake is ducklake:sqlite:PATH, ducklake:postgres:URL, iceberg:sqlite:PATH, iceberg:postgres:URL or hive:DIR"
        guard let colon = text.firstIndex(of: ":"), let format = Format(rawValue: String(text[..<colon])) else {
            throw TableError(.invalidArgument, usage)
        }
        let rest = String(text[text.index(after: colon)...])
        if format == .hive {
            guard !rest.isEmpty else { throw TableError(.invalidArgument, usage) }
            self.init(format: .hive, catalog: .none, dataPath: dataPath ?? rest)
            return
        }
        if rest.hasPrefix("sqlite:") {
            let path = String(rest.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw TableError(.invalidArgument, usage) }
            self.init(format: format, catalog: .sqlite(path: path), dataPath: dataPath ?? path + ".files")
        } else if rest.hasPrefix("postgres:") {
            let connection = String(rest.dropFirst("postgres:".count))
            guard !connection.isEmpty else { throw TableError(.invalidArgument, usage) }
            guard let dataPath else {
                throw TableError(.invalidArgument, "a PostgreSQL catalog needs --data-path (where the data files go)")
            }
            self.init(format: format, catalog: .postgres(connection: connection), dataPath: dataPath)
        } else {
            throw TableError(.invalidArgument, usage)
        }
    }

    /// The location without secrets: a PostgreSQL password is never printed.
    public var description: String {
        switch catalog {
        case .sqlite(let path): return "\(format.rawValue):sqlite:\(path) (data in \(dataPath))"
        case .postgres: return "\(format.rawValue):postgres (data in \(dataPath))"
        case .none: return "hive:\(dataPath)"
        }
    }
}
