import Dispatch

/// The embedded catalog: one SQLite file, one connection per `SQLiteDatabase` object.
///
/// Several objects or processes may write the same file: WAL lets readers run beside the one
/// writer, BEGIN IMMEDIATE takes the write lock before the transaction's first statement, and a
/// writer that finds the lock taken waits up to the busy timeout. Inside one object, an async
/// gate lends the connection to one transaction at a time, in arrival order.
public final class SQLiteDatabase: SQLDatabase {
    public let configuration: SQLiteConfiguration
    public var dialect: SQLDialect { .sqlite }
    private let worker: SQLiteWorker
    private let gate = AsyncGate()

    public init(configuration: SQLiteConfiguration) async throws {
        self.configuration = configuration
        worker = try await SQLiteWorker.open(configuration)
    }

    @discardableResult
    public nonisolated(nonsending) func transaction<T>(
        _ body: nonisolated(nonsending) (any SQLConnection) async throws -> T
    ) async throws -> T {
        await gate.acquire()
        defer { gate.release() }
        let deadline = ContinuousClock.now + configuration.busyTimeout
        try await worker.run { try $0.begin(until: deadline) }
        let connection = SQLiteConnection(worker: worker)
        defer { connection.isLent = false }
        let result: T
        do {
            result = try await body(connection)
        } catch {
            try? await worker.run { $0.rollbackIfInTransaction() }
            throw error
        }
        try await worker.run { try $0.commit() }
        return result
    }

    @discardableResult
    public nonisolated(nonsending) func withConnection<T>(
        _ body: nonisolated(nonsending) (any SQLConnection) async throws -> T
    ) async throws -> T {
        await gate.acquire()
        defer { gate.release() }
        let connection = SQLiteConnection(worker: worker)
        defer { connection.isLent = false }
        do {
            let result = try await body(connection)
            // A body that ran BEGIN itself must not leave the next borrower inside its transaction.
            try await worker.run { $0.rollbackIfInTransaction() }
            return result
        } catch {
            try? await worker.run { $0.rollbackIfInTransaction() }
            throw error
        }
    }

    public func close() async throws {
        await gate.acquire()
        defer { gate.release() }
        await worker.close()
    }
}

/// What a body sees: statements go to the worker's queue. Refuses calls once its body has ended.
final class SQLiteConnection: SQLConnection {
    let worker: SQLiteWorker
    var isLent = true
    var dialect: SQLDialect { .sqlite }

    init(worker: SQLiteWorker) {
        self.worker = worker
    }

    @discardableResult
    nonisolated(nonsending) func execute(_ sql: String, _ binds: [SQLValue]) async throws -> Int {
        try checkLent(sql)
        return try await worker.run { try $0.execute(sql, binds) }
    }

    nonisolated(nonsending) func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try checkLent(sql)
        return try await worker.run { try $0.query(sql, binds) }
    }

    nonisolated(nonsending) func executeScript(_ sql: String) async throws {
        try checkLent(sql)
        try await worker.run { try $0.executeScript(sql) }
    }

    private func checkLent(_ sql: String) throws(DatabaseError) {
        guard isLent else {
            throw DatabaseError(.other, message: "connection used after its transaction or withConnection body ended", sql: sql)
        }
    }
}

/// Owns the sqlite3 handle and runs every call to it on one serial dispatch queue. SQLite blocks
/// while it waits for a lock (up to the busy timeout); doing that on the queue's own thread keeps
/// Swift's few cooperative threads free, so the writer holding the lock can finish.
///
/// `@unchecked Sendable`: `handle` is read and written only on `queue`.
final class SQLiteWorker: @unchecked Sendable {
    private let queue: DispatchQueue
    private var handle: SQLiteHandle?

    private init(queue: DispatchQueue, handle: SQLiteHandle) {
        self.queue = queue
        self.handle = handle
    }

    static func open(_ configuration: SQLiteConfiguration) async throws -> SQLiteWorker {
        let queue = DispatchQueue(label: "lakegate.sqlite")
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { SQLiteWorker(queue: queue, handle: try SQLiteHandle(configuration: configuration)) })
            }
        }
    }

    func run<T: Sendable>(_ work: @escaping @Sendable (SQLiteHandle) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                guard let handle = self.handle else {
                    continuation.resume(throwing: DatabaseError(.other, message: "the database is closed"))
                    return
                }
                continuation.resume(with: Result { try work(handle) })
            }
        }
    }

    func close() async {
        await withCheckedContinuation { continuation in
            queue.async {
                self.handle?.close()
                self.handle = nil
                continuation.resume()
            }
        }
    }

    deinit {
        handle?.close()  // the last reference is gone, so no call can be running on the queue
    }
}
