import Foundation
import LakegateCore
import Logging
import Queues
import Scanning
import Synchronization
import Tables

/// Turns pending jobs into verdicts. The file is read once: every chunk goes to the scanner,
/// into the SHA-256 and into an unpublished copy in the trusted zone. Only a clean verdict on
/// exactly the bytes the job was found with publishes that copy, so the verdict always belongs
/// to the content that was scanned, even when a client replaces the file meanwhile. Infected
/// and unscannable files are copied to quarantine. The landing object is removed only after
/// its copy is durable and the job records it. A scanner that is down, slow or answering
/// errors leaves the file untrusted and pending, retried with backoff, and raises an alert.
public struct ScanStage: Sendable {
    public let zones: Zones
    public let routing: any Routing
    public let store: JobStore
    public let queue: any JobQueue
    public let scanner: any MalwareScanner
    /// Files larger than this are quarantined as unscannable without a scan.
    public var maxFileSize: Int
    public var scanRetry: RetryPolicy
    let logger: Logger
    /// The scanner's engine and database versions, asked once a minute rather than per file.
    let versions = VersionCache()

    public init(
        zones: Zones, routing: any Routing, store: JobStore, queue: any JobQueue, scanner: any MalwareScanner,
        maxFileSize: Int = 1 << 30, scanRetry: RetryPolicy = RetryPolicy(initial: 2, maximum: 300, maxAttempts: .max),
        logger: Logger = Logger(label: "lakegate.scan")
    ) {
        self.zones = zones
        self.routing = routing
        self.store = store
        self.queue = queue
        self.scanner = scanner
        self.maxFileSize = maxFileSize
        self.scanRetry = scanRetry
        self.logger = logger
    }

    public enum Outcome: Equatable, Sendable {
        case queued
        case quarantined(String)
        /// No verdict: the job waits for the scanner.
        case deferred(String)
        /// Another process took the job first.
        case skipped
        case failed(String)
    }

    /// Scans every pending job that is due, `concurrency` at a time.
    public func scanDue(limit: Int = 64, concurrency: Int = 2) async throws(IngestionError) -> [Outcome] {
        let jobs = try await store.due(.pending, now: .now, limit: limit)
        var outcomes: [Outcome] = []
        await withTaskGroup(of: Outcome.self) { group in
            var next = 0
            func add() {
                guard next < jobs.count else { return }
                let job = jobs[next]
                next += 1
                group.addTask { await self.scanReportingErrors(job) }
            }
            for _ in 0..<max(1, concurrency) { add() }
            while let outcome = await group.next() {
                outcomes.append(outcome)
                add()
            }
        }
        return outcomes
    }

    func scanReportingErrors(_ job: Job) async -> Outcome {
        do {
            return try await scan(job)
        } catch {
            logger.error("scan failed", metadata: ["job": "\(job.id)", "error": "\(error)"])
            return .failed("\(error)")
        }
    }

    /// Scans one pending job.
    public func scan(_ job: Job) async throws(IngestionError) -> Outcome {
        guard try await store.transition(job.id, from: [.pending], to: .scanning, now: .now) else { return .skipped }
        guard let client = routing.client(owning: job.landingKey) else {
            try await fail(job, "the key is under no client's prefix")
            return .failed("no client")
        }
        let landingKey: ObjectKey
        do {
            landingKey = try ObjectKey(job.landingKey)
        } catch {
            try await fail(job, "the landing key cannot be read safely: \(error.reason)")
            return .failed("hostile key")
        }
        let trustedKey: ObjectKey
        do {
            trustedKey = try ZoneKeys.copy(client: client, jobId: job.id, landingKey: job.landingKey)
        } catch {
            // Too long once it sits under the client's folder and job id: never read or copied.
            try await fail(job, error.message)
            return .failed("hostile key")
        }
        let source: any ByteRangeSource
        do {
            source = try await zones.landing.reader(for: landingKey)
        } catch where error.code == .notFound {
            try await fail(job, "the landing object disappeared before its scan")
            return .failed("vanished")
        } catch {
            return try await defer_(job, "cannot read the landing object: \(error)", component: "storage")
        }
        if source.size > maxFileSize {
            return try await quarantine(
                job, client: client, source: source, verdict: "unscannable",
                detail: "\(source.size) bytes is over the scan limit of \(maxFileSize) bytes", version: nil)
        }

        // One pass: scanner, hash and the unpublished trusted copy.
        let writer: any ObjectWriter
        do {
            writer = try zones.trusted.makeWriter(for: trustedKey)
        } catch {
            return try await defer_(job, "cannot write to the trusted zone: \(error)", component: "storage")
        }
        let verdict: ScanVerdict
        let version: ScannerVersion?
        var hasher = ContentHasher()
        do {
            version = await versions.current(scanner)
            let session = try await scanner.openSession()
            do {
                try await ChunkedReader.forEachChunk(source) { chunk in
                    chunk.withUnsafeBytes { hasher.update($0) }
                    try await session.send(chunk)
                    try writer.write(chunk)
                }
                verdict = try await session.finish()
            } catch {
                session.cancel()
                throw error
            }
        } catch let error as ScanError {
            writer.abort()
            return try await defer_(job, "no verdict: \(error)", component: "scanner")
        } catch {
            writer.abort()
            return try await defer_(job, "cannot read the file for its scan: \(error)", component: "storage")
        }
        let scanned = hasher.finish()
        guard scanned == job.sha256 else {
            // The file changed since it was found: the verdict belongs to bytes that are not this
            // job's. They are a new job, scanned on their own.
            writer.abort()
            return try await superseded(job, by: scanned, size: hasher.count)
        }

        switch verdict {
        case .clean:
            do {
                try await writer.publish()
            } catch {
                return try await defer_(job, "cannot publish the trusted copy: \(error)", component: "storage")
            }
            let record = verdictRecord(job, sha256: scanned, verdict: "clean", detail: nil, version: version)
            guard
                try await store.recordVerdict(
                    record, moving: job.id, from: [.scanning], to: .queued,
                    changes: [.trustedKey(trustedKey.path), .nextAttemptAt(.now), .lastError(nil)])
            else { return .skipped }
            try await enqueue(job, client: client, trustedKey: trustedKey)
            await removeLanding(job, key: landingKey)
            return .queued
        case .infected(let signature):
            writer.abort()
            return try await quarantine(job, client: client, source: source, verdict: "infected", detail: signature, version: version)
        case .unscannable(let reason):
            writer.abort()
            return try await quarantine(job, client: client, source: source, verdict: "unscannable", detail: reason, version: version)
        }
    }

    func enqueue(_ job: Job, client: ClientZone, trustedKey: ObjectKey) async throws(IngestionError) {
        do {
            try await queue.enqueue(
                jobId: job.id, fields: job.queueFields(trustedKey: trustedKey.path))
        } catch {
            // The job is queued in the store; the reconciliation sweep enqueues it again.
            logger.warning("enqueue failed; reconciliation will retry", metadata: ["job": "\(job.id)", "error": "\(error)"])
            await store.alert("queue", "cannot enqueue job \(job.id): \(error)", now: .now)
        }
    }

    func quarantine(
        _ job: Job, client: ClientZone, source: any ByteRangeSource, verdict: String, detail: String, version: ScannerVersion?
    ) async throws(IngestionError) -> Outcome {
        let key = try ZoneKeys.copy(client: client, jobId: job.id, landingKey: job.landingKey)
        let copied: String
        do {
            let writer = try zones.quarantine.makeWriter(for: key)
            do {
                copied = try await ChunkedReader.copy(source, into: writer)
                try await writer.publish()
            } catch {
                writer.abort()
                throw error
            }
            let reason = QuarantineReason(
                jobId: job.id, client: client.name, landingKey: job.landingKey, sha256: copied, verdict: verdict, detail: detail,
                scanner: scanner.name, engineVersion: version?.engine, databaseVersion: version?.database, at: .now)
            try await zones.quarantine.put(try ObjectKey(key.path + ".reason.json"), reason.json())
        } catch {
            return try await defer_(job, "cannot copy to quarantine: \(error)", component: "storage")
        }
        let record = verdictRecord(job, sha256: copied, verdict: verdict, detail: detail, version: version)
        guard
            try await store.recordVerdict(
                record, moving: job.id, from: [.scanning], to: .quarantined,
                changes: [.quarantineKey(key.path), .lastError("\(verdict): \(detail)")])
        else { return .skipped }
        logger.warning("quarantined", metadata: ["job": "\(job.id)", "verdict": "\(verdict)", "detail": "\(detail)"])
        await removeLanding(job, key: try? ObjectKey(job.landingKey))
        return .quarantined("\(verdict): \(detail)")
    }

    func superseded(_ job: Job, by sha256: String, size: Int) async throws(IngestionError) -> Outcome {
        let now = Double.now
        let successor = Job(
            id: JobID.make(zone: job.zone, key: job.landingKey, sha256: sha256), client: job.client, zone: job.zone,
            landingKey: job.landingKey, landingSize: size, landingModified: job.landingModified, sha256: sha256, now: now)
        try await store.insert(successor)
        try await store.transition(
            job.id, from: [.scanning], to: .failed, now: now,
            changes: [.lastError("the file was replaced before its scan ended; its new content is job \(successor.id)")])
        return .failed("superseded by \(successor.id)")
    }

    func fail(_ job: Job, _ message: String) async throws(IngestionError) {
        try await store.transition(job.id, from: [.scanning], to: .failed, now: .now, changes: [.lastError(message)])
    }

    /// No verdict: back to pending after a backoff; the file stays untrusted.
    func defer_(_ job: Job, _ message: String, component: String) async throws(IngestionError) -> Outcome {
        let now = Double.now
        let delay = scanRetry.delay(afterAttempt: job.scanAttempts + 1)
        try await store.transition(
            job.id, from: [.scanning], to: .pending, now: now,
            changes: [.incrementScanAttempts, .nextAttemptAt(now + delay), .lastError(message)])
        await store.alert(component, "job \(job.id): \(message)", now: now)
        logger.error("scan deferred", metadata: ["job": "\(job.id)", "reason": "\(message)", "retry_in_s": "\(delay)"])
        return .deferred(message)
    }

    /// Removes the landing object if it is still the version the job was found with (a newer
    /// upload under the same key stays for its own job).
    func removeLanding(_ job: Job, key: ObjectKey?) async {
        guard let key, let info = try? await zones.landing.info(key), info.size == job.landingSize,
            info.modified == job.landingModified
        else { return }
        try? await zones.landing.delete(key)
    }

    func verdictRecord(_ job: Job, sha256: String, verdict: String, detail: String?, version: ScannerVersion?)
        -> JobStore.VerdictRecord
    {
        JobStore.VerdictRecord(
            jobId: job.id, sha256: sha256, verdict: verdict, detail: detail, scanner: scanner.name,
            engineVersion: version?.engine, databaseVersion: version?.database, scannedAt: .now)
    }
}

/// The record kept beside a quarantined copy (`<copy>.reason.json`), for people looking at the
/// quarantine zone without the database.
struct QuarantineReason: Codable {
    var jobId: String
    var client: String
    var landingKey: String
    var sha256: String
    var verdict: String
    var detail: String
    var scanner: String
    var engineVersion: String?
    var databaseVersion: String?
    var at: Double

    func json() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return Array(try encoder.encode(self))
    }
}

/// The last version a scanner reported, kept for a minute (each question is a connection).
final class VersionCache: Sendable {
    private let state = Mutex<(version: ScannerVersion?, at: Double)>((nil, 0))

    func current(_ scanner: any MalwareScanner) async -> ScannerVersion? {
        let now = Double.now
        let (cached, at) = state.withLock { ($0.version, $0.at) }
        if let cached, now - at < 60 { return cached }
        guard let fresh = try? await scanner.version() else { return cached }
        state.withLock { $0 = (fresh, now) }
        return fresh
    }
}
