import Database
import Foundation
import Queues
import Scanning
import Tables
import Testing

@testable import Ingestion

/// The whole file path on the embedded pieces: local zones, a DuckLake on SQLite, the job store
/// in the same database, the in-memory queue and scanner.
final class Pipeline {
    let root = NSTemporaryDirectory() + "lakegate-ingest-\(UUID().uuidString)"
    let zones: Zones
    let landing: LocalObjectStore
    let store: JobStore
    let queue: InMemoryJobQueue
    let scanner: InMemoryScanner
    let catalog: any TableCatalog
    let routing: StaticRouting
    let discovery: Discovery
    let scan: ScanStage
    let worker: Worker

    init(maxAttempts: Int = 3, maxFileSize: Int = 1 << 30) async throws {
        landing = try LocalObjectStore(root: root + "/landing")
        zones = Zones(
            landing: landing, trusted: try LocalObjectStore(root: root + "/trusted"),
            quarantine: try LocalObjectStore(root: root + "/quarantine"))
        let location = LakeLocation(format: .ducklake, catalog: .sqlite(path: root + "/catalog.sqlite"), dataPath: root + "/files")
        catalog = try await Lake.openLocal(location)
        store = try await JobStore(database: try await DatabaseURL.open("sqlite:" + root + "/catalog.sqlite"))
        queue = InMemoryJobQueue(policy: QueuePolicy(visibilityTimeout: .seconds(60), maxDeliveries: 10))
        scanner = InMemoryScanner()
        routing = StaticRouting.oneTable(clients: [ClientZone(name: "acme"), ClientZone(name: "globex")])
        discovery = Discovery(zones: zones, routing: routing, store: store, settle: 0)
        scan = ScanStage(
            zones: zones, routing: routing, store: store, queue: queue, scanner: scanner, maxFileSize: maxFileSize,
            scanRetry: RetryPolicy(initial: 0, maximum: 0, maxAttempts: .max))
        worker = Worker(
            zones: zones, routing: routing, store: store, queue: queue, catalog: catalog,
            retry: RetryPolicy(initial: 0, maximum: 0, maxAttempts: maxAttempts), consumer: "test")
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func drop(_ key: String, _ text: String) async throws {
        try await landing.put(try ObjectKey(key), Array(text.utf8))
    }

    /// Discovery, scans and workers until nothing is left to do.
    @discardableResult
    func runUntilIdle() async throws -> [Worker.Outcome] {
        var outcomes: [Worker.Outcome] = []
        for _ in 0..<50 {
            _ = try await discovery.discover()
            _ = try await scan.scanDue()
            let done = try await worker.runOnce(limit: 10, wait: .zero)
            outcomes += done
            if done.isEmpty, try await store.due(.pending, now: .now, limit: 1).isEmpty { break }
        }
        return outcomes
    }

    func rows(_ table: String) async throws -> Int {
        try await catalog.describe(try TableIdentifier(parsing: table))?.recordCount ?? 0
    }

    func landingKeys() async throws -> [String] { try await landing.list(under: nil).map(\.key.path) }
}

@Suite struct PipelineTests {
    static let events = (0..<3).map { #"{"id": \#($0), "value": \#($0 * 10)}"# }.joined(separator: "\n") + "\n"
    static let eicar = String(decoding: InMemoryScanner.Signature.eicar.bytes, as: UTF8.self)

    @Test func cleanFilesLandOnceInfectedOnesInQuarantine() async throws {
        let pipeline = try await Pipeline()
        try await pipeline.drop("acme/incoming/a.ndjson", Self.events)
        try await pipeline.drop("globex/incoming/b.csv", "id,name\n1,x\n2,y\n")
        try await pipeline.drop("acme/incoming/bad.txt", Self.eicar)
        try await pipeline.drop("nobody/incoming/c.ndjson", Self.events)  // under no client's prefix
        let outcomes = try await pipeline.runUntilIdle()
        #expect(outcomes.filter { if case .completed = $0 { true } else { false } }.count == 2)
        #expect(try await pipeline.rows("acme.files") == 3)
        #expect(try await pipeline.rows("globex.files") == 2)
        #expect(try await pipeline.store.counts() == [.completed: 2, .quarantined: 1])
        // Landing keeps only what belongs to nobody; every scanned file's landing copy is gone.
        #expect(try await pipeline.landingKeys() == ["nobody/incoming/c.ndjson"])
        let quarantined = try #require(try await pipeline.store.jobs(state: .quarantined).first)
        #expect(quarantined.lastError == "infected: Eicar-Test-Signature")
        let copy = try ObjectKey(try #require(quarantined.quarantineKey))
        #expect(copy.path == "acme/incoming/\(quarantined.id)-bad.txt")
        #expect(try await pipeline.zones.quarantine.get(copy, limit: 1 << 20) == Array(Self.eicar.utf8))
        let reason = try await pipeline.zones.quarantine.get(try ObjectKey(copy.path + ".reason.json"), limit: 1 << 20)
        #expect(String(decoding: reason, as: UTF8.self).contains("Eicar-Test-Signature"))
        #expect(try await pipeline.zones.trusted.list(under: try ObjectKey("acme/\(quarantined.id)")).isEmpty)
        let verdicts = try await pipeline.store.verdicts(quarantined.id)
        #expect(verdicts.map(\.verdict) == ["infected"])
        #expect(verdicts.first?.sha256 == quarantined.sha256)
    }

    @Test func aSecondDeliveryOfACommittedJobChangesNothing() async throws {
        let pipeline = try await Pipeline()
        try await pipeline.drop("acme/incoming/a.ndjson", Self.events)
        try await pipeline.runUntilIdle()
        let job = try #require(try await pipeline.store.jobs(state: .completed).first)
        // As if a worker died after its commit and before the acknowledgement: the message comes back.
        try await pipeline.queue.enqueue(jobId: job.id, fields: [:])
        #expect(try await pipeline.worker.runOnce(limit: 1, wait: .zero) == [.alreadyDone])
        // And a worker that died after the commit but before recording completion: the lake's
        // idempotency key answers.
        try await pipeline.store.transition(job.id, from: [.completed], to: .queued, now: .now)
        try await pipeline.queue.enqueue(jobId: job.id, fields: [:])
        #expect(try await pipeline.worker.runOnce(limit: 1, wait: .zero) == [.alreadyDone])
        #expect(try await pipeline.store.job(job.id)?.state == .completed)
        #expect(try await pipeline.rows("acme.files") == 3)
    }

    @Test func theSameUploadTwiceIsIngestedOnce() async throws {
        let pipeline = try await Pipeline()
        try await pipeline.drop("acme/incoming/a.ndjson", Self.events)
        try await pipeline.runUntilIdle()
        try await pipeline.drop("acme/incoming/a.ndjson", Self.events)  // same key, same bytes
        try await pipeline.runUntilIdle()
        #expect(try await pipeline.rows("acme.files") == 3)
        #expect(try await pipeline.landingKeys().isEmpty)
        try await pipeline.drop("acme/incoming/copy-of-a.ndjson", Self.events)  // another key: another upload
        try await pipeline.runUntilIdle()
        #expect(try await pipeline.rows("acme.files") == 6)
        #expect(try await pipeline.store.counts() == [.completed: 2])
    }

    @Test func aScannerThatIsDownLeavesFilesUntrustedUntilItIsBack() async throws {
        let pipeline = try await Pipeline()
        try await pipeline.drop("acme/incoming/a.ndjson", Self.events)
        pipeline.scanner.fail(with: .unavailable)
        _ = try await pipeline.discovery.discover()
        #expect(try await pipeline.scan.scanDue().allSatisfy { if case .deferred = $0 { true } else { false } })
        let job = try #require(try await pipeline.store.jobs().first)
        #expect(job.state == .pending)
        #expect(job.scanAttempts == 1)
        #expect(try await pipeline.zones.trusted.list(under: nil).isEmpty)
        #expect(try await pipeline.landingKeys() == ["acme/incoming/a.ndjson"])
        #expect(try await pipeline.store.alerts(limit: 5).first?.component == "scanner")
        // The scanner fails mid-stream too: still nothing trusted.
        pipeline.scanner.fail(with: .timeout, at: .finish)
        _ = try await pipeline.scan.scanDue()
        #expect(try await pipeline.zones.trusted.list(under: nil).isEmpty)
        pipeline.scanner.fail(with: nil)
        try await pipeline.runUntilIdle()
        #expect(try await pipeline.rows("acme.files") == 3)
    }

    @Test func aPoisonFileGoesDeadWithItsErrorAndBlocksNothing() async throws {
        let pipeline = try await Pipeline(maxAttempts: 3)
        try await pipeline.drop("acme/incoming/poison.ndjson", "{\"id\": 1}\n{\"id\": ")
        try await pipeline.drop("acme/incoming/good.ndjson", Self.events)
        let outcomes = try await pipeline.runUntilIdle()
        #expect(outcomes.filter { if case .retrying = $0 { true } else { false } }.count == 2)
        #expect(outcomes.filter { if case .dead = $0 { true } else { false } }.count == 1)
        let dead = try #require(try await pipeline.store.jobs(state: .dead).first)
        #expect(dead.attempts == 3)
        #expect(dead.lastError?.contains("poison.ndjson") == true)
        #expect(try await pipeline.queue.deadLetters(limit: 10).map(\.jobId) == [dead.id])
        #expect(try await pipeline.rows("acme.files") == 3)
    }

    @Test func aFileOverTheScanLimitIsQuarantinedAsUnscannable() async throws {
        let pipeline = try await Pipeline(maxFileSize: 16)
        try await pipeline.drop("acme/incoming/big.ndjson", Self.events)
        try await pipeline.runUntilIdle()
        let job = try #require(try await pipeline.store.jobs().first)
        #expect(job.state == .quarantined)
        #expect(job.lastError?.hasPrefix("unscannable: ") == true)
        #expect(pipeline.scanner.sessionsOpened == 0)
    }

    @Test func aFileReplacedBeforeItsScanIsJudgedOnTheBytesScanned() async throws {
        let pipeline = try await Pipeline()
        try await pipeline.drop("acme/incoming/a.ndjson", Self.events)
        let found = try await pipeline.discovery.discover()
        #expect(found.count == 1)
        // The client overwrites the file with infected bytes after discovery, before the scan.
        try await pipeline.drop("acme/incoming/a.ndjson", Self.eicar)
        _ = try await pipeline.scan.scanDue()
        #expect(try await pipeline.store.job(found[0].id)?.state == .failed)
        try await pipeline.runUntilIdle()
        #expect(try await pipeline.rows("acme.files") == 0)
        #expect(try await pipeline.store.counts()[.quarantined] == 1)
        #expect(try await pipeline.zones.trusted.list(under: nil).isEmpty)
    }

    @Test func outsideProducersMessagesAreScannedFirstAndHostileOnesRefused() async throws {
        let pipeline = try await Pipeline()
        try await pipeline.drop("acme/incoming/a.ndjson", Self.events)
        try await pipeline.drop("globex/secret.ndjson", Self.events)
        // A producer names a landing object directly: it becomes a pending job, scanned, then loaded.
        try await pipeline.queue.enqueue(jobId: "ext-1", fields: ["client_id": "acme", "key": "acme/incoming/a.ndjson"])
        #expect(try await pipeline.worker.runOnce(limit: 1, wait: .zero) == [.ignored("recorded as a pending job; it is scanned before it is loaded")])
        #expect(try await pipeline.store.counts() == [.pending: 1])
        // Keys outside the named client's prefix, climbing out of it, or of unknown clients, go dead.
        for (id, client, key) in [
            ("ext-2", "acme", "globex/secret.ndjson"), ("ext-3", "acme", "acme/../globex/secret.ndjson"),
            ("ext-4", "mallory", "acme/incoming/a.ndjson"), ("ext-5", "acme", "/etc/passwd"),
        ] {
            try await pipeline.queue.enqueue(jobId: id, fields: ["client_id": client, "key": key])
            let outcome = try await pipeline.worker.runOnce(limit: 1, wait: .zero)
            #expect(outcome.count == 1 && { if case .dead = outcome[0] { true } else { false } }(), "\(id)")
        }
        #expect(try await pipeline.queue.deadLetters(limit: 10).map(\.jobId).sorted() == ["ext-2", "ext-3", "ext-4", "ext-5"])
        try await pipeline.runUntilIdle()
        #expect(try await pipeline.rows("acme.files") == 3)
        #expect(try await pipeline.rows("globex.files") == 3)  // globex's own file, under globex
    }

    /// Listing works page by page from a checkpoint stored in the catalog database, so a
    /// restarted process goes on after the last full page, and a short page starts over.
    @Test func discoveryListsPageByPageFromAStoredCheckpoint() async throws {
        let pipeline = try await Pipeline()
        for name in ["a", "b", "c", "d", "e"] { try await pipeline.drop("acme/incoming/\(name).ndjson", Self.events) }
        try await pipeline.drop("globex/incoming/g.ndjson", Self.events)
        func pass(_ discovery: Discovery) async throws -> [String] {
            try await discovery.discover().map(\.landingKey).sorted()
        }
        func paged() -> Discovery {
            Discovery(zones: pipeline.zones, routing: pipeline.routing, store: pipeline.store, settle: 0, pageSize: 2)
        }
        #expect(try await pass(paged()) == ["acme/incoming/a.ndjson", "acme/incoming/b.ndjson", "globex/incoming/g.ndjson"])
        #expect(try await pipeline.store.checkpoint(zone: pipeline.zones.landingName, client: "acme") == "acme/incoming/b.ndjson")
        #expect(try await pipeline.store.checkpoint(zone: pipeline.zones.landingName, client: "globex") == nil)
        // A new process (a new Discovery) starts after the stored checkpoint, not at "a".
        #expect(try await pass(paged()) == ["acme/incoming/c.ndjson", "acme/incoming/d.ndjson"])
        try await pipeline.drop("acme/incoming/0-late.ndjson", Self.events)
        #expect(try await pass(paged()) == ["acme/incoming/e.ndjson"])
        #expect(try await pipeline.store.checkpoint(zone: pipeline.zones.landingName, client: "acme") == nil)
        // After the short page the listing starts over and finds the file that sorts first.
        #expect(try await pass(paged()) == ["acme/incoming/0-late.ndjson"])
    }

    @Test func copiesStayInsideTheClientsFolder() throws {
        let client = ClientZone(name: "acme")
        #expect(try ZoneKeys.copy(client: client, jobId: "j1", landingKey: "acme/incoming/x.csv").path == "acme/incoming/j1-x.csv")
        #expect(try ZoneKeys.copy(client: client, jobId: "j1", landingKey: "acme/x.csv").path == "acme/j1-x.csv")
        let long = String(repeating: "n", count: 253)
        #expect(try ZoneKeys.copy(client: client, jobId: "j1", landingKey: "acme/in/" + long).path == "acme/in/j1/" + long)
        #expect(throws: IngestionError.self) { try ZoneKeys.copy(client: client, jobId: "j1", landingKey: "globex/incoming/x.csv") }
        #expect(throws: IngestionError.self) { try ZoneKeys.copy(client: client, jobId: "j1", landingKey: "acmex/incoming/x.csv") }
        #expect(throws: IngestionError.self) { try ZoneKeys.copy(client: client, jobId: "j1", landingKey: "acme/../globex/x.csv") }
        let routing = StaticRouting.oneTable(clients: [ClientZone(name: "acme"), ClientZone(name: "acme-eu")])
        #expect(routing.client(owning: "acme-eu/incoming/a.csv")?.name == "acme-eu")
        #expect(routing.client(owning: "acme/incoming/a.csv")?.name == "acme")
        #expect(routing.client(owning: "аcme/incoming/a.csv") == nil)  // Cyrillic а
    }

    @Test func jobIdsDependOnZoneKeyAndContent() {
        let a = JobID.make(zone: "file:///l/", key: "acme/a.csv", sha256: "00")
        #expect(a == JobID.make(zone: "file:///l/", key: "acme/a.csv", sha256: "00"))
        #expect(a != JobID.make(zone: "file:///l/", key: "acme/a.csv", sha256: "01"))
        #expect(a != JobID.make(zone: "file:///m/", key: "acme/a.csv", sha256: "00"))
        #expect(JobID.make(zone: "ab", key: "c", sha256: "") != JobID.make(zone: "a", key: "bc", sha256: ""))
        #expect(a.count == 32)
    }

    @Test func retryPolicyBacksOffAndGivesUp() {
        let policy = RetryPolicy(initial: 1, maximum: 10, maxAttempts: 5)
        #expect((1...5).map { policy.delay(afterAttempt: $0) } == [1, 2, 4, 8, 10])
        #expect(policy.afterFailure(attempts: 4) == .retry(after: 8))
        #expect(policy.afterFailure(attempts: 5) == .giveUp)
    }
}
