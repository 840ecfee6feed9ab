/// The one error type of this module. It carries what a caller needs to decide (the kind, and so
/// whether a retry may help), the database's own code and message, and the start of the SQL. It
/// never carries bind values or a password, so its description is safe to log.
public struct DatabaseError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// A UNIQUE or PRIMARY KEY constraint rejected the row (SQLSTATE 23505, SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY).
        case uniqueViolation
        /// Another constraint: NOT NULL, CHECK, FOREIGN KEY, exclusion (SQLSTATE class 23, SQLITE_CONSTRAINT).
        case constraint
        /// SQLite stayed BUSY or LOCKED past the busy timeout; PostgreSQL's lock_not_available (55P03).
        case busy
        /// PostgreSQL aborted the transaction to keep it serializable (40001) or to break a deadlock (40P01).
        case serializationFailure
        /// The connection failed or died. `outcomeUnknown` is true when it died while COMMIT was in
        /// flight: the transaction may or may not have been committed.
        case connectionLost(outcomeUnknown: Bool)
        /// The statement does not parse or names something that does not exist (SQLSTATE class 42).
        case syntax
        /// A value has the wrong type: in a row accessor, or rejected by the database (class 22, 42804).
        case typeMismatch
        /// A row accessor named a column the result does not have.
        case noSuchColumn
        /// A connection string or option is invalid.
        case invalidConfiguration
        /// Anything else, including use of a closed database.
        case other
    }

    public var kind: Kind
    /// PostgreSQL's five-character SQLSTATE, when the server sent one.
    public var sqlState: String?
    /// SQLite's extended result code (e.g. 2067 for SQLITE_CONSTRAINT_UNIQUE).
    public var sqliteCode: Int32?
    /// The database's message (PostgreSQL's primary message or SQLite's errmsg), or ours.
    public var message: String
    /// The first 200 characters of the statement, without its bind values.
    public var sql: String?

    public init(_ kind: Kind, message: String, sql: String? = nil, sqlState: String? = nil, sqliteCode: Int32? = nil) {
        self.kind = kind
        self.message = message
        self.sql = sql.map(Self.excerpt)
        self.sqlState = sqlState
        self.sqliteCode = sqliteCode
    }

    /// Whether running the same transaction again may succeed.
    public var isRetryable: Bool {
        switch kind {
        case .busy, .serializationFailure: true
        case .connectionLost(let outcomeUnknown): !outcomeUnknown
        default: false
        }
    }

    public var description: String {
        var text = "DatabaseError.\(kind)"
        if let sqlState { text += " [SQLSTATE \(sqlState)]" }
        if let sqliteCode { text += " [SQLite \(sqliteCode)]" }
        text += ": \(message)"
        if let sql { text += " (SQL: \(sql))" }
        return text
    }

    static func excerpt(_ sql: String) -> String {
        let limit = 200
        guard sql.count > limit else { return sql }
        return String(sql.prefix(limit)) + "…"
    }
}
