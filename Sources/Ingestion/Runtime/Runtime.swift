import Columnar
import Database
import Foundation
import Synchronization
import LakegateConfiguration
import Queues
import Redis
import S3
import Scanning
import StorageS3
import Tables
import Transforms

/// Everything a Lakegate process needs, built from `lakegate.yaml`: the zones, the routing of
/// clients to tables, the job store, the queue, the scanner and the lake. The one place that
/// picks concrete adapters (local or S3 storage, embedded or Redis queue, clamd).
public final class Runtime: Sendable {
    public let configuration: LakegateConfiguration
    public let zones: Zones
    public let routing: any Routing
    public let store: JobStore
    public let queue: any JobQueue
    public let scanner: any MalwareScanner
    let catalogHandle: CatalogHandle
    let s3Client: S3Client?
    let redisClient: RedisClient?

    public var catalog: any TableCatalog { catalogHandle.catalog }

    public static func open(
        _ configuration: LakegateConfiguration, environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> Runtime {
        let s3 = try Self.s3Client(configuration, environment: environment)
        let zones = Zones(
            landing: try configuration.zones.landing.objectStore(s3: s3),
            trusted: try configuration.zones.trusted.objectStore(s3: s3),
            quarantine: try configuration.zones.quarantine.objectStore(s3: s3))
        let catalog = try await Lake.open(configuration.lake, s3: s3)
        let stateURL: String
        switch configuration.state {
        case .lakeCatalog:
            stateURL = Lake.stateDatabase(for: configuration.lake, fallback: "sqlite:" + configuration.dataDirectory + "/state.sqlite")
        case .sqlite(let path): stateURL = "sqlite:" + path
        case .postgres(let url): stateURL = url.value
        }
        let database = try await DatabaseURL.open(stateURL)
        let store = try await JobStore(database: database)
        let policy = QueuePolicy(
            visibilityTimeout: configuration.queue.visibilityTimeout,
            // The queue counts deliveries; the job store counts load attempts and decides when
            // a job is dead. Deliveries beyond that (crashed workers) still end in dead letters.
            maxDeliveries: configuration.queue.maxAttempts * 2)
        let queue: any JobQueue
        var redis: RedisClient?
        switch configuration.queue.kind {
        case .embedded:
            queue = try await SQLJobQueue(database: database, policy: policy)
        case .redis:
            let url = configuration.queue.redisURL
            let client = RedisClient(
                configuration: RedisConfiguration(
                    host: url.host, port: url.port, username: url.username, password: url.password?.value, database: url.database))
            redis = client
            queue = try await RedisStreamsJobQueue(
                client: client, stream: configuration.queue.stream, group: configuration.queue.group,
                deadLetterStream: configuration.queue.deadLetterStream, policy: policy)
        }
        let address: Scanning.ClamdAddress =
            switch configuration.scanner.clamd {
            case .tcp(let host, let port): .tcp(host: host, port: port)
            case .unix(let path): .unix(path)
            }
        let scanner = ClamdScanner(
            address: address, timeout: configuration.scanner.timeout, maxStreamSize: Int(configuration.scanner.maxFileSize))
        return Runtime(
            configuration: configuration, zones: zones, routing: ConfiguredRouting(configuration), store: store, queue: queue,
            scanner: scanner, catalog: catalog, s3: s3, redis: redis)
    }

    init(
        configuration: LakegateConfiguration, zones: Zones, routing: any Routing, store: JobStore, queue: any JobQueue,
        scanner: any MalwareScanner, catalog: any TableCatalog, s3: S3Client?, redis: RedisClient?
    ) {
        self.configuration = configuration
        self.zones = zones
        self.routing = routing
        self.store = store
        self.queue = queue
        self.scanner = scanner
        catalogHandle = CatalogHandle(catalog: catalog)
        s3Client = s3
        redisClient = redis
    }

    public func close() async {
        await queue.close()
        await catalog.close()
        try? await store.database.close()
        await redisClient?.close()
        try? await s3Client?.shutdown()
    }

    /// Moves a job from one of `states` to queued (with `changes`) and enqueues it; false when
    /// the job was in none of those states (another process moved it first).
    @discardableResult
    public func requeue(_ job: Job, from states: [JobState], changes: [JobChange] = []) async throws(IngestionError) -> Bool {
        guard try await store.transition(job.id, from: states, to: .queued, now: .now, changes: changes) else { return false }
        do {
            try await queue.enqueue(jobId: job.id, fields: job.queueFields())
        } catch {
            throw IngestionError(.unavailable, "cannot enqueue: \(error)", jobId: job.id)
        }
        return true
    }

    /// Deletes the lake's files that no commit references and that are older than
    /// `housekeeping.orphan_grace` (left by workers killed between writing and committing).
    public func sweepUnreferencedFiles() async throws -> Int {
        try await catalog.sweepUnreferencedFiles(olderThan: configuration.housekeeping.orphanGrace.seconds)
    }

    // MARK: Stages

    /// With no client configured, takes the landing zone's top-level folders as clients.
    public func adoptClientsFromLanding() async throws {
        guard let routing = routing as? ConfiguredRouting, configuration.clients.isEmpty else { return }
        // The top-level folder names only: listing every object each pass would cost the backlog.
        routing.adopt(try await zones.landing.folders(under: nil))
    }

    public func discovery(settle: Double = 1) -> Discovery {
        Discovery(
            zones: zones, routing: routing, store: store, settle: settle, pageSize: configuration.discovery.pageSize)
    }

    /// The intake of S3 event notifications for this landing zone.
    public func notificationIntake() -> NotificationIntake {
        var bucket: String?
        if case .s3(let name, _) = configuration.zones.landing { bucket = name }
        return NotificationIntake(discovery: discovery(settle: 0), bucket: bucket)
    }

    public func scanStage() -> ScanStage {
        ScanStage(
            zones: zones, routing: routing, store: store, queue: queue, scanner: scanner,
            maxFileSize: Int(configuration.scanner.maxFileSize),
            scanRetry: RetryPolicy(
                initial: configuration.scanner.retry.initial.seconds, maximum: configuration.scanner.retry.maximum.seconds,
                maxAttempts: .max))
    }

    public func worker(consumer: String) -> Worker {
        Worker(
            zones: zones, routing: routing, store: store, queue: queue, catalog: catalog,
            loader: FileLoader(batchRows: configuration.workers.batchRows),
            retry: RetryPolicy(
                initial: configuration.queue.backoff.initial.seconds, maximum: configuration.queue.backoff.maximum.seconds,
                maxAttempts: configuration.queue.maxAttempts),
            consumer: consumer, heartbeat: configuration.queue.visibilityTimeout / 3)
    }

    // MARK: Adapters

    static func s3Client(_ configuration: LakegateConfiguration, environment: [String: String]) throws -> S3Client? {
        let zones = [configuration.zones.landing, configuration.zones.trusted, configuration.zones.quarantine, Lake.dataZone(configuration.lake)]
        guard zones.contains(where: { if case .s3 = $0 { true } else { false } }) else { return nil }
        let settings = configuration.s3
        let credentials: S3Credentials
        if let key = settings.accessKeyID, let secret = settings.secretAccessKey {
            credentials = S3Credentials(accessKeyId: key, secretAccessKey: secret.value, sessionToken: settings.sessionToken?.value)
        } else if let fromEnvironment = S3Credentials.fromEnvironment(environment) {
            credentials = fromEnvironment
        } else {
            throw IngestionError(.invalidArgument, "an s3:// zone or data path needs credentials: s3.access_key_id and s3.secret_access_key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        }
        return try S3Client(
            configuration: S3Configuration(
                endpoint: settings.endpoint, region: settings.region, addressing: settings.addressing == .virtual ? .virtualHost : .path,
                credentials: credentials))
    }
}

/// Clients and table rules from the configuration. A client with no rules sends every file to
/// `<client>.files`. Without any configured client (the embedded default), each top-level
/// folder of the landing zone whose name is a valid client name is a client (`adopt`).
final class ConfiguredRouting: Routing {
    let configuration: LakegateConfiguration
    private let adopted = Mutex<[ClientZone]>([])

    init(_ configuration: LakegateConfiguration) {
        self.configuration = configuration
    }

    var clients: [ClientZone] {
        configuration.clients.map { ClientZone(name: $0.name, prefix: $0.prefix) } + adopted.withLock { $0 }
    }

    /// Takes these folder names as clients when the configuration names none.
    func adopt(_ names: [String]) {
        guard configuration.clients.isEmpty else { return }
        let valid = names.filter(Self.isClientName).sorted().map { ClientZone(name: $0) }
        adopted.withLock { $0 = valid }
    }

    static func isClientName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F }
    }

    func route(client: String, relativeKey: String) -> Ingestion.TableRoute? {
        guard let settings = configuration.clients.first(where: { $0.name == client }) else {
            guard adopted.withLock({ $0.contains { $0.name == client } }) else { return nil }
            return (try? TableIdentifier(namespace: client, name: "files")).map { Ingestion.TableRoute(table: $0) }
        }
        if settings.tables.isEmpty {
            return (try? TableIdentifier(namespace: client, name: "files")).map { Ingestion.TableRoute(table: $0) }
        }
        guard let rule = configuration.table(forClient: client, relativeKey: relativeKey) else { return nil }
        let pipeline = rule.transforms
        let format: FormatChoice = FormatChoice(rule.format.rawValue)
        var route = Ingestion.TableRoute(table: rule.table, format: format.inputFormat, partitionBy: rule.partition)
        if !pipeline.isEmpty {
            route.transform = { @Sendable (schema: Schema) throws -> any BatchTransform in
                let compiled: CompiledTransform = try pipeline.compile(for: schema)
                return TransformAdapter(compiled: compiled)
            }
        }
        return route
    }
}

/// A configured transform pipeline compiled for one input schema.
struct TransformAdapter: BatchTransform {
    let compiled: CompiledTransform
    var outputSchema: Schema { compiled.outputSchema }
    func apply(_ batch: RecordBatch) throws -> RecordBatch { try compiled.apply(batch) }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
