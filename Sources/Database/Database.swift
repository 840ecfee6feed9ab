// The catalog database of Lakegate's lake tables: DuckLake and Iceberg SQL catalogs, job states,
// idempotency keys. One protocol, two implementations:
//   SQLiteDatabase    the embedded default: one file, WAL, BEGIN IMMEDIATE, safe across processes
//   PostgresDatabase  PostgreSQL at scale, through postgres-nio, with a small connection pool
// `DatabaseURL` turns a connection string into a `DatabaseConfiguration` and opens it.
//
// SQL text uses `?` placeholders for both; the PostgreSQL side rewrites them to $1, $2, ….
// The methods are `nonisolated(nonsending)`: they run on the caller's actor, so a transaction
// body may touch the caller's state without sending it anywhere.

/// Which SQL the database speaks, for the few statements that differ (upserts, types, DDL).
public enum SQLDialect: Sendable, Hashable {
    case sqlite
    case postgres
}

/// A connection lent to a `transaction` or `withConnection` body. Valid only inside that body.
public protocol SQLConnection: AnyObject {
    var dialect: SQLDialect { get }

    /// Runs one statement and returns the number of rows it inserted, updated or deleted.
    @discardableResult
    nonisolated(nonsending) func execute(_ sql: String, _ binds: [SQLValue]) async throws -> Int

    /// Runs one statement and returns its rows.
    nonisolated(nonsending) func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]

    /// Runs several statements separated by `;`, without binds (DDL, migrations).
    nonisolated(nonsending) func executeScript(_ sql: String) async throws
}

extension SQLConnection {
    @discardableResult
    public nonisolated(nonsending) func execute(_ sql: String) async throws -> Int {
        try await execute(sql, [])
    }

    public nonisolated(nonsending) func query(_ sql: String) async throws -> [SQLRow] {
        try await query(sql, [])
    }

    /// The first row, or nil when there is none.
    public nonisolated(nonsending) func queryFirst(_ sql: String, _ binds: [SQLValue] = []) async throws -> SQLRow? {
        try await query(sql, binds).first
    }
}

/// A catalog database. Sendable: share one object between tasks; each call leases a connection.
public protocol SQLDatabase: Sendable {
    var dialect: SQLDialect { get }

    /// Runs `body` in one transaction: BEGIN IMMEDIATE on SQLite (the writer lock up front, so the
    /// transaction never fails halfway for want of it), BEGIN on PostgreSQL. Commits when `body`
    /// returns, rolls back when it throws. A COMMIT that fails because the connection died throws
    /// `.connectionLost(outcomeUnknown: true)`.
    @discardableResult
    nonisolated(nonsending) func transaction<T>(
        _ body: nonisolated(nonsending) (any SQLConnection) async throws -> T
    ) async throws -> T

    /// Lends a connection outside an explicit transaction: each statement commits on its own.
    @discardableResult
    nonisolated(nonsending) func withConnection<T>(
        _ body: nonisolated(nonsending) (any SQLConnection) async throws -> T
    ) async throws -> T

    /// Closes every connection. Later calls throw.
    func close() async throws
}

extension SQLDatabase {
    /// One statement in its own implicit transaction.
    @discardableResult
    public nonisolated(nonsending) func execute(_ sql: String, _ binds: [SQLValue] = []) async throws -> Int {
        try await withConnection { try await $0.execute(sql, binds) }
    }

    /// One query outside an explicit transaction.
    public nonisolated(nonsending) func query(_ sql: String, _ binds: [SQLValue] = []) async throws -> [SQLRow] {
        try await withConnection { try await $0.query(sql, binds) }
    }
}
