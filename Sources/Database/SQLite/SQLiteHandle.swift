import CSQLite

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One sqlite3 connection with its prepared-statement cache. Not thread-safe by itself: the
/// `SQLiteWorker` that owns it calls it from one serial queue only.
final class SQLiteHandle {
    private let db: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]
    private let cacheCapacity: Int

    init(configuration: SQLiteConfiguration) throws(DatabaseError) {
        var opened: OpaquePointer?
        // FULLMUTEX on top of the worker's serial queue: cheap, and safe should a call ever escape it.
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
        let rc = sqlite3_open_v2(configuration.path, &opened, flags, nil)
        guard rc == SQLITE_OK, let opened else {
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(opened)
            throw DatabaseError(.other, message: "cannot open \(configuration.path): \(message)", sqliteCode: rc)
        }
        db = opened
        cacheCapacity = max(1, configuration.statementCacheCapacity)
        sqlite3_extended_result_codes(db, 1)
        let (seconds, attoseconds) = configuration.busyTimeout.components
        let microseconds = max(0, min(Int64(Int32.max) * 1000, seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
        sqlite3_busy_handler(db, Self.busyHandler, UnsafeMutableRawPointer(bitPattern: Int(microseconds)))
        do {
            // WAL lets readers run beside one writer, across processes; NORMAL syncs at checkpoints only.
            try executeScript("PRAGMA journal_mode=WAL")
            try executeScript("PRAGMA synchronous=\(configuration.synchronous.rawValue); PRAGMA foreign_keys=ON")
        } catch {
            sqlite3_close_v2(db)
            throw error
        }
    }

    /// Waits for a lock another connection holds. SQLite's own handler sleeps 1, 2, 5, 10 … 100
    /// ms between tries, so a commit holding the lock for a tenth of a millisecond cost the
    /// other connection a millisecond or more (a fifth of small-file ingestion time, where the
    /// job store and the lake's catalog share a file). This one starts at 50 µs and doubles up
    /// to 10 ms, until the busy timeout (carried in the context pointer, in microseconds).
    private static let busyHandler: @convention(c) (UnsafeMutableRawPointer?, Int32) -> Int32 = { context, count in
        let timeout = Int(bitPattern: context)
        let slept = SQLiteBusyWait.slept(before: Int(count))
        guard slept < timeout else { return 0 }
        usleep(UInt32(min(SQLiteBusyWait.delay(Int(count)), timeout - slept)))
        return 1
    }

    func close() {
        for statement in statements.values { sqlite3_finalize(statement) }
        statements.removeAll()
        sqlite3_close_v2(db)
    }

    // MARK: Statements

    @discardableResult
    func execute(_ sql: String, _ binds: [SQLValue]) throws(DatabaseError) -> Int {
        let statement = try prepared(sql)
        defer { finish(statement) }
        try bind(binds, to: statement, sql: sql)
        let before = sqlite3_total_changes64(db)
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            if rc != SQLITE_ROW { throw error(rc, sql: sql) }
        }
        // changes64 keeps the last DML statement's count; report 0 for statements that changed nothing.
        return sqlite3_total_changes64(db) == before ? 0 : Int(sqlite3_changes64(db))
    }

    func query(_ sql: String, _ binds: [SQLValue]) throws(DatabaseError) -> [SQLRow] {
        let statement = try prepared(sql)
        defer { finish(statement) }
        try bind(binds, to: statement, sql: sql)
        let count = Int(sqlite3_column_count(statement))
        var names: [String] = []
        var isBoolean: [Bool] = []
        names.reserveCapacity(count)
        for column in 0..<Int32(count) {
            names.append(sqlite3_column_name(statement, column).map { String(cString: $0) } ?? "")
            // SQLite stores booleans as 0/1; a column declared BOOL/BOOLEAN reads back as .boolean.
            let declared = sqlite3_column_decltype(statement, column).map { String(cString: $0).uppercased() } ?? ""
            isBoolean.append(declared.hasPrefix("BOOL"))
        }
        var rows: [SQLRow] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw error(rc, sql: sql) }
            var values: [SQLValue] = []
            values.reserveCapacity(count)
            for column in 0..<count {
                values.append(value(statement, Int32(column), boolean: isBoolean[column]))
            }
            rows.append(SQLRow(columns: names, values: values))
        }
        return rows
    }

    func executeScript(_ sql: String) throws(DatabaseError) {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &message)
        defer { sqlite3_free(message) }
        guard rc == SQLITE_OK else {
            throw error(rc, sql: sql, message: message.map { String(cString: $0) })
        }
    }

    // MARK: Transactions

    /// BEGIN IMMEDIATE takes the write lock up front. The busy handler waits for it up to the busy
    /// timeout; SQLite skips the handler in a few cases (WAL recovery, a checkpoint in progress),
    /// so BUSY is retried here too until `deadline`.
    func begin(until deadline: ContinuousClock.Instant) throws(DatabaseError) {
        rollbackIfInTransaction()  // a transaction left open by a failed ROLLBACK
        var pause: UInt32 = 1_000
        while true {
            do {
                try execute("BEGIN IMMEDIATE", [])
                return
            } catch let error where error.kind == .busy && ContinuousClock.now < deadline {
                usleep(pause)
                pause = min(pause * 2, 50_000)
            }
        }
    }

    func commit() throws(DatabaseError) {
        do {
            try execute("COMMIT", [])
        } catch {
            rollbackIfInTransaction()
            throw error
        }
    }

    func rollbackIfInTransaction() {
        if sqlite3_get_autocommit(db) == 0 {
            _ = try? execute("ROLLBACK", [])
        }
    }

    // MARK: Helpers

    private func prepared(_ sql: String) throws(DatabaseError) -> OpaquePointer {
        if let statement = statements[sql] { return statement }
        var statement: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let rc = sql.withCString { text in
            let rc = sqlite3_prepare_v3(db, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, &tail)
            // Whatever follows the first statement must be empty: one statement per call.
            if rc == SQLITE_OK, let rest = tail, rest.pointee != 0 {
                var extra: OpaquePointer?
                if sqlite3_prepare_v2(db, rest, -1, &extra, nil) == SQLITE_OK, extra == nil { return SQLITE_OK }
                sqlite3_finalize(extra)
                return SQLITE_MISUSE
            }
            return rc
        }
        if rc == SQLITE_MISUSE {
            sqlite3_finalize(statement)
            throw DatabaseError(.syntax, message: "one statement per call: use executeScript for several", sql: sql)
        }
        guard rc == SQLITE_OK else { throw error(rc, sql: sql) }
        guard let statement else { throw DatabaseError(.syntax, message: "empty statement", sql: sql) }
        if statements.count >= cacheCapacity, let evicted = statements.first {
            sqlite3_finalize(evicted.value)
            statements.removeValue(forKey: evicted.key)
        }
        statements[sql] = statement
        return statement
    }

    private func finish(_ statement: OpaquePointer) {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
    }

    private func bind(_ binds: [SQLValue], to statement: OpaquePointer, sql: String) throws(DatabaseError) {
        let expected = Int(sqlite3_bind_parameter_count(statement))
        guard expected == binds.count else {
            throw DatabaseError(.other, message: "the statement has \(expected) placeholders but \(binds.count) binds were given", sql: sql)
        }
        for (offset, value) in binds.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(statement, index)
            case .integer(let v): rc = sqlite3_bind_int64(statement, index, v)
            case .real(let v): rc = sqlite3_bind_double(statement, index, v)
            case .boolean(let v): rc = sqlite3_bind_int64(statement, index, v ? 1 : 0)
            case .text(let v):
                // TRANSIENT: SQLite copies the bytes, which live only during this call.
                rc = sqlite3_bind_text64(statement, index, v, UInt64(v.utf8.count), sqliteTransient, UInt8(SQLITE_UTF8))
            case .blob(let v):
                if v.isEmpty {
                    rc = sqlite3_bind_zeroblob(statement, index, 0)  // a nil pointer would bind NULL
                } else {
                    rc = v.withUnsafeBytes { sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), sqliteTransient) }
                }
            }
            guard rc == SQLITE_OK else { throw error(rc, sql: sql) }
        }
    }

    private func value(_ statement: OpaquePointer, _ column: Int32, boolean: Bool) -> SQLValue {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER:
            let v = sqlite3_column_int64(statement, column)
            return boolean && (v == 0 || v == 1) ? .boolean(v == 1) : .integer(v)
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(statement, column))
        case SQLITE_TEXT:
            let count = Int(sqlite3_column_bytes(statement, column))
            guard let text = sqlite3_column_text(statement, column) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, column))
            guard count > 0, let bytes = sqlite3_column_blob(statement, column) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
        default:
            return .null
        }
    }

    private func error(_ rc: Int32, sql: String?, message: String? = nil) -> DatabaseError {
        let extended = sqlite3_extended_errcode(db)
        // sqlite3_exec returns the primary code; the connection holds the extended one.
        let code = (extended & 0xff) == (rc & 0xff) ? extended : rc
        let text = message ?? String(cString: sqlite3_errmsg(db))
        let kind: DatabaseError.Kind
        switch code {
        case sqliteConstraintUnique, sqliteConstraintPrimaryKey: kind = .uniqueViolation
        case _ where code & 0xff == SQLITE_CONSTRAINT: kind = .constraint
        case _ where code & 0xff == SQLITE_BUSY || code & 0xff == SQLITE_LOCKED: kind = .busy
        case SQLITE_MISMATCH: kind = .typeMismatch
        case SQLITE_ERROR where text.contains("syntax error") || text.hasPrefix("no such") || text.contains("incomplete input"):
            kind = .syntax
        default: kind = .other
        }
        return DatabaseError(kind, message: text, sql: sql, sqliteCode: code)
    }
}

// Extended result codes are macros built with shifts, which Swift does not import.
private let sqliteConstraintUnique = SQLITE_CONSTRAINT | (8 << 8)  // 2067
private let sqliteConstraintPrimaryKey = SQLITE_CONSTRAINT | (6 << 8)  // 1555

/// SQLITE_TRANSIENT is a macro ((sqlite3_destructor_type)-1) that Swift cannot import.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// The busy handler's schedule, in microseconds: 50, 100, 200 … then 10,000 each time.
enum SQLiteBusyWait {
    static let first = 50
    static let longest = 10_000

    static func delay(_ attempt: Int) -> Int {
        attempt >= 8 ? longest : min(longest, first << attempt)
    }

    /// The time slept by the tries before `attempt`.
    static func slept(before attempt: Int) -> Int {
        let doubling = min(attempt, 8)
        let early = (0..<doubling).reduce(0) { $0 + delay($1) }
        return early + max(0, attempt - 8) * longest
    }
}
