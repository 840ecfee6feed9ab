public import Tables
public import Transforms

// LakegateConfiguration (Sources/Configuration): lakegate.yaml as typed values.
//   LakegateConfiguration.swift  the settings structs, their defaults, table routing
//   Values/      secrets and redaction, durations and sizes, addresses (clamd, Redis, zones,
//                listen), paths, `GlobPattern`
//   Loading/     `YAMLReader` (Yams nodes with key paths, lines, unknown-key hints and a node
//                budget) and `ConfigurationLoader` (load/parse, key by key, environment fallbacks)
//   Validation.swift   `validate()`: what no single value can check
//   Description.swift  `redactedDescription`
// docs/CONFIGURATION.md documents every key; lakegate.example.yaml shows them all.

/// lakegate.yaml as typed, validated values. Every key is optional; the defaults are the
/// embedded setup (a DuckLake in SQLite under `./lakegate-data`, folders for the zones, the
/// embedded queue, clamd on localhost). docs/CONFIGURATION.md documents each key.
///
/// Paths are absolute once loaded (relative ones are resolved against the configuration
/// file's folder). The values are plain Sendable structs; `validate()` checks what no single
/// value can (prefixes that overlap, retry bounds), and the loader runs it.
public struct LakegateConfiguration: Sendable, CustomStringConvertible, CustomReflectable {
    /// Folder of everything embedded (catalog, data files, zones, state) unless set otherwise.
    public var dataDirectory: String
    public var lake: LakeLocation
    /// Where jobs and the embedded queue keep their state.
    public var state: StateLocation
    public var zones: Zones
    public var s3: S3Settings
    public var scanner: ScannerSettings
    public var queue: QueueSettings
    public var workers: WorkerSettings
    public var discovery: DiscoverySettings
    public var notifications: NotificationSettings
    public var housekeeping: HousekeepingSettings
    /// In the order the file lists them.
    public var clients: [ClientConfiguration]

    /// The embedded setup under `dataDirectory` (absolute or relative to the working directory).
    public init(dataDirectory: String = "lakegate-data") {
        self.dataDirectory = dataDirectory
        lake = .embedded(root: dataDirectory)
        state = .lakeCatalog
        zones = Zones(dataDirectory: dataDirectory)
        s3 = S3Settings()
        scanner = ScannerSettings()
        queue = QueueSettings()
        workers = WorkerSettings()
        discovery = DiscoverySettings()
        notifications = NotificationSettings()
        housekeeping = HousekeepingSettings()
        clients = []
    }

    public struct Zones: Sendable, Hashable {
        /// Where clients drop files, one prefix per client.
        public var landing: ZoneLocation
        /// Where accepted files are kept after ingestion.
        public var trusted: ZoneLocation
        /// Where infected or unreadable files go.
        public var quarantine: ZoneLocation

        public init(dataDirectory: String) {
            landing = .folder(dataDirectory + "/landing")
            trusted = .folder(dataDirectory + "/trusted")
            quarantine = .folder(dataDirectory + "/quarantine")
        }

        public init(landing: ZoneLocation, trusted: ZoneLocation, quarantine: ZoneLocation) {
            self.landing = landing
            self.trusted = trusted
            self.quarantine = quarantine
        }
    }

    public var description: String { redactedDescription }
    public var customMirror: Mirror {
        // `dump` shows the redacted text rather than reflecting into values that hold passwords.
        Mirror(self, children: ["redacted": redactedDescription], displayStyle: .struct)
    }
}

public struct S3Settings: Sendable, Hashable {
    public enum Addressing: String, Sendable, Hashable, CaseIterable {
        /// `https://endpoint/bucket/key` (MinIO, moto, most S3-compatible stores).
        case path
        /// `https://bucket.endpoint/key` (AWS's preferred form).
        case virtual
    }

    /// `http(s)://host[:port]`; nil means AWS's regional endpoint.
    public var endpoint: String?
    public var region: String
    public var addressing: Addressing
    public var accessKeyID: String?
    public var secretAccessKey: Secret?
    public var sessionToken: Secret?

    public init(
        endpoint: String? = nil, region: String = "us-east-1", addressing: Addressing = .path, accessKeyID: String? = nil,
        secretAccessKey: Secret? = nil, sessionToken: Secret? = nil
    ) {
        self.endpoint = endpoint
        self.region = region
        self.addressing = addressing
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

/// A retry schedule: waits start at `initial` and double up to `maximum`.
public struct Backoff: Sendable, Hashable {
    public var initial: Duration
    public var maximum: Duration

    public init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = maximum
    }
}

public struct ScannerSettings: Sendable, Hashable {
    public var clamd: ClamdAddress
    /// How long one scan may take before it counts as failed (and is retried).
    public var timeout: Duration
    /// Files larger than this are quarantined unscanned (clamd's StreamMaxLength must allow it).
    public var maxFileSize: Int64
    /// Bytes per INSTREAM chunk.
    public var chunkSize: Int
    /// Waits between attempts when clamd is unreachable.
    public var retry: Backoff

    public init(
        clamd: ClamdAddress = .tcp(host: "127.0.0.1", port: 3310), timeout: Duration = .seconds(30),
        maxFileSize: Int64 = 1 << 30, chunkSize: Int = 256 << 10,
        retry: Backoff = Backoff(initial: .seconds(2), maximum: .seconds(300))
    ) {
        self.clamd = clamd
        self.timeout = timeout
        self.maxFileSize = maxFileSize
        self.chunkSize = chunkSize
        self.retry = retry
    }
}

public struct QueueSettings: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A table in the state database, with leases.
        case embedded
        /// Redis Streams with a consumer group.
        case redis
    }

    public var kind: Kind
    public var redisURL: RedisURL
    public var stream: String
    public var group: String
    public var deadLetterStream: String
    /// A job not acknowledged within this time is delivered again.
    public var visibilityTimeout: Duration
    /// Deliveries before a job goes to the dead-letter stream.
    public var maxAttempts: Int
    public var backoff: Backoff

    public init(
        kind: Kind = .embedded, redisURL: RedisURL = RedisURL(host: "127.0.0.1"), stream: String = "ingestion_requests",
        group: String = "lakegate", deadLetterStream: String = "ingestion_requests:dead",
        visibilityTimeout: Duration = .seconds(300), maxAttempts: Int = 5,
        backoff: Backoff = Backoff(initial: .seconds(1), maximum: .seconds(300))
    ) {
        self.kind = kind
        self.redisURL = redisURL
        self.stream = stream
        self.group = group
        self.deadLetterStream = deadLetterStream
        self.visibilityTimeout = visibilityTimeout
        self.maxAttempts = maxAttempts
        self.backoff = backoff
    }
}

public struct WorkerSettings: Sendable, Hashable {
    /// Worker count; 0 means one per core (`effectiveCount`).
    public var count: Int
    /// Exit after this long without work (nil: run until stopped).
    public var idleExit: Duration?
    /// Rows per record batch read from input files.
    public var batchRows: Int

    public init(count: Int = 0, idleExit: Duration? = nil, batchRows: Int = 32_768) {
        self.count = count
        self.idleExit = idleExit
        self.batchRows = batchRows
    }

    /// `count`, or the number of active cores when it is 0.
    public func effectiveCount(cores: Int) -> Int { count > 0 ? count : max(1, cores) }
}

public struct DiscoverySettings: Sendable, Hashable {
    /// How often the landing zone is listed for new files.
    public var interval: Duration
    /// How often jobs are compared with the catalog and the zones to repair what was missed.
    public var reconcileInterval: Duration
    /// Keys listed per client prefix and pass, continuing from a stored checkpoint.
    public var pageSize: Int

    public init(interval: Duration = .seconds(2), reconcileInterval: Duration = .seconds(300), pageSize: Int = 1000) {
        self.interval = interval
        self.reconcileInterval = reconcileInterval
        self.pageSize = pageSize
    }
}

public struct NotificationSettings: Sendable, Hashable {
    /// Where the HTTP endpoint for S3 event notifications listens (nil: no endpoint).
    public var listen: ListenAddress?

    public init(listen: ListenAddress? = nil) { self.listen = listen }
}

public struct HousekeepingSettings: Sendable, Hashable {
    /// Files no snapshot references are deleted once older than this.
    public var orphanGrace: Duration

    public init(orphanGrace: Duration = .seconds(3600)) { self.orphanGrace = orphanGrace }
}

/// One client: a prefix in the landing zone and the rules that route its files to tables.
public struct ClientConfiguration: Sendable, Hashable {
    /// `[A-Za-z0-9_-]{1,64}`.
    public var name: String
    /// Ends with `/`; no two clients' prefixes overlap.
    public var prefix: String
    /// Tried in order; the first whose pattern matches a file wins.
    public var tables: [TableRule]

    public init(name: String, prefix: String? = nil, tables: [TableRule] = []) {
        self.name = name
        self.prefix = prefix ?? name + "/"
        self.tables = tables
    }
}

public enum InputFormat: String, Sendable, Hashable, CaseIterable {
    case auto, json, csv, parquet, avro
}

public struct TableRule: Sendable, Hashable {
    /// Relative to the client's prefix.
    public var match: GlobPattern
    public var table: TableIdentifier
    public var format: InputFormat
    /// Partition fields as the tables take them: a column, or `year(c)`, `month(c)`, `day(c)`, `hour(c)`.
    public var partition: [String]
    /// Parsed (syntax checked); types are checked when the file's schema is known.
    public var transforms: TransformPipeline

    public init(
        match: GlobPattern, table: TableIdentifier, format: InputFormat = .auto, partition: [String] = [],
        transforms: TransformPipeline = TransformPipeline()
    ) {
        self.match = match
        self.table = table
        self.format = format
        self.partition = partition
        self.transforms = transforms
    }
}

/// Where a landing-zone file goes: the rule that matched it.
public struct TableRoute: Sendable, Hashable {
    public var client: String
    /// Index of the rule in the client's `tables`.
    public var ruleIndex: Int
    /// The key relative to the client's prefix (what the rule matched).
    public var relativeKey: String
    public var table: TableIdentifier
    public var format: InputFormat
    public var partition: [String]
    public var transforms: TransformPipeline
}

extension LakegateConfiguration {
    /// The client whose prefix holds `key` (a key in the landing zone).
    public func client(forKey key: String) -> ClientConfiguration? {
        clients.first { key.hasPrefix($0.prefix) }
    }

    /// The first of the client's rules that matches `key`, a key in the landing zone (it starts
    /// with the client's prefix; the rules match what follows it). Nil when the client does
    /// not exist, the key is outside its prefix, or no rule matches.
    public func table(forClient name: String, key: String) -> TableRoute? {
        guard let client = clients.first(where: { $0.name == name }), key.hasPrefix(client.prefix) else { return nil }
        return table(forClient: name, relativeKey: String(key.dropFirst(client.prefix.count)))
    }

    /// The first of the client's rules that matches `relativeKey` (already relative to the prefix).
    public func table(forClient name: String, relativeKey: String) -> TableRoute? {
        guard let client = clients.first(where: { $0.name == name }) else { return nil }
        for (index, rule) in client.tables.enumerated() where rule.match.matches(relativeKey) {
            return TableRoute(
                client: client.name, ruleIndex: index, relativeKey: relativeKey, table: rule.table, format: rule.format,
                partition: rule.partition, transforms: rule.transforms)
        }
        return nil
    }

    /// The route of a landing-zone key: its client (by prefix), then that client's first matching rule.
    public func route(forKey key: String) -> TableRoute? {
        guard let client = client(forKey: key) else { return nil }
        return table(forClient: client.name, key: key)
    }
}
