import Database
import Foundation

/// Jobs, scan verdicts, quarantine releases and landing checkpoints in the catalog database
/// (SQLite embedded, PostgreSQL at scale), beside the lake's own tables. Every state change is
/// a compare-and-set on the state it expects, so two processes never both take a job.
public final class JobStore: Sendable {
    public let database: any SQLDatabase

    public init(database: any SQLDatabase) async throws(IngestionError) {
        self.database = database
        try await guarded("cannot prepare the job tables") {
            try await database.withConnection { try await $0.executeScript(Self.schema) }
        }
    }

    static let schema = """
        CREATE TABLE IF NOT EXISTS lakegate_jobs (
            job_id TEXT PRIMARY KEY,
            client TEXT NOT NULL,
            zone TEXT NOT NULL,
            landing_key TEXT NOT NULL,
            landing_size BIGINT NOT NULL,
            landing_modified DOUBLE PRECISION NOT NULL,
            sha256 TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts BIGINT NOT NULL,
            scan_attempts BIGINT NOT NULL,
            trusted_key TEXT,
            quarantine_key TEXT,
            table_name TEXT,
            snapshot BIGINT,
            row_count BIGINT,
            last_error TEXT,
            next_attempt_at DOUBLE PRECISION NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX IF NOT EXISTS lakegate_jobs_by_state ON lakegate_jobs (state, next_attempt_at);
        CREATE INDEX IF NOT EXISTS lakegate_jobs_by_landing ON lakegate_jobs (zone, landing_key);
        CREATE TABLE IF NOT EXISTS lakegate_scan_verdicts (
            job_id TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            verdict TEXT NOT NULL,
            detail TEXT,
            scanner TEXT NOT NULL,
            engine_version TEXT,
            database_version TEXT,
            scanned_at DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX IF NOT EXISTS lakegate_scan_verdicts_by_job ON lakegate_scan_verdicts (job_id);
        CREATE TABLE IF NOT EXISTS lakegate_quarantine_releases (
            job_id TEXT NOT NULL,
            reason TEXT NOT NULL,
            released_by TEXT NOT NULL,
            released_at DOUBLE PRECISION NOT NULL
        );
        CREATE TABLE IF NOT EXISTS lakegate_landing_checkpoints (
            zone TEXT NOT NULL,
            client TEXT NOT NULL,
            after_key TEXT NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (zone, client)
        );
        CREATE TABLE IF NOT EXISTS lakegate_alerts (
            at DOUBLE PRECISION NOT NULL,
            component TEXT NOT NULL,
            message TEXT NOT NULL
        )
        """

    // MARK: Jobs

    /// Records a newly found job; a job already known (the same upload again) is left as it is.
    /// Returns whether it was new.
    @discardableResult
    public func insert(_ job: Job) async throws(IngestionError) -> Bool {
        try await guarded("cannot record the job", jobId: job.id) {
            try await database.execute(
                """
                INSERT INTO lakegate_jobs (job_id, client, zone, landing_key, landing_size, landing_modified, sha256, state,
                    attempts, scan_attempts, next_attempt_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?) ON CONFLICT (job_id) DO NOTHING
                """,
                [
                    .text(job.id), .text(job.client), .text(job.zone), .text(job.landingKey), .integer(Int64(job.landingSize)),
                    .real(job.landingModified), .text(job.sha256), .text(job.state.rawValue), .real(job.nextAttemptAt),
                    .real(job.createdAt), .real(job.updatedAt),
                ]) == 1
        }
    }

    public func job(_ id: String) async throws(IngestionError) -> Job? {
        try await guarded("cannot read the job", jobId: id) {
            try await database.query("SELECT * FROM lakegate_jobs WHERE job_id = ?", [.text(id)]).first.map(Self.job)
        }
    }

    /// Jobs, newest first, optionally in one state or of one client.
    public func jobs(state: JobState? = nil, client: String? = nil, limit: Int = 100) async throws(IngestionError) -> [Job] {
        var conditions: [String] = []
        var binds: [SQLValue] = []
        if let state {
            conditions.append("state = ?")
            binds.append(.text(state.rawValue))
        }
        if let client {
            conditions.append("client = ?")
            binds.append(.text(client))
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        binds.append(.integer(Int64(limit)))
        return try await guarded("cannot list jobs") {
            try await database.query("SELECT * FROM lakegate_jobs \(filter) ORDER BY updated_at DESC, job_id LIMIT ?", binds)
                .map(Self.job)
        }
    }

    /// Whether a landing object with this size and time is known already (discovery skips it
    /// without reading it again).
    public func knows(zone: String, landingKey: String, size: Int, modified: Double) async throws(IngestionError) -> Bool {
        try await guarded("cannot read jobs") {
            try await !database.query(
                "SELECT 1 FROM lakegate_jobs WHERE zone = ? AND landing_key = ? AND landing_size = ? AND landing_modified = ? LIMIT 1",
                [.text(zone), .text(landingKey), .integer(Int64(size)), .real(modified)]
            ).isEmpty
        }
    }

    /// The newest job of a landing key, if any.
    public func latest(zone: String, landingKey: String) async throws(IngestionError) -> Job? {
        try await guarded("cannot read jobs") {
            try await database.query(
                "SELECT * FROM lakegate_jobs WHERE zone = ? AND landing_key = ? ORDER BY updated_at DESC LIMIT 1",
                [.text(zone), .text(landingKey)]
            ).first.map(Self.job)
        }
    }

    public func counts() async throws(IngestionError) -> [JobState: Int] {
        try await guarded("cannot count jobs") {
            var counts: [JobState: Int] = [:]
            for row in try await database.query("SELECT state, COUNT(*) AS n FROM lakegate_jobs GROUP BY state") {
                if let state = JobState(rawValue: try row.string("state")) { counts[state] = Int(try row.int64("n")) }
            }
            return counts
        }
    }

    /// Jobs in `state` whose next attempt is due, oldest first.
    public func due(_ state: JobState, now: Double, limit: Int) async throws(IngestionError) -> [Job] {
        try await guarded("cannot read jobs") {
            try await database.query(
                "SELECT * FROM lakegate_jobs WHERE state = ? AND next_attempt_at <= ? ORDER BY next_attempt_at, job_id LIMIT ?",
                [.text(state.rawValue), .real(now), .integer(Int64(limit))]
            ).map(Self.job)
        }
    }

    /// Jobs in `state` not updated since `before` (a process that held them has died).
    public func stale(_ state: JobState, before: Double, limit: Int) async throws(IngestionError) -> [Job] {
        try await guarded("cannot read jobs") {
            try await database.query(
                "SELECT * FROM lakegate_jobs WHERE state = ? AND updated_at < ? ORDER BY updated_at, job_id LIMIT ?",
                [.text(state.rawValue), .real(before), .integer(Int64(limit))]
            ).map(Self.job)
        }
    }

    /// Moves a job from one of `expected` states to `next`, setting the given columns, only if it
    /// is still in one of those states. Returns whether it moved.
    @discardableResult
    public func transition(
        _ id: String, from expected: [JobState], to next: JobState, now: Double, changes: [JobChange] = []
    ) async throws(IngestionError) -> Bool {
        try await guarded("cannot update the job", jobId: id) {
            try await database.withConnection { connection in
                try await Self.transition(connection, id, from: expected, to: next, now: now, changes: changes)
            }
        }
    }

    nonisolated(nonsending) static func transition(
        _ connection: any SQLConnection, _ id: String, from expected: [JobState], to next: JobState, now: Double,
        changes: [JobChange]
    ) async throws -> Bool {
        var assignments = ["state = ?", "updated_at = ?"]
        var binds: [SQLValue] = [.text(next.rawValue), .real(now)]
        for change in changes {
            let (column, value) = change.assignment
            assignments.append(column)
            if let value { binds.append(value) }
        }
        binds.append(.text(id))
        binds.append(contentsOf: expected.map { .text($0.rawValue) })
        let placeholders = expected.map { _ in "?" }.joined(separator: ", ")
        return try await connection.execute(
            "UPDATE lakegate_jobs SET \(assignments.joined(separator: ", ")) WHERE job_id = ? AND state IN (\(placeholders))",
            binds) == 1
    }

    // MARK: Verdicts, releases, alerts

    public struct VerdictRecord: Sendable, Equatable {
        public var jobId: String
        public var sha256: String
        /// clean, infected, unscannable
        public var verdict: String
        public var detail: String?
        public var scanner: String
        public var engineVersion: String?
        public var databaseVersion: String?
        public var scannedAt: Double

        public init(
            jobId: String, sha256: String, verdict: String, detail: String?, scanner: String, engineVersion: String?,
            databaseVersion: String?, scannedAt: Double
        ) {
            self.jobId = jobId
            self.sha256 = sha256
            self.verdict = verdict
            self.detail = detail
            self.scanner = scanner
            self.engineVersion = engineVersion
            self.databaseVersion = databaseVersion
            self.scannedAt = scannedAt
        }
    }

    /// Records a verdict and moves the job in one transaction.
    public func recordVerdict(
        _ verdict: VerdictRecord, moving id: String, from expected: [JobState], to next: JobState, changes: [JobChange]
    ) async throws(IngestionError) -> Bool {
        try await guarded("cannot record the verdict", jobId: id) {
            try await database.transaction { connection in
                try await connection.execute(
                    """
                    INSERT INTO lakegate_scan_verdicts (job_id, sha256, verdict, detail, scanner, engine_version,
                        database_version, scanned_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(verdict.jobId), .text(verdict.sha256), .text(verdict.verdict), verdict.detail.map(SQLValue.text) ?? .null,
                        .text(verdict.scanner), verdict.engineVersion.map(SQLValue.text) ?? .null,
                        verdict.databaseVersion.map(SQLValue.text) ?? .null, .real(verdict.scannedAt),
                    ])
                return try await Self.transition(connection, id, from: expected, to: next, now: verdict.scannedAt, changes: changes)
            }
        }
    }

    public func verdicts(_ id: String) async throws(IngestionError) -> [VerdictRecord] {
        try await guarded("cannot read verdicts", jobId: id) {
            try await database.query("SELECT * FROM lakegate_scan_verdicts WHERE job_id = ? ORDER BY scanned_at", [.text(id)]).map {
                row in
                VerdictRecord(
                    jobId: try row.string("job_id"), sha256: try row.string("sha256"), verdict: try row.string("verdict"),
                    detail: try row.optionalString("detail"), scanner: try row.string("scanner"),
                    engineVersion: try row.optionalString("engine_version"),
                    databaseVersion: try row.optionalString("database_version"), scannedAt: try row.double("scanned_at"))
            }
        }
    }

    /// Records an audited release from quarantine and queues the job, in one transaction.
    public func release(_ id: String, reason: String, by user: String, trustedKey: String, now: Double) async throws(IngestionError)
        -> Bool
    {
        try await guarded("cannot release the job", jobId: id) {
            try await database.transaction { connection in
                let moved = try await Self.transition(
                    connection, id, from: [.quarantined], to: .queued, now: now,
                    changes: [.trustedKey(trustedKey), .attempts(0), .nextAttemptAt(now), .lastError(nil)])
                guard moved else { return false }
                try await connection.execute(
                    "INSERT INTO lakegate_quarantine_releases (job_id, reason, released_by, released_at) VALUES (?, ?, ?, ?)",
                    [.text(id), .text(reason), .text(user), .real(now)])
                return true
            }
        }
    }

    public func releases(_ id: String) async throws(IngestionError) -> [(reason: String, by: String, at: Double)] {
        try await guarded("cannot read releases", jobId: id) {
            try await database.query(
                "SELECT reason, released_by, released_at FROM lakegate_quarantine_releases WHERE job_id = ? ORDER BY released_at",
                [.text(id)]
            ).map { (try $0.string("reason"), try $0.string("released_by"), try $0.double("released_at")) }
        }
    }

    // MARK: Landing checkpoints

    /// Where the next listing of a client's landing prefix starts (the last key of the last
    /// full page), nil to start from the beginning.
    public func checkpoint(zone: String, client: String) async throws(IngestionError) -> String? {
        try await guarded("cannot read the landing checkpoint") {
            let rows = try await database.query(
                "SELECT after_key FROM lakegate_landing_checkpoints WHERE zone = ? AND client = ?", [.text(zone), .text(client)])
            guard let key = try rows.first?.string("after_key"), !key.isEmpty else { return nil }
            return key
        }
    }

    public func setCheckpoint(zone: String, client: String, after key: String?, now: Double) async throws(IngestionError) {
        try await guarded("cannot store the landing checkpoint") {
            _ = try await database.execute(
                """
                INSERT INTO lakegate_landing_checkpoints (zone, client, after_key, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (zone, client) DO UPDATE SET after_key = excluded.after_key, updated_at = excluded.updated_at
                """,
                [.text(zone), .text(client), .text(key ?? ""), .real(now)])
        }
    }

    public func alert(_ component: String, _ message: String, now: Double) async {
        _ = try? await database.execute(
            "INSERT INTO lakegate_alerts (at, component, message) VALUES (?, ?, ?)", [.real(now), .text(component), .text(message)])
    }

    public func alerts(limit: Int) async throws(IngestionError) -> [(at: Double, component: String, message: String)] {
        try await guarded("cannot read alerts") {
            try await database.query("SELECT * FROM lakegate_alerts ORDER BY at DESC LIMIT ?", [.integer(Int64(limit))]).map {
                (try $0.double("at"), try $0.string("component"), try $0.string("message"))
            }
        }
    }

    // MARK: Rows

    static func job(_ row: SQLRow) throws -> Job {
        var job = Job(
            id: try row.string("job_id"), client: try row.string("client"), zone: try row.string("zone"),
            landingKey: try row.string("landing_key"), landingSize: Int(try row.int64("landing_size")),
            landingModified: try row.double("landing_modified"), sha256: try row.string("sha256"),
            state: JobState(rawValue: try row.string("state")) ?? .failed, now: try row.double("created_at"))
        job.attempts = Int(try row.int64("attempts"))
        job.scanAttempts = Int(try row.int64("scan_attempts"))
        job.trustedKey = try row.optionalString("trusted_key")
        job.quarantineKey = try row.optionalString("quarantine_key")
        job.table = try row.optionalString("table_name")
        job.snapshot = try row.optionalInt64("snapshot")
        job.rows = try row.optionalInt64("row_count").map(Int.init)
        job.lastError = try row.optionalString("last_error")
        job.nextAttemptAt = try row.double("next_attempt_at")
        job.updatedAt = try row.double("updated_at")
        return job
    }

    private func guarded<T>(
        _ message: String, jobId: String? = nil, _ body: () async throws -> T
    ) async throws(IngestionError) -> T {
        do {
            return try await body()
        } catch let error as IngestionError {
            throw error
        } catch {
            throw IngestionError(.unavailable, "\(message): \(error)", jobId: jobId)
        }
    }
}

/// One column a state change sets besides the state.
public enum JobChange: Sendable {
    case attempts(Int)
    case incrementAttempts
    case incrementScanAttempts
    case trustedKey(String?)
    case quarantineKey(String?)
    case table(String?)
    case snapshot(Int64?)
    case rows(Int?)
    case lastError(String?)
    case nextAttemptAt(Double)

    var assignment: (String, SQLValue?) {
        switch self {
        case .attempts(let n): ("attempts = ?", .integer(Int64(n)))
        case .incrementAttempts: ("attempts = attempts + 1", nil)
        case .incrementScanAttempts: ("scan_attempts = scan_attempts + 1", nil)
        case .trustedKey(let key): ("trusted_key = ?", key.map(SQLValue.text) ?? .null)
        case .quarantineKey(let key): ("quarantine_key = ?", key.map(SQLValue.text) ?? .null)
        case .table(let table): ("table_name = ?", table.map(SQLValue.text) ?? .null)
        case .snapshot(let snapshot): ("snapshot = ?", snapshot.map(SQLValue.integer) ?? .null)
        case .rows(let rows): ("row_count = ?", rows.map { .integer(Int64($0)) } ?? .null)
        case .lastError(let error): ("last_error = ?", error.map(SQLValue.text) ?? .null)
        case .nextAttemptAt(let time): ("next_attempt_at = ?", .real(time))
        }
    }
}
