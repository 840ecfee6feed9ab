import Logging
import NIOSSL
import PostgresNIO

/// The catalog on PostgreSQL, through postgres-nio. Keeps a small pool of connections
/// (`maxConnections`); each `transaction` or `withConnection` leases one. No background task:
/// connections open on demand and close in `close()`.
public final class PostgresDatabase: SQLDatabase {
    public let configuration: PostgresConfiguration
    public var dialect: SQLDialect { .postgres }
    private let pool: PostgresPool
    private let logger: Logger

    /// Connects once, so that a wrong address or password fails here rather than at first use.
    public init(configuration: PostgresConfiguration, logger: Logger? = nil) async throws {
        self.configuration = configuration
        self.logger = logger ?? Logger(label: "lakegate.database", factory: { _ in SwiftLogNoOpLogHandler() })
        pool = PostgresPool(
            configuration: try Self.connectionConfiguration(configuration),
            maxConnections: max(1, configuration.maxConnections), logger: self.logger)
        let connection = try await pool.lease()
        await pool.release(connection, reusable: true)
    }

    @discardableResult
    public nonisolated(nonsending) func transaction<T>(
        _ body: nonisolated(nonsending) (any SQLConnection) async throws -> T
    ) async throws -> T {
        let lease = try await pool.lease()
        let connection = PostgresSQLConnection(connection: lease, logger: logger)
        do {
            try await connection.run("BEGIN", [])
        } catch {
            await pool.release(lease, reusable: !connection.isBroken)
            throw error
        }
        let result: T
        do {
            result = try await body(connection)
        } catch {
            connection.isLent = false
            // A dead connection needs no ROLLBACK: the server rolls back when the session ends.
            if connection.isBroken || lease.isClosed {
                await pool.release(lease, reusable: false)
                throw error
            }
            do {
                try await connection.run("ROLLBACK", [])
                await pool.release(lease, reusable: true)
            } catch {
                await pool.release(lease, reusable: false)
            }
            throw error
        }
        connection.isLent = false
        guard !connection.isBroken else {
            // The body caught a lost connection and returned: nothing was committed.
            await pool.release(lease, reusable: false)
            throw DatabaseError(
                .connectionLost(outcomeUnknown: false), message: "the connection was lost during the transaction",
                sql: "COMMIT")
        }
        let tag: String
        do {
            tag = try await connection.run("COMMIT", []).metadata.command
        } catch var error as DatabaseError {
            if case .connectionLost = error.kind {
                // The server may have committed before the connection died.
                error.kind = .connectionLost(outcomeUnknown: true)
                await pool.release(lease, reusable: false)
            } else {
                await pool.release(lease, reusable: true)  // a failed COMMIT ends the transaction
            }
            throw error
        } catch {
            await pool.release(lease, reusable: false)
            throw error
        }
        await pool.release(lease, reusable: true)
        // PostgreSQL answers COMMIT of a transaction in which a statement failed with ROLLBACK,
        // and no error; the body must have caught that statement's error.
        guard tag == "COMMIT" else {
            throw DatabaseError(
                .other, message: "the transaction was rolled back: a statement in it failed (the body caught its error)",
                sql: "COMMIT")
        }
        return result
    }

    @discardableResult
    public nonisolated(nonsending) func withConnection<T>(
        _ body: nonisolated(nonsending) (any SQLConnection) async throws -> T
    ) async throws -> T {
        let lease = try await pool.lease()
        let connection = PostgresSQLConnection(connection: lease, logger: logger)
        do {
            let result = try await body(connection)
            connection.isLent = false
            await pool.release(lease, reusable: !connection.isBroken)
            return result
        } catch {
            connection.isLent = false
            await pool.release(lease, reusable: !connection.isBroken)
            throw error
        }
    }

    public func close() async throws {
        await pool.close()
    }

    static func connectionConfiguration(_ configuration: PostgresConfiguration) throws(DatabaseError)
        -> PostgresConnection.Configuration
    {
        var result: PostgresConnection.Configuration
        switch configuration.endpoint {
        case .tcp(let host, let port):
            let tls: PostgresConnection.Configuration.TLS
            do {
                switch configuration.tls {
                case .disable:
                    tls = .disable
                case .allow, .prefer, .require:
                    // libpq's prefer and require encrypt but do not verify the certificate.
                    var settings = TLSConfiguration.makeClientConfiguration()
                    settings.certificateVerification = .none
                    let context = try NIOSSLContext(configuration: settings)
                    tls = configuration.tls == .require ? .require(context) : .prefer(context)
                case .verifyCA, .verifyFull:
                    var settings = TLSConfiguration.makeClientConfiguration()
                    settings.certificateVerification = configuration.tls == .verifyCA ? .noHostnameVerification : .fullVerification
                    tls = .require(try NIOSSLContext(configuration: settings))
                }
            } catch {
                throw DatabaseError(.invalidConfiguration, message: "cannot set up TLS: \(error)")
            }
            result = PostgresConnection.Configuration(
                host: host, port: port, username: configuration.username, password: configuration.password,
                database: configuration.database, tls: tls)
        case .unixSocket(let path):
            result = PostgresConnection.Configuration(
                unixSocketPath: path, username: configuration.username, password: configuration.password,
                database: configuration.database)
        }
        let (seconds, attoseconds) = configuration.connectTimeout.components
        result.options.connectTimeout = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        result.options.additionalStartupParameters = configuration.startupParameters.sorted { $0.key < $1.key }
        return result
    }
}

/// What a body sees: one pooled connection. Refuses calls once its body has ended.
final class PostgresSQLConnection: SQLConnection {
    let connection: PostgresConnection
    let logger: Logger
    var isLent = true
    /// Set once a statement failed because the connection died. No statement is sent after
    /// that: postgres-nio 1.33 can leave a query written while it closes the channel (after the
    /// server's FATAL error, before the socket closes) waiting forever.
    private(set) var isBroken = false
    var dialect: SQLDialect { .postgres }

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    @discardableResult
    nonisolated(nonsending) func execute(_ sql: String, _ binds: [SQLValue]) async throws -> Int {
        try checkLent(sql)
        return try await run(sql, binds, rewriting: true).metadata.rows ?? 0
    }

    nonisolated(nonsending) func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try checkLent(sql)
        let result = try await run(sql, binds, rewriting: true)
        guard let first = result.rows.first else { return [] }
        let columns = first.map(\.columnName)
        var rows: [SQLRow] = []
        rows.reserveCapacity(result.rows.count)
        for row in result.rows {
            var values: [SQLValue] = []
            values.reserveCapacity(columns.count)
            for cell in row { values.append(try PostgresValues.value(cell)) }
            rows.append(SQLRow(columns: columns, values: values))
        }
        return rows
    }

    /// The extended protocol that postgres-nio speaks takes one statement at a time, so the script
    /// is split at its top-level semicolons.
    nonisolated(nonsending) func executeScript(_ sql: String) async throws {
        try checkLent(sql)
        for statement in PostgresSQLText.splitStatements(sql) {
            try await run(statement, [], rewriting: false)
        }
    }

    @discardableResult
    nonisolated(nonsending) func run(_ sql: String, _ binds: [SQLValue], rewriting: Bool = false) async throws
        -> PostgresQueryResult
    {
        guard !isBroken else {
            throw DatabaseError(.connectionLost(outcomeUnknown: false), message: "the connection was lost earlier in this body", sql: sql)
        }
        var text = sql
        if rewriting {
            let rewritten = PostgresSQLText.rewritePlaceholders(sql)
            guard rewritten.count == binds.count else {
                throw DatabaseError(
                    .other, message: "the statement has \(rewritten.count) placeholders but \(binds.count) binds were given",
                    sql: sql)
            }
            text = rewritten.sql
        }
        let query = PostgresQuery(unsafeSQL: text, binds: PostgresValues.bindings(binds))
        do {
            // The future-returning query reports the command tag (rows affected); the async one does not.
            let future: EventLoopFuture<PostgresQueryResult> = connection.query(query, logger: logger)
            return try await future.get()
        } catch {
            let mapped = PostgresErrors.map(error, sql: sql)
            if let mapped = mapped as? DatabaseError, case .connectionLost = mapped.kind { isBroken = true }
            throw mapped
        }
    }

    private func checkLent(_ sql: String) throws(DatabaseError) {
        guard isLent else {
            throw DatabaseError(.other, message: "connection used after its transaction or withConnection body ended", sql: sql)
        }
    }
}

/// A small pool: idle connections are reused, new ones open up to the limit, and callers beyond
/// it wait in arrival order. A connection that failed is closed, not reused.
actor PostgresPool {
    private let configuration: PostgresConnection.Configuration
    private let maxConnections: Int
    private let logger: Logger
    private var idle: [PostgresConnection] = []
    private var openCount = 0
    private var nextID = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var isClosed = false

    init(configuration: PostgresConnection.Configuration, maxConnections: Int, logger: Logger) {
        self.configuration = configuration
        self.maxConnections = maxConnections
        self.logger = logger
    }

    func lease() async throws -> PostgresConnection {
        while true {
            guard !isClosed else { throw DatabaseError(.other, message: "the database is closed") }
            if let connection = idle.popLast() {
                if connection.isClosed {
                    openCount -= 1
                    continue
                }
                return connection
            }
            if openCount < maxConnections {
                openCount += 1
                nextID += 1
                do {
                    return try await PostgresConnection.connect(configuration: configuration, id: nextID, logger: logger)
                } catch {
                    openCount -= 1
                    wakeOne()
                    throw PostgresErrors.map(error, sql: nil)
                }
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    func release(_ connection: PostgresConnection, reusable: Bool) async {
        if reusable && !isClosed && !connection.isClosed {
            idle.append(connection)
        } else {
            openCount -= 1
            try? await connection.close()
        }
        wakeOne()
    }

    func close() async {
        isClosed = true
        let connections = idle
        idle.removeAll()
        openCount -= connections.count
        for connection in connections { try? await connection.close() }
        let waiting = waiters
        waiters.removeAll()
        for waiter in waiting { waiter.resume() }
    }

    private func wakeOne() {
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }
}

/// postgres-nio's errors -> DatabaseError. Only the server's primary message is kept: its detail
/// field quotes row values ("Key (id)=(7) already exists").
enum PostgresErrors {
    static func map(_ error: any Error, sql: String?) -> any Error {
        if error is DatabaseError || error is CancellationError { return error }
        guard let error = error as? PSQLError else {
            // NIO's channel and connect errors: the connection is gone or never came up.
            return DatabaseError(.connectionLost(outcomeUnknown: false), message: "\(error)", sql: sql)
        }
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState]
            var message = error.serverInfo?[.message] ?? "server error"
            let kind = kind(forSQLState: state)
            if state?.hasPrefix("22") == true, let quote = message.range(of: ": \"") {
                // Data exceptions quote the offending input ("invalid input syntax for type integer: \"x\"").
                message = String(message[..<quote.lowerBound])
            }
            return DatabaseError(kind, message: message, sql: sql, sqlState: state)
        case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown:
            var message = "connection closed (\(error.code))"
            if let underlying = error.underlying { message += ": \(underlying)" }
            return DatabaseError(.connectionLost(outcomeUnknown: false), message: message, sql: sql)
        case .sslUnsupported:
            return DatabaseError(.connectionLost(outcomeUnknown: false), message: "the server does not support TLS (sslmode=require)", sql: sql)
        case .queryCancelled:
            return DatabaseError(.other, message: "the query was cancelled", sql: sql)
        default:
            var message = "postgres-nio error \(error.code)"
            if let underlying = error.underlying { message += ": \(underlying)" }
            return DatabaseError(.other, message: message, sql: sql)
        }
    }

    static func kind(forSQLState state: String?) -> DatabaseError.Kind {
        guard let state else { return .other }
        switch state {
        case "23505": return .uniqueViolation
        case "40001", "40P01": return .serializationFailure
        case "55P03": return .busy
        case "42804": return .typeMismatch
        case "57P01", "57P02", "57P03": return .connectionLost(outcomeUnknown: false)  // server shutting down
        default: break
        }
        switch state.prefix(2) {
        case "23": return .constraint
        case "42": return .syntax
        case "22": return .typeMismatch
        case "08": return .connectionLost(outcomeUnknown: false)
        default: return .other
        }
    }
}
