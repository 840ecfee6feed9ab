import Database
import Foundation
import Synchronization

/// The embedded queue: two tables in the catalog database (SQLite or PostgreSQL), prefixed
/// `lakegate_` so they can sit beside a DuckLake or Iceberg catalog. One table holds several
/// named queues (`queueName`).
///
///     lakegate_queue       one row per waiting or leased job: (queue, job_id) unique, fields as
///                          JSON, deliveries, visible_at (ms), lease_token, lease_owner
///     lakegate_queue_dead  dead letters: fields, reason, deliveries, dead_at (ms)
///
/// `visible_at` is when a row may be delivered: when it is due for a waiting row, when its lease
/// ends for a leased one. Receiving leases rows atomically: on SQLite in one write transaction
/// (BEGIN IMMEDIATE takes the writer lock, across processes too); on PostgreSQL with `SELECT …
/// FOR UPDATE SKIP LOCKED`, so concurrent consumers take different rows without waiting for
/// each other. Each receive gives its rows a fresh random lease token: acknowledge, extend,
/// release and dead-letter match on (job, token), so an old holder's call after the message was
/// delivered again changes nothing and throws `.leaseLost`.
///
/// Waiting polls: while nothing is due, `receive` runs one indexed read-only query every
/// `pollInterval` (250 ms by default) until the wait is over, and takes the write lock only when
/// something is due. A waiting consumer thus costs at most 4 small queries a second.
///
/// Times come from the injected clock (wall time): consumers on several machines need clocks in
/// step to well within the visibility timeout.
public final class SQLJobQueue: JobQueue {
    public let name: String
    public let queueName: String
    public let policy: QueuePolicy
    private let database: any SQLDatabase
    private let clock: any QueueClock
    private let pollInterval: Duration
    private let closed = Atomic<Bool>(false)

    /// Creates the tables when missing. `queueName` tells queues sharing the tables apart.
    public init(
        database: any SQLDatabase, policy: QueuePolicy = QueuePolicy(), queueName: String = "ingestion",
        clock: any QueueClock = SystemQueueClock(), pollInterval: Duration = .milliseconds(250)
    ) async throws(QueueError) {
        self.database = database
        self.policy = policy
        self.queueName = queueName
        self.clock = clock
        self.pollInterval = max(.milliseconds(1), pollInterval)
        let kind = database.dialect == .sqlite ? "sqlite" : "postgres"
        name = queueName == "ingestion" ? "embedded (\(kind))" : "embedded (\(kind)) \(queueName)"
        guard !queueName.isEmpty, queueName.utf8.count <= 200 else {
            throw QueueError(.invalidArgument, "a queue name must have 1 to 200 bytes", queue: name)
        }
        try await createTables()
    }

    private func createTables() async throws(QueueError) {
        let sequence = database.dialect == .sqlite ? "seq INTEGER PRIMARY KEY" : "seq BIGSERIAL PRIMARY KEY"
        let script = """
            CREATE TABLE IF NOT EXISTS lakegate_queue (
                \(sequence),
                queue TEXT NOT NULL,
                job_id TEXT NOT NULL,
                fields TEXT NOT NULL,
                deliveries BIGINT NOT NULL DEFAULT 0,
                visible_at BIGINT NOT NULL,
                lease_token TEXT,
                lease_owner TEXT,
                enqueued_at BIGINT NOT NULL,
                UNIQUE (queue, job_id)
            );
            CREATE INDEX IF NOT EXISTS lakegate_queue_visible ON lakegate_queue (queue, visible_at);
            CREATE TABLE IF NOT EXISTS lakegate_queue_dead (
                \(sequence),
                queue TEXT NOT NULL,
                job_id TEXT NOT NULL,
                fields TEXT NOT NULL,
                reason TEXT NOT NULL,
                deliveries BIGINT NOT NULL,
                dead_at BIGINT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS lakegate_queue_dead_job ON lakegate_queue_dead (queue, job_id)
            """
        // Look before creating: CREATE INDEX IF NOT EXISTS locks the table (PostgreSQL's SHARE
        // lock) even when the index exists, and would hold up, or deadlock with, other consumers'
        // transactions.
        let objects = ["lakegate_queue", "lakegate_queue_visible", "lakegate_queue_dead", "lakegate_queue_dead_job"]
        let existing =
            database.dialect == .sqlite
            ? "SELECT COUNT(*) AS n FROM sqlite_master WHERE name IN ('\(objects.joined(separator: "', '"))')"
            : "SELECT " + objects.map { "(CASE WHEN to_regclass('\($0)') IS NULL THEN 0 ELSE 1 END)" }.joined(separator: " + ")
                + " AS n"
        // Two processes creating the tables at once on PostgreSQL: the loser of the race gets
        // "already exists" or a unique violation on the catalog; the second look sees the tables.
        for attempt in 1...3 {
            do {
                let found = try await database.query(existing).first?.int64("n")
                if found == Int64(objects.count) { return }
                try await database.transaction { try await $0.executeScript(script) }
                return
            } catch let error as DatabaseError
                where (error.kind == .uniqueViolation || ["42P07", "42710"].contains(error.sqlState ?? "")) && attempt < 3
            {
                continue
            } catch {
                throw QueueError.from(error, queue: name)
            }
        }
    }

    private func checkOpen() throws(QueueError) {
        guard !closed.load(ordering: .relaxed) else { throw QueueError(.closed, "the queue is closed", queue: name) }
    }

    /// Runs a database call, mapping its errors.
    @discardableResult
    private func run<T>(jobId: String? = nil, _ body: () async throws -> T) async throws(QueueError) -> T {
        try checkOpen()
        do {
            return try await body()
        } catch {
            throw QueueError.from(error, queue: name, jobId: jobId)
        }
    }

    public func enqueue(jobId: String, fields: [String: String]) async throws(QueueError) {
        let fields = try QueueLimits.validatedFields(jobId: jobId, fields: fields, queue: name)
        let encoded = try FieldsJSON.encode(fields, queue: name)
        let now = clock.nowMilliseconds
        try await run(jobId: jobId) {
            try await database.execute(
                """
                INSERT INTO lakegate_queue (queue, job_id, fields, deliveries, visible_at, enqueued_at)
                VALUES (?, ?, ?, 0, ?, ?) ON CONFLICT (queue, job_id) DO NOTHING
                """, [.text(queueName), .text(jobId), .text(encoded), .integer(now), .integer(now)])
        }
    }

    public func receive(consumer: String, limit: Int, wait: Duration) async throws(QueueError) -> [QueueMessage] {
        try QueueLimits.checkReceive(consumer: consumer, limit: limit, queue: name)
        let deadline = ContinuousClock.now + min(wait, QueueLimits.maxWait)
        while true {
            let messages = try await leaseDue(consumer: consumer, limit: limit)
            let left = deadline - ContinuousClock.now
            if !messages.isEmpty || left <= .zero { return messages }
            do {
                try await Task.sleep(for: min(pollInterval, left))
            } catch {
                return []  // cancelled: nothing was leased
            }
        }
    }

    private func leaseDue(consumer: String, limit: Int) async throws(QueueError) -> [QueueMessage] {
        let now = clock.nowMilliseconds
        let queueName = queueName
        // A read-only look first: an idle queue never takes the writer lock.
        let anyDue = try await run {
            try await database.query(
                "SELECT 1 AS due FROM lakegate_queue WHERE queue = ? AND visible_at <= ? LIMIT 1",
                [.text(queueName), .integer(now)])
        }
        guard !anyDue.isEmpty else { return [] }
        let token = LeaseToken.make()
        let leaseEnd = now + policy.visibilityTimeout.wholeMilliseconds
        let lock = database.dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let rule = policy.rule
        let name = name
        return try await run {
            try await database.transaction { conn in
                var messages: [QueueMessage] = []
                // Rows out of deliveries are dead-lettered on the way, so a batch may need another
                // look; ten looks bound the work of one call.
                for _ in 0..<10 where messages.count < limit {
                    let wanted = limit - messages.count
                    let rows = try await conn.query(
                        """
                        SELECT seq, job_id, fields, deliveries FROM lakegate_queue
                        WHERE queue = ? AND visible_at <= ? ORDER BY visible_at, seq LIMIT ?\(lock)
                        """, [.text(queueName), .integer(now), .integer(Int64(wanted))])
                    var leased: [SQLValue] = []
                    for row in rows {
                        let jobId = try row.string("job_id")
                        let fieldsText = try row.string("fields")
                        let previous = Int(try row.int64("deliveries"))
                        switch rule.next(afterDeliveries: previous) {
                        case .deadLetter(let reason, let deliveries):
                            try await conn.execute(
                                """
                                INSERT INTO lakegate_queue_dead (queue, job_id, fields, reason, deliveries, dead_at)
                                VALUES (?, ?, ?, ?, ?, ?)
                                """,
                                [.text(queueName), .text(jobId), .text(fieldsText), .text(reason), .integer(Int64(deliveries)), .integer(now)])
                            try await conn.execute("DELETE FROM lakegate_queue WHERE seq = ?", [try row.value("seq")])
                        case .deliver(let delivery):
                            leased.append(try row.value("seq"))
                            let fields = try FieldsJSON.decode(fieldsText, queue: name, jobId: jobId)
                            messages.append(QueueMessage(jobId: jobId, fields: fields, deliveries: delivery, receipt: token))
                        }
                    }
                    if !leased.isEmpty {
                        let marks = Array(repeating: "?", count: leased.count).joined(separator: ", ")
                        try await conn.execute(
                            """
                            UPDATE lakegate_queue SET lease_token = ?, lease_owner = ?, visible_at = ?, deliveries = deliveries + 1
                            WHERE seq IN (\(marks))
                            """, [.text(token), .text(consumer), .integer(leaseEnd)] + leased)
                    }
                    if rows.count < wanted { break }
                }
                return messages
            }
        }
    }

    /// The condition that matches the row of this delivery and no later one.
    private static let heldBy = "queue = ? AND job_id = ? AND lease_token = ? AND deliveries = ?"

    private func heldBinds(_ message: QueueMessage) -> [SQLValue] {
        [.text(queueName), .text(message.jobId), .text(message.receipt), .integer(Int64(message.deliveries))]
    }

    public func extendLease(_ message: QueueMessage) async throws(QueueError) {
        let leaseEnd = clock.nowMilliseconds + policy.visibilityTimeout.wholeMilliseconds
        let changed = try await run(jobId: message.jobId) {
            try await database.execute(
                "UPDATE lakegate_queue SET visible_at = ? WHERE \(Self.heldBy)", [.integer(leaseEnd)] + heldBinds(message))
        }
        guard changed == 1 else { throw QueueError.leaseLost(queue: name, jobId: message.jobId) }
    }

    public func acknowledge(_ message: QueueMessage) async throws(QueueError) {
        let changed = try await run(jobId: message.jobId) {
            try await database.execute("DELETE FROM lakegate_queue WHERE \(Self.heldBy)", heldBinds(message))
        }
        guard changed == 1 else { throw QueueError.leaseLost(queue: name, jobId: message.jobId) }
    }

    public func release(_ message: QueueMessage, after delay: Duration) async throws(QueueError) {
        let visibleAt = clock.nowMilliseconds + max(.zero, delay).wholeMilliseconds
        let changed = try await run(jobId: message.jobId) {
            try await database.execute(
                "UPDATE lakegate_queue SET lease_token = NULL, lease_owner = NULL, visible_at = ? WHERE \(Self.heldBy)",
                [.integer(visibleAt)] + heldBinds(message))
        }
        guard changed == 1 else { throw QueueError.leaseLost(queue: name, jobId: message.jobId) }
    }

    public func deadLetter(_ message: QueueMessage, reason: String) async throws(QueueError) {
        let now = clock.nowMilliseconds
        let reason = QueueLimits.clipped(reason: reason)
        let binds = heldBinds(message)
        let moved = try await run(jobId: message.jobId) {
            try await database.transaction { conn in
                // Copy and delete only the row this delivery holds; nothing when it moved on.
                let copied = try await conn.execute(
                    """
                    INSERT INTO lakegate_queue_dead (queue, job_id, fields, reason, deliveries, dead_at)
                    SELECT queue, job_id, fields, CAST(? AS TEXT), deliveries, ? FROM lakegate_queue WHERE \(Self.heldBy)
                    """, [.text(reason), .integer(now)] + binds)
                guard copied == 1 else { return false }
                try await conn.execute("DELETE FROM lakegate_queue WHERE \(Self.heldBy)", binds)
                return true
            }
        }
        guard moved else { throw QueueError.leaseLost(queue: name, jobId: message.jobId) }
    }

    public func deadLetters(limit: Int) async throws(QueueError) -> [DeadLetter] {
        guard limit > 0 else { return [] }
        let rows = try await run {
            try await database.query(
                "SELECT job_id, fields, reason, deliveries, dead_at FROM lakegate_queue_dead WHERE queue = ? ORDER BY seq LIMIT ?",
                [.text(queueName), .integer(Int64(min(limit, 100_000)))])
        }
        var letters: [DeadLetter] = []
        for row in rows {
            do {
                let jobId = try row.string("job_id")
                letters.append(
                    DeadLetter(
                        jobId: jobId, fields: try FieldsJSON.decode(try row.string("fields"), queue: name, jobId: jobId),
                        reason: try row.string("reason"), deliveries: Int(try row.int64("deliveries")),
                        at: Double(try row.int64("dead_at")) / 1000))
            } catch let error as QueueError {
                throw error
            } catch {
                throw QueueError.from(error, queue: name)
            }
        }
        return letters
    }

    public func requeueDead(jobId: String?) async throws(QueueError) -> Int {
        let now = clock.nowMilliseconds
        var total = 0
        let queueName = queueName
        // In batches, each its own transaction, so requeueing many holds no lock for long.
        while true {
            let moved = try await run(jobId: jobId) {
                try await database.transaction { conn in
                    var sql = "SELECT seq, job_id, fields FROM lakegate_queue_dead WHERE queue = ?"
                    var binds: [SQLValue] = [.text(queueName)]
                    if let jobId {
                        sql += " AND job_id = ?"
                        binds.append(.text(jobId))
                    }
                    let rows = try await conn.query(sql + " ORDER BY seq LIMIT 500", binds)
                    for row in rows {
                        try await conn.execute(
                            """
                            INSERT INTO lakegate_queue (queue, job_id, fields, deliveries, visible_at, enqueued_at)
                            VALUES (?, ?, ?, 0, ?, ?) ON CONFLICT (queue, job_id) DO NOTHING
                            """,
                            [.text(queueName), try row.value("job_id"), try row.value("fields"), .integer(now), .integer(now)])
                        try await conn.execute("DELETE FROM lakegate_queue_dead WHERE seq = ?", [try row.value("seq")])
                    }
                    return rows.count
                }
            }
            total += moved
            if moved < 500 { return total }
        }
    }

    public func depth() async throws(QueueError) -> QueueDepth {
        let now = clock.nowMilliseconds
        let rows = try await run {
            try await database.query(
                """
                SELECT
                    COALESCE(SUM(CASE WHEN lease_token IS NULL AND visible_at <= ? THEN 1 ELSE 0 END), 0) AS ready,
                    COALESCE(SUM(CASE WHEN lease_token IS NOT NULL THEN 1 ELSE 0 END), 0) AS leased,
                    COALESCE(SUM(CASE WHEN lease_token IS NULL AND visible_at > ? THEN 1 ELSE 0 END), 0) AS delayed,
                    (SELECT COUNT(*) FROM lakegate_queue_dead WHERE queue = ?) AS dead
                FROM lakegate_queue WHERE queue = ?
                """, [.integer(now), .integer(now), .text(queueName), .text(queueName)])
        }
        guard let row = rows.first else { return QueueDepth() }
        return try await run {
            QueueDepth(
                ready: Int(try row.int64("ready")), leased: Int(try row.int64("leased")),
                delayed: Int(try row.int64("delayed")), dead: Int(try row.int64("dead")))
        }
    }

    public func close() async {
        closed.store(true, ordering: .relaxed)
    }
}

/// Fields stored as a JSON object of strings.
enum FieldsJSON {
    static func encode(_ fields: [String: String], queue: String) throws(QueueError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return String(decoding: try encoder.encode(fields), as: UTF8.self)
        } catch {
            throw QueueError(.invalidArgument, "fields cannot be stored as JSON", queue: queue)
        }
    }

    static func decode(_ text: String, queue: String, jobId: String) throws(QueueError) -> [String: String] {
        do {
            return try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        } catch {
            throw QueueError(.corrupt, "the stored fields are not a JSON object of strings", queue: queue, jobId: jobId)
        }
    }
}
