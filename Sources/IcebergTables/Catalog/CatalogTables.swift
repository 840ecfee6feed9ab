import Database
import Tables

/// The SQL side of the catalog: pyiceberg's SqlCatalog tables (`iceberg_tables`,
/// `iceberg_namespace_properties`, created exactly as SQLAlchemy creates them, so pyiceberg
/// opens the same database) and Lakegate's `lakegate_commits` (idempotency keys, written in
/// the transaction that moves a table's metadata pointer). Keys are unique in the database:
/// a key committed to one table makes a commit with that key to any table a no-op.
struct CatalogTables: Sendable {
    let database: any SQLDatabase
    let catalogName: String

    static let schema = """
        CREATE TABLE IF NOT EXISTS iceberg_tables (
        \tcatalog_name VARCHAR(255) NOT NULL, 
        \ttable_namespace VARCHAR(255) NOT NULL, 
        \ttable_name VARCHAR(255) NOT NULL, 
        \tmetadata_location VARCHAR(1000), 
        \tprevious_metadata_location VARCHAR(1000), 
        \ticeberg_type VARCHAR(5), 
        \tPRIMARY KEY (catalog_name, table_namespace, table_name)
        );
        CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (
        \tcatalog_name VARCHAR(255) NOT NULL, 
        \tnamespace VARCHAR(255) NOT NULL, 
        \tproperty_key VARCHAR(255) NOT NULL, 
        \tproperty_value VARCHAR(1000) NOT NULL, 
        \tPRIMARY KEY (catalog_name, namespace, property_key)
        );
        CREATE TABLE IF NOT EXISTS lakegate_commits (
        \tidempotency_key VARCHAR(1000) NOT NULL PRIMARY KEY, 
        \tcatalog_name VARCHAR(255) NOT NULL, 
        \ttable_namespace VARCHAR(255) NOT NULL, 
        \ttable_name VARCHAR(255) NOT NULL, 
        \tsnapshot_id BIGINT NOT NULL, 
        \tcommitted_at BIGINT NOT NULL
        )
        """

    /// Creates the tables that are missing. Two processes creating them at once on PostgreSQL
    /// can collide in its catalog (a unique violation on pg_type): the loser tries again.
    func createIfMissing() async throws(TableError) {
        var attempt = 0
        while true {
            do {
                try await database.withConnection { try await $0.executeScript(Self.schema) }
                break
            } catch let error as DatabaseError where error.kind == .uniqueViolation && attempt < 3 {
                attempt += 1
            } catch {
                throw TableError.database(error, "creating the catalog tables")
            }
        }
        // DuckLake catalogs keep their own `lakegate_commits`, with other columns: one
        // database cannot hold both kinds of lake.
        do {
            _ = try await database.query(
                "SELECT idempotency_key, catalog_name, table_namespace, table_name, snapshot_id, committed_at "
                    + "FROM lakegate_commits WHERE 1 = 0")
        } catch {
            throw TableError(
                .unsupported,
                "the database's lakegate_commits table is not an Iceberg catalog's (a DuckLake catalog?); "
                    + "give the Iceberg catalog a database of its own")
        }
    }

    func binds(_ table: TableIdentifier) -> [SQLValue] {
        [.text(catalogName), .text(table.namespace), .text(table.name)]
    }

    static let whereTable = "catalog_name = ? AND table_namespace = ? AND table_name = ?"

    /// The table's current metadata file, nil when the catalog has no such table.
    func metadataLocation(_ table: TableIdentifier) async throws(TableError) -> String? {
        do {
            let rows = try await database.query(
                "SELECT metadata_location FROM iceberg_tables WHERE \(Self.whereTable)", binds(table))
            guard let row = rows.first else { return nil }
            guard case .text(let location) = try row.value(0) else {
                throw TableError(.corrupt, "the catalog row has no metadata_location", subject: table.description)
            }
            return location
        } catch {
            throw TableError.database(error, "reading the table's metadata location", subject: table.description)
        }
    }

    func listTables() async throws(TableError) -> [(namespace: String, name: String)] {
        do {
            let rows = try await database.query(
                "SELECT table_namespace, table_name FROM iceberg_tables WHERE catalog_name = ? ORDER BY table_namespace, table_name",
                [.text(catalogName)])
            return try rows.map { (try $0.string(0), try $0.string(1)) }
        } catch {
            throw TableError.database(error, "listing tables")
        }
    }

    /// Records the namespace as pyiceberg does (`exists` = `true`), unless it is known already.
    func createNamespace(_ namespace: String) async throws(TableError) {
        do {
            try await database.execute(
                "INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, property_value) "
                    + "VALUES (?, ?, 'exists', 'true') ON CONFLICT DO NOTHING",
                [.text(catalogName), .text(namespace)])
        } catch {
            throw TableError.database(error, "creating the namespace", subject: namespace)
        }
    }

    /// Inserts the table's row; false when a row is there already (another creator won).
    func insertTable(_ table: TableIdentifier, metadataLocation: String) async throws(TableError) -> Bool {
        do {
            try await database.execute(
                "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, "
                    + "previous_metadata_location, iceberg_type) VALUES (?, ?, ?, ?, NULL, 'TABLE')",
                binds(table) + [.text(metadataLocation)])
            return true
        } catch let error as DatabaseError where error.kind == .uniqueViolation {
            return false
        } catch {
            throw TableError.database(error, "creating the table", subject: table.description)
        }
    }

    /// Removes the table's row and its idempotency keys; false when there was no row.
    func deleteTable(_ table: TableIdentifier) async throws(TableError) -> Bool {
        do {
            return try await database.transaction { conn in
                let deleted = try await conn.execute("DELETE FROM iceberg_tables WHERE \(Self.whereTable)", binds(table))
                try await conn.execute("DELETE FROM lakegate_commits WHERE \(Self.whereTable)", binds(table))
                return deleted > 0
            }
        } catch {
            throw TableError.database(error, "dropping the table", subject: table.description)
        }
    }

    /// The snapshot an idempotency key committed, nil when it has not been used.
    func committedSnapshot(key: String) async throws(TableError) -> Int64? {
        do {
            let rows = try await database.query(
                "SELECT snapshot_id FROM lakegate_commits WHERE idempotency_key = ?", [.text(key)])
            return try rows.first?.int64(0)
        } catch {
            throw TableError.database(error, "looking up an idempotency key")
        }
    }

    /// Idempotency keys of the table's snapshots.
    func keys(_ table: TableIdentifier) async throws(TableError) -> [Int64: String] {
        do {
            let rows = try await database.query(
                "SELECT snapshot_id, idempotency_key FROM lakegate_commits WHERE \(Self.whereTable)", binds(table))
            var out: [Int64: String] = [:]
            for row in rows { out[try row.int64(0)] = try row.string(1) }
            return out
        } catch {
            throw TableError.database(error, "reading idempotency keys", subject: table.description)
        }
    }

    /// What one compare-and-swap of a table's metadata pointer came to.
    enum SwapOutcome: Sendable {
        /// The pointer moved (and the key, if any, was recorded).
        case swapped
        /// The table's metadata is no longer the one the commit started from.
        case stale
        /// The idempotency key was committed before, by this snapshot.
        case keyCommitted(snapshot: Int64)
        /// The transaction failed before COMMIT in a way that may pass on a new try
        /// (busy, serialization failure, a lost connection, a key inserted concurrently).
        case transient(DatabaseError)
        /// The connection died during COMMIT: the swap may or may not have happened.
        case unknown(DatabaseError)
    }

    /// Moves the table's pointer from `old` to `new` in one transaction, recording `key`.
    func swap(
        _ table: TableIdentifier, from old: String, to new: String, key: String?, snapshotId: Int64?
    ) async throws(TableError) -> SwapOutcome {
        do {
            return try await database.transaction { conn -> SwapOutcome in
                if let key,
                    let row = try await conn.queryFirst(
                        "SELECT snapshot_id FROM lakegate_commits WHERE idempotency_key = ?", [.text(key)])
                {
                    return .keyCommitted(snapshot: try row.int64(0))
                }
                let updated = try await conn.execute(
                    "UPDATE iceberg_tables SET metadata_location = ?, previous_metadata_location = ? "
                        + "WHERE \(Self.whereTable) AND metadata_location = ?",
                    [.text(new), .text(old)] + binds(table) + [.text(old)])
                guard updated == 1 else { return .stale }
                if let key {
                    try await conn.execute(
                        "INSERT INTO lakegate_commits (idempotency_key, catalog_name, table_namespace, table_name, "
                            + "snapshot_id, committed_at) VALUES (?, ?, ?, ?, ?, ?)",
                        [.text(key)] + binds(table) + [.integer(snapshotId ?? 0), .integer(WallClock.nowMs())])
                }
                return .swapped
            }
        } catch let error as DatabaseError {
            switch error.kind {
            case .connectionLost(outcomeUnknown: true): return .unknown(error)
            case .connectionLost, .busy, .serializationFailure, .uniqueViolation: return .transient(error)
            default: throw TableError.database(error, "committing", subject: table.description)
            }
        } catch {
            throw TableError.database(error, "committing", subject: table.description)
        }
    }
}
