import Foundation
import Logging
import Queues
import Tables

/// Takes jobs from the queue and loads them. A message only says which job to run; the job
/// store says whether it still needs running, and the lake's idempotency key makes a second
/// run of a committed job a no-op, so a message delivered twice (a worker killed after its
/// commit, before its acknowledgement) never duplicates rows.
public struct Worker: Sendable {
    public let zones: Zones
    public let routing: any Routing
    public let store: JobStore
    public let queue: any JobQueue
    let catalog: CatalogHandle
    public var loader: FileLoader
    public var retry: RetryPolicy
    public let consumer: String
    /// How often a running job's lease is extended.
    public var heartbeat: Duration
    let logger: Logger

    public init(
        zones: Zones, routing: any Routing, store: JobStore, queue: any JobQueue, catalog: any TableCatalog,
        loader: FileLoader = FileLoader(), retry: RetryPolicy = RetryPolicy(), consumer: String,
        heartbeat: Duration = .seconds(30), logger: Logger = Logger(label: "lakegate.worker")
    ) {
        self.zones = zones
        self.routing = routing
        self.store = store
        self.queue = queue
        self.catalog = CatalogHandle(catalog: catalog)
        self.loader = loader
        self.retry = retry
        self.consumer = consumer
        self.heartbeat = heartbeat
        self.logger = logger
    }

    public enum Outcome: Equatable, Sendable {
        case completed(rows: Int)
        /// Committed by an earlier delivery: acknowledged, nothing changed.
        case alreadyDone
        case retrying(after: Double, error: String)
        case dead(String)
        case failed(String)
        /// A message about a job that is not ready or not ours to run (acknowledged).
        case ignored(String)
    }

    /// Receives up to `limit` messages (waiting up to `wait`) and processes them one by one.
    /// Returns what happened to each.
    public func runOnce(limit: Int = 1, wait: Duration = .seconds(1)) async throws(IngestionError) -> [Outcome] {
        let messages: [QueueMessage]
        do {
            messages = try await queue.receive(consumer: consumer, limit: limit, wait: wait)
        } catch {
            throw IngestionError(.unavailable, "cannot receive from \(queue.name): \(error)")
        }
        var outcomes: [Outcome] = []
        for message in messages { outcomes.append(await process(message)) }
        return outcomes
    }

    /// Handles one delivery, acknowledging or releasing it.
    public func process(_ message: QueueMessage) async -> Outcome {
        do {
            let outcome = try await withLease(message) { try await run(message) }
            switch outcome {
            case .retrying(let delay, _):
                try await queue.release(message, after: .milliseconds(Int64(delay * 1000)))
            case .dead(let reason):
                try await queue.deadLetter(message, reason: reason)
            default:
                try await queue.acknowledge(message)
            }
            return outcome
        } catch {
            // The store or queue is unreachable: leave the message; its lease runs out and it
            // comes back. The job store still says where the job stands.
            logger.error("cannot finish a delivery", metadata: ["job": "\(message.jobId)", "error": "\(error)"])
            return .retrying(after: 0, error: "\(error)")
        }
    }

    func run(_ message: QueueMessage) async throws -> Outcome {
        guard let job = try await store.job(message.jobId) else { return try await adopt(message) }
        switch job.state {
        case .completed: return .alreadyDone
        case .queued, .running: break
        case .pending, .scanning: return .ignored("not scanned yet")
        case .quarantined, .failed, .dead: return .ignored("job is \(job.state.rawValue)")
        }
        let route = route(for: job)
        var taking: [JobChange] = [.incrementAttempts]
        if let route { taking.append(.table(route.table.description)) }
        guard try await store.transition(job.id, from: [.queued, .running], to: .running, now: .now, changes: taking) else {
            return .ignored("taken by another worker")
        }
        let attempts = job.attempts + 1
        do {
            let outcome = try await load(job, route: route)
            let (snapshot, rows): (Int64, Int?) =
                switch outcome {
                case .committed(let snapshot, _, let rows): (snapshot, rows)
                case .alreadyCommitted(let snapshot): (snapshot, nil)
                }
            var changes: [JobChange] = [.snapshot(snapshot), .lastError(nil)]
            if let rows { changes.append(.rows(rows)) }
            try await store.transition(job.id, from: [.running], to: .completed, now: .now, changes: changes)
            if case .alreadyCommitted = outcome { return .alreadyDone }
            return .completed(rows: rows ?? 0)
        } catch let error as IngestionError where !error.isRetryable && error.code != .badInput {
            try await store.transition(job.id, from: [.running], to: .failed, now: .now, changes: [.lastError(error.message)])
            return .failed(error.message)
        } catch {
            let description = "\(error)"
            switch retry.afterFailure(attempts: attempts) {
            case .retry(let delay):
                try await store.transition(
                    job.id, from: [.running], to: .queued, now: .now,
                    changes: [.lastError(description), .nextAttemptAt(.now + delay)])
                logger.warning("load failed; will retry", metadata: ["job": "\(job.id)", "attempt": "\(attempts)", "error": "\(description)"])
                return .retrying(after: delay, error: description)
            case .giveUp:
                try await store.transition(job.id, from: [.running], to: .dead, now: .now, changes: [.lastError(description)])
                logger.error("job dead", metadata: ["job": "\(job.id)", "attempts": "\(attempts)", "error": "\(description)"])
                return .dead("failed \(attempts) times; last error: \(description)")
            }
        }
    }

    /// A message from an outside producer (`XADD ingestion_requests * job_id J client_id C bucket
    /// B key K`): the key must lie under that client's prefix in the landing zone; the file is
    /// then recorded as a pending job like any upload, and scanned before anything trusts it.
    func adopt(_ message: QueueMessage) async throws -> Outcome {
        guard let clientName = message.fields["client_id"], let key = message.fields["key"] else {
            return .dead("no such job, and the message names no client_id and key")
        }
        guard let client = routing.clients.first(where: { $0.name == clientName }) else {
            return .dead("unknown client \(clientName)")
        }
        guard client.relative(key) != nil, let objectKey = try? ObjectKey(key) else {
            return .dead("key is not under client \(clientName)'s prefix \(client.prefix) or cannot be read safely")
        }
        guard let info = try await zones.landing.info(objectKey) else {
            // Found by discovery first (and already moved on), or never there.
            if let known = try await store.latest(zone: zones.landingName, landingKey: key) {
                return .ignored("the landing object is job \(known.id) already")
            }
            return .dead("no such object in the landing zone: \(key)")
        }
        let discovery = Discovery(zones: zones, routing: routing, store: store, settle: 0)
        _ = try await discovery.record(info, client: client)
        return .ignored("recorded as a pending job; it is scanned before it is loaded")
    }

    /// The table rule for a job's file: by its client and its key relative to the client's prefix.
    func route(for job: Job) -> TableRoute? {
        guard let client = routing.clients.first(where: { $0.name == job.client }), let relative = client.relative(job.landingKey)
        else { return nil }
        return routing.route(client: client.name, relativeKey: relative)
    }

    /// Loads the job's trusted copy by `route` (nil: no rule matches, an error that says why).
    func load(_ job: Job, route: TableRoute?) async throws -> CommitOutcome {
        guard let route else {
            guard routing.clients.contains(where: { $0.name == job.client }) else {
                throw IngestionError(.invalidArgument, "client \(job.client) is not configured", jobId: job.id)
            }
            throw IngestionError(.invalidArgument, "no table rule of client \(job.client) matches \(job.landingKey)", jobId: job.id)
        }
        guard let trustedPath = job.trustedKey, let trustedKey = try? ObjectKey(trustedPath) else {
            throw IngestionError(.invalidState, "the job has no trusted copy", jobId: job.id)
        }
        let copy = try await LocalCopy.make(zones.trusted, trustedKey)
        defer { copy.cleanup() }
        do {
            return try await loader.load(path: copy.path, route: route, catalog: catalog.catalog, jobId: job.id)
        } catch let error as IngestionError {
            throw error
        } catch let error as TableError where error.code == .io {
            throw IngestionError(.unavailable, "\(error)", jobId: job.id, subject: route.table.description)
        } catch {
            throw IngestionError(.badInput, "\(error)", jobId: job.id, subject: trustedPath)
        }
    }

    /// Runs `body` while a child task extends the message's lease every `heartbeat`.
    func withLease<T: Sendable>(_ message: QueueMessage, _ body: () async throws -> T) async throws -> T {
        let queue = self.queue
        let interval = heartbeat
        let keeper = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { return }
                try? await queue.extendLease(message)
            }
        }
        defer { keeper.cancel() }
        return try await body()
    }
}

/// A table catalog shared by the workers of one process. The catalogs serialize their own
/// database work (a connection pool or one SQLite connection), so sharing is safe.
struct CatalogHandle: @unchecked Sendable {
    let catalog: any TableCatalog
}
