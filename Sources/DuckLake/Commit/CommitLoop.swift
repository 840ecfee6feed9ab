import Database
import Tables

extension DuckLakeCatalog {
    /// Runs `body` as one transaction and retries it on a fresh snapshot when another writer
    /// got there first: a primary-key collision on the snapshot or file ids (two writers
    /// that read the same latest snapshot), SQLite's lock past the busy timeout, PostgreSQL's
    /// serialization failures, a connection lost before COMMIT. `body` re-reads everything
    /// it depends on, so a retry recomputes ids, row ids and statistics.
    ///
    /// When the connection dies during COMMIT the outcome is unknown: `afterUnknownOutcome`
    /// looks at the catalog (on a new connection) and returns the result if the commit
    /// landed, nil if it did not (then the loop retries). If even that cannot be found out,
    /// the error says the outcome is unknown and nothing may be cleaned up.
    func commitLoop<T>(
        subject: String,
        _ body: nonisolated(nonsending) (any SQLConnection) async throws -> T,
        afterUnknownOutcome: () async throws(TableError) -> T?
    ) async throws(TableError) -> T {
        var attempt = 0
        while true {
            let failure: DatabaseError
            do {
                return try await database.transaction { connection in
                    if connection.dialect == .postgres && retry.serializesCommits {
                        // Lakegate's writers queue here instead of colliding on the snapshot id
                        // (as BEGIN IMMEDIATE makes them on SQLite); other writers (DuckDB)
                        // still collide, and the loop retries those.
                        _ = try await connection.query("SELECT pg_advisory_xact_lock(\(DuckLakeCatalog.commitLockKey))")
                    }
                    return try await body(connection)
                }
            } catch let error as TableError {
                throw error
            } catch let error as DatabaseError {
                failure = error
            } catch {
                throw TableError(.io, "the commit failed: \(error)", subject: subject)
            }
            switch failure.kind {
            case .uniqueViolation, .busy, .serializationFailure, .connectionLost(outcomeUnknown: false):
                break
            case .connectionLost(outcomeUnknown: true):
                if let result = try await resolveUnknownOutcome(subject: subject, cause: failure, afterUnknownOutcome) {
                    return result
                }
            default:
                throw TableError.catalog(failure, "the commit failed", subject: subject)
            }
            attempt += 1
            guard attempt < retry.attempts else {
                throw TableError(
                    .conflict, "gave up after \(attempt) attempts, other writers kept committing first (last: \(failure))",
                    subject: subject)
            }
            try? await Task.sleep(for: backoff(attempt))
        }
    }

    private func resolveUnknownOutcome<T>(
        subject: String, cause: DatabaseError, _ check: () async throws(TableError) -> T?
    ) async throws(TableError) -> T? {
        var lastError: TableError?
        for attempt in 0..<retry.attempts {
            do {
                return try await check()
            } catch {
                lastError = error
            }
            try? await Task.sleep(for: backoff(attempt + 1))
        }
        throw TableError(
            .io,
            "the connection died during COMMIT and the catalog could not be read since, so whether the commit landed is unknown (\(cause)); last error: \(lastError?.description ?? "none")",
            subject: subject)
    }

    /// The PostgreSQL advisory lock that serialises Lakegate's commits to a lake (and its
    /// first initialisation).
    static let commitLockKey: Int64 = 7_745_201_831

    /// Exponential backoff with jitter: two writers that collided do not collide again.
    func backoff(_ attempt: Int) -> Duration {
        let base = Double(retry.firstDelay.components.attoseconds) / 1e18 + Double(retry.firstDelay.components.seconds)
        let cap = Double(retry.maxDelay.components.attoseconds) / 1e18 + Double(retry.maxDelay.components.seconds)
        var delay = base
        for _ in 1..<max(1, attempt) { delay *= 1.5 }
        delay = min(cap, delay) * Double.random(in: 0.5...1.0)
        return .microseconds(Int64(delay * 1_000_000))
    }
}
