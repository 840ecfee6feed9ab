import LakegateCore
import Foundation
import Tables
import Transforms
import Yams

extension LakegateConfiguration {
    /// A configuration file larger than this is refused (it is read whole).
    public static let maxFileSize = 1 << 20

    /// Reads and validates the file at `path`. Relative paths inside it are resolved against
    /// the file's folder; `environment` supplies the AWS_* fallbacks of the `s3` keys.
    public static func load(
        path: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> LakegateConfiguration {
        let absolute = Paths.resolve(path, against: FileManager.default.currentDirectoryPath)
        let text: String
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: absolute)
            if let size = attributes[.size] as? NSNumber, size.intValue > maxFileSize {
                throw ConfigurationError(.limitExceeded, "the file is larger than \(maxFileSize >> 10) KiB", file: path)
            }
            let data = try Data(contentsOf: URL(fileURLWithPath: absolute))
            guard data.count <= maxFileSize else {
                throw ConfigurationError(.limitExceeded, "the file is larger than \(maxFileSize >> 10) KiB", file: path)
            }
            guard let decoded = String(data: data, encoding: .utf8) else {
                throw ConfigurationError(.syntax, "the file is not UTF-8 text", file: path)
            }
            text = decoded
        } catch let error as ConfigurationError {
            throw error
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? "no such file or not readable"
            throw ConfigurationError(.io, "cannot read the file: \(reason)", file: path)
        }
        let folder = (absolute as NSString).deletingLastPathComponent
        do {
            return try parse(yaml: text, environment: environment, baseDirectory: folder)
        } catch {
            var located = error
            located.file = path
            throw located
        }
    }

    /// Parses and validates YAML text. Relative paths are resolved against `baseDirectory`
    /// (the working directory when nil).
    public static func parse(
        yaml: String, environment: [String: String] = ProcessInfo.processInfo.environment, baseDirectory: String? = nil
    ) throws(ConfigurationError) -> LakegateConfiguration {
        guard yaml.utf8.count <= maxFileSize else {
            throw ConfigurationError(.limitExceeded, "the document is larger than \(maxFileSize >> 10) KiB")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw Self.translate(error)
        } catch {
            throw ConfigurationError(.syntax, "not YAML")
        }
        var loader = Loader(
            environment: environment, base: baseDirectory ?? FileManager.default.currentDirectoryPath)
        let configuration = try loader.read(root)
        do {
            try configuration.validate()
        } catch {
            var located = error
            located.line = located.line ?? loader.lines[located.keyPath]
            throw located
        }
        return configuration
    }

    /// Yams's errors quote the document around the problem; only the position and the
    /// parser's own words are kept (the document may hold a password).
    static func translate(_ error: YamlError) -> ConfigurationError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ConfigurationError(.syntax, "not valid YAML: \(problem)", line: mark.line)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return ConfigurationError(.syntax, "a mapping repeats the key \(keys)", line: context.mark.line)
        case .reader(let problem, _, _, _):
            return ConfigurationError(.syntax, "not valid YAML text: \(problem)")
        default:
            return ConfigurationError(.syntax, "not valid YAML")
        }
    }
}

/// Reads the document into a configuration, key by key, remembering each key's line.
struct Loader {
    static let maxNodes = 100_000
    static let maxClients = 1000
    static let maxRulesPerClient = 1000
    static let maxStepsPerTable = 200

    let environment: [String: String]
    let base: String
    var lines: [String: Int] = [:]
    let budget = NodeBudget(Loader.maxNodes)

    init(environment: [String: String], base: String) {
        self.environment = environment
        self.base = base
    }

    static let rootKeys = [
        "data_dir", "lake", "data_path", "state", "zones", "s3", "scanner", "queue", "workers", "discovery",
        "notifications", "housekeeping", "clients",
    ]

    mutating func mapping(_ node: YAMLNode, _ keys: [String]?) throws(ConfigurationError) -> YAMLMapping {
        let mapping = try node.mapping(allowed: keys)
        for entry in mapping.entries { if let line = entry.value.line { lines[entry.value.path.description] = line } }
        return mapping
    }

    mutating func read(_ root: Node?) throws(ConfigurationError) -> LakegateConfiguration {
        guard let root else { return try defaults(nil) }
        let node = try YAMLNode(root, path: KeyPath(), budget: budget)
        if node.isNull { return try defaults(nil) }
        return try defaults(try mapping(node, Self.rootKeys))
    }

    private func path(_ node: YAMLNode) throws(ConfigurationError) -> String {
        Paths.resolve(try node.nonEmptyString(), against: base)
    }

    private mutating func defaults(_ root: YAMLMapping?) throws(ConfigurationError) -> LakegateConfiguration {
        var dataDirectory = Paths.resolve("lakegate-data", against: base)
        if let node = root?["data_dir"] { dataDirectory = try path(node) }
        var configuration = LakegateConfiguration(dataDirectory: dataDirectory)
        guard let root else {
            configuration.s3 = try s3(nil)
            return configuration
        }
        configuration.lake = try lake(root["lake"], dataPath: root["data_path"], dataDirectory: dataDirectory)
        if let node = root["state"] {
            configuration.state = try state(node)
        } else if configuration.lake.format == .hive {
            configuration.state = .sqlite(path: dataDirectory + "/state.sqlite")
        }
        if let node = root["zones"] {
            let zones = try mapping(node, ["landing", "trusted", "quarantine"])
            if let landing = zones["landing"] { configuration.zones.landing = try zone(landing) }
            if let trusted = zones["trusted"] { configuration.zones.trusted = try zone(trusted) }
            if let quarantine = zones["quarantine"] { configuration.zones.quarantine = try zone(quarantine) }
        }
        configuration.s3 = try s3(root["s3"])
        if let node = root["scanner"] { configuration.scanner = try scanner(node) }
        if let node = root["queue"] { configuration.queue = try queue(node) }
        if let node = root["workers"] {
            let workers = try mapping(node, ["count", "idle_exit", "batch_rows"])
            if let count = workers["count"] { configuration.workers.count = try count.integer(in: 0...1024) }
            if let idle = workers["idle_exit"] { configuration.workers.idleExit = try idle.duration() }
            if let rows = workers["batch_rows"] { configuration.workers.batchRows = try rows.integer(in: 1...10_000_000) }
        }
        if let node = root["discovery"] {
            let discovery = try mapping(node, ["interval", "reconcile_interval", "page_size"])
            if let size = discovery["page_size"] { configuration.discovery.pageSize = try size.integer(in: 1...10_000) }
            if let interval = discovery["interval"] { configuration.discovery.interval = try interval.duration() }
            if let reconcile = discovery["reconcile_interval"] {
                configuration.discovery.reconcileInterval = try reconcile.duration(in: .seconds(1) ... .seconds(365 * 86_400))
            }
        }
        if let node = root["notifications"] {
            let notifications = try mapping(node, ["listen"])
            if let listen = notifications["listen"] {
                let text = try listen.string()
                guard let (host, port) = HostPort.parse(text.trimmingSpaces) else {
                    throw listen.error(.invalidValue, "'\(text)' is not host:port (127.0.0.1:8089, [::1]:8089)")
                }
                configuration.notifications.listen = ListenAddress(host: host, port: port)
            }
        }
        if let node = root["housekeeping"] {
            let housekeeping = try mapping(node, ["orphan_grace"])
            if let grace = housekeeping["orphan_grace"] {
                // Shorter than a minute would sweep files that a running append has not committed yet.
                configuration.housekeeping.orphanGrace = try grace.duration(in: .seconds(60) ... .seconds(365 * 86_400))
            }
        }
        if let node = root["clients"] { configuration.clients = try clients(node) }
        return configuration
    }

    // MARK: Lake, state, zones

    private mutating func lake(_ node: YAMLNode?, dataPath: YAMLNode?, dataDirectory: String) throws(ConfigurationError) -> LakeLocation {
        // Checked as a zone is: a folder, file:///path or s3://bucket/prefix.
        let dataFolder = try dataPath.map { node throws(ConfigurationError) -> String in
            switch try zone(node) {
            case .folder(let path): path
            case .s3(let bucket, let prefix): "s3://\(bucket)/" + (prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix)
            }
        }
        guard let node else {
            let embedded = LakeLocation.embedded(root: dataDirectory)
            guard let dataFolder else { return embedded }
            return LakeLocation(format: embedded.format, catalog: embedded.catalog, dataPath: dataFolder)
        }
        let text = try node.nonEmptyString()
        let parsed: LakeLocation
        do {
            parsed = try LakeLocation(parsing: text.trimmingSpaces, dataPath: dataFolder)
        } catch {
            // The text may hold a PostgreSQL password: describe the problem, never the value.
            if error.reason.contains("--data-path") {
                throw node.error(.invalidValue, "a PostgreSQL catalog needs data_path (where the data files go)")
            }
            throw node.error(
                .invalidValue, "expected ducklake:sqlite:PATH, ducklake:postgres:URL, iceberg:sqlite:PATH, iceberg:postgres:URL or hive:DIR")
        }
        switch parsed.catalog {
        case .sqlite(let path):
            let resolved = Paths.resolve(path, against: base)
            return LakeLocation(format: parsed.format, catalog: .sqlite(path: resolved), dataPath: dataFolder ?? resolved + ".files")
        case .none:
            return LakeLocation(format: .hive, catalog: .none, dataPath: dataFolder ?? Paths.resolve(parsed.dataPath, against: base))
        case .postgres:
            return parsed
        }
    }

    private func state(_ node: YAMLNode) throws(ConfigurationError) -> StateLocation {
        let text = try node.nonEmptyString().trimmingSpaces
        if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw node.error(.invalidValue, "sqlite: needs a path") }
            return .sqlite(path: Paths.resolve(path, against: base))
        }
        if text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") {
            guard text.count > "postgres://".count + 1 else { throw node.error(.invalidValue, "the PostgreSQL URL has no host") }
            return .postgres(Secret(text))
        }
        throw node.error(.invalidValue, "expected sqlite:PATH or postgresql://…")
    }

    private func zone(_ node: YAMLNode) throws(ConfigurationError) -> ZoneLocation {
        let text = try node.nonEmptyString().trimmingSpaces
        if text.hasPrefix("s3://") {
            let rest = text.dropFirst("s3://".count)
            let bucket = String(rest.prefix { $0 != "/" })
            if let problem = ZoneLocation.bucketProblem(bucket) { throw node.error(.invalidValue, problem) }
            var prefix = String(rest.dropFirst(bucket.count))
            while prefix.hasPrefix("/") { prefix.removeFirst() }
            guard !prefix.contains("//"), !prefix.split(separator: "/").contains(".."), prefix.utf8.count <= 512 else {
                throw node.error(.invalidValue, "the key prefix has an empty or '..' part, or is longer than 512 bytes")
            }
            if !prefix.isEmpty, !prefix.hasSuffix("/") { prefix += "/" }
            return .s3(bucket: bucket, prefix: prefix)
        }
        if text.hasPrefix("file://") {
            let path = String(text.dropFirst("file://".count))
            guard path.hasPrefix("/") else { throw node.error(.invalidValue, "a file:// URL names an absolute path (file:///srv/landing)") }
            return .folder(Paths.resolve(path, against: "/"))
        }
        if let scheme = text.range(of: "://") {
            throw node.error(.invalidValue, "unsupported scheme '\(text[..<scheme.lowerBound])' (a folder, file:///path or s3://bucket/prefix)")
        }
        return .folder(Paths.resolve(text, against: base))
    }

    // MARK: S3, scanner, queue

    private mutating func s3(_ node: YAMLNode?) throws(ConfigurationError) -> S3Settings {
        var settings = S3Settings()
        let s3 = try node.map { node throws(ConfigurationError) in
            try mapping(node, ["endpoint", "region", "addressing", "access_key_id", "secret_access_key", "session_token"])
        }
        func environmentValue(_ names: [String]) -> (String, String)? {
            for name in names { if let value = environment[name], !value.isEmpty { return (name, value) } }
            return nil
        }
        if let endpoint = s3?["endpoint"] {
            settings.endpoint = try Self.endpoint(try endpoint.nonEmptyString(), node: endpoint, source: nil)
        } else if let (name, value) = environmentValue(["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]) {
            settings.endpoint = try Self.endpoint(value, node: nil, source: name)
        }
        if let region = s3?["region"] {
            settings.region = try Self.region(try region.nonEmptyString(), node: region, source: nil)
        } else if let (name, value) = environmentValue(["AWS_REGION", "AWS_DEFAULT_REGION"]) {
            settings.region = try Self.region(value, node: nil, source: name)
        }
        if let addressing = s3?["addressing"] {
            let text = try addressing.string()
            guard let value = S3Settings.Addressing(rawValue: text) else {
                throw addressing.error(.invalidValue, "'\(text)' is not path or virtual")
            }
            settings.addressing = value
        }
        if let key = s3?["access_key_id"] {
            settings.accessKeyID = try key.nonEmptyString()
        } else if let (_, value) = environmentValue(["AWS_ACCESS_KEY_ID"]) {
            settings.accessKeyID = value
        }
        if let secret = s3?["secret_access_key"] {
            settings.secretAccessKey = Secret(try secret.nonEmptyString())
        } else if let (_, value) = environmentValue(["AWS_SECRET_ACCESS_KEY"]) {
            settings.secretAccessKey = Secret(value)
        }
        if let token = s3?["session_token"] {
            settings.sessionToken = Secret(try token.nonEmptyString())
        } else if let (_, value) = environmentValue(["AWS_SESSION_TOKEN"]) {
            settings.sessionToken = Secret(value)
        }
        return settings
    }

    private static func endpoint(_ text: String, node: YAMLNode?, source: String?) throws(ConfigurationError) -> String {
        let trimmed = text.trimmingSpaces
        let scheme = trimmed.hasPrefix("https://") ? "https://" : (trimmed.hasPrefix("http://") ? "http://" : nil)
        var problem: String?
        if let scheme {
            let authority = trimmed.dropFirst(scheme.count).prefix { $0 != "/" }
            if authority.contains("@") {
                problem = "an endpoint carries no credentials (use access_key_id and secret_access_key)"
            } else if authority.isEmpty || (HostPort.parse(String(authority)) == nil && !HostPort.isHostName(authority)) {
                problem = "the endpoint has no valid host"
            }
        } else {
            problem = "an endpoint is http://host[:port] or https://host[:port]"
        }
        guard let problem else { return trimmed.hasSuffix("/") ? String(trimmed.dropLast()) : trimmed }
        let message = source.map { "\(problem) (from \($0))" } ?? problem
        throw node?.error(.invalidValue, message) ?? ConfigurationError(.invalidValue, message, keyPath: "s3.endpoint")
    }

    private static func region(_ text: String, node: YAMLNode?, source: String?) throws(ConfigurationError) -> String {
        let trimmed = text.trimmingSpaces
        guard (1...32).contains(trimmed.utf8.count),
            trimmed.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D })
        else {
            let message = "'\(trimmed)' is not a region (lowercase letters, digits and '-': eu-west-1)" + (source.map { " (from \($0))" } ?? "")
            throw node?.error(.invalidValue, message) ?? ConfigurationError(.invalidValue, message, keyPath: "s3.region")
        }
        return trimmed
    }

    private mutating func backoff(_ node: YAMLNode, _ defaults: Backoff) throws(ConfigurationError) -> Backoff {
        let entries = try mapping(node, ["initial", "max"])
        var result = defaults
        if let initial = entries["initial"] { result.initial = try initial.duration() }
        if let maximum = entries["max"] { result.maximum = try maximum.duration() }
        return result
    }

    private mutating func scanner(_ node: YAMLNode) throws(ConfigurationError) -> ScannerSettings {
        let entries = try mapping(node, ["clamd", "timeout", "max_file_size", "chunk_size", "retry"])
        var settings = ScannerSettings()
        if let clamd = entries["clamd"] {
            let text = try clamd.string()
            guard let address = ClamdAddress.parse(text.trimmingSpaces) else {
                throw clamd.error(.invalidValue, "'\(text)' is not tcp://host:port or unix:/path/to/clamd.ctl")
            }
            settings.clamd = address
        }
        if let timeout = entries["timeout"] { settings.timeout = try timeout.duration(in: .milliseconds(100) ... .seconds(86_400)) }
        if let size = entries["max_file_size"] { settings.maxFileSize = try size.size(in: 1...(1 << 40)) }
        if let chunk = entries["chunk_size"] { settings.chunkSize = Int(try chunk.size(in: 1024...(64 << 20))) }
        if let retry = entries["retry"] { settings.retry = try backoff(retry, settings.retry) }
        return settings
    }

    private mutating func queue(_ node: YAMLNode) throws(ConfigurationError) -> QueueSettings {
        let entries = try mapping(node, [
            "kind", "redis_url", "stream", "group", "dead_letter_stream", "visibility_timeout", "max_attempts", "backoff",
        ])
        var settings = QueueSettings()
        if let kind = entries["kind"] {
            let text = try kind.string()
            guard let value = QueueSettings.Kind(rawValue: text) else {
                throw kind.error(.invalidValue, "'\(text)' is not embedded or redis")
            }
            settings.kind = value
        }
        if let url = entries["redis_url"] {
            // Never quoted back: the URL may hold a password.
            guard let parsed = RedisURL.parse(try url.nonEmptyString().trimmingSpaces) else {
                throw url.error(.invalidValue, "expected redis://[user:password@]host[:port][/db] or rediss://…")
            }
            settings.redisURL = parsed
        }
        func name(_ node: YAMLNode?) throws(ConfigurationError) -> String? {
            guard let node else { return nil }
            let text = try node.nonEmptyString()
            guard text.utf8.count <= 256, !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 }) else {
                throw node.error(.invalidValue, "a stream or group name is 1 to 256 characters without spaces")
            }
            return text
        }
        if let stream = try name(entries["stream"]) { settings.stream = stream }
        if let group = try name(entries["group"]) { settings.group = group }
        if let dead = try name(entries["dead_letter_stream"]) { settings.deadLetterStream = dead }
        if let timeout = entries["visibility_timeout"] {
            settings.visibilityTimeout = try timeout.duration(in: .seconds(1) ... .seconds(86_400))
        }
        if let attempts = entries["max_attempts"] { settings.maxAttempts = try attempts.integer(in: 1...1000) }
        if let backoff = entries["backoff"] { settings.backoff = try self.backoff(backoff, settings.backoff) }
        return settings
    }

    // MARK: Clients and tables

    private mutating func clients(_ node: YAMLNode) throws(ConfigurationError) -> [ClientConfiguration] {
        let entries = try mapping(node, nil)
        guard entries.entries.count <= Self.maxClients else {
            throw node.error(.limitExceeded, "more than \(Self.maxClients) clients")
        }
        var clients: [ClientConfiguration] = []
        for entry in entries.entries {
            let name = entry.key
            guard (1...64).contains(name.utf8.count), name.utf8.allSatisfy(ClientNames.isAllowed) else {
                throw entry.value.error(.invalidValue, "a client name is 1 to 64 letters, digits, '_' or '-'")
            }
            var client = ClientConfiguration(name: name)
            if !entry.value.isNull {
                let fields = try mapping(entry.value, ["prefix", "tables"])
                if let prefix = fields["prefix"] { client.prefix = try self.prefix(prefix) }
                if let tables = fields["tables"] {
                    let rules = try tables.sequence()
                    guard rules.count <= Self.maxRulesPerClient else {
                        throw tables.error(.limitExceeded, "more than \(Self.maxRulesPerClient) table rules")
                    }
                    for rule in rules { client.tables.append(try tableRule(rule, client: name)) }
                }
            }
            clients.append(client)
        }
        return clients
    }

    private func prefix(_ node: YAMLNode) throws(ConfigurationError) -> String {
        var text = try node.nonEmptyString()
        guard !text.hasPrefix("/") else { throw node.error(.invalidValue, "a prefix is relative to the landing zone: no leading '/'") }
        if !text.hasSuffix("/") { text += "/" }
        let parts = text.dropLast().split(separator: "/", omittingEmptySubsequences: false)
        guard text.utf8.count <= 512, !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw node.error(.invalidValue, "a prefix is up to 512 bytes of folder names, none empty, '.' or '..'")
        }
        return text
    }

    private mutating func tableRule(_ node: YAMLNode, client: String) throws(ConfigurationError) -> TableRule {
        let entries = try mapping(node, ["match", "table", "format", "partition", "transforms"])
        guard let matchNode = entries["match"] else {
            throw node.error(.missingKey, "a table rule needs 'match' (a glob relative to the client's prefix)")
        }
        guard let tableNode = entries["table"] else { throw node.error(.missingKey, "a table rule needs 'table'") }
        let match: GlobPattern
        do {
            match = try GlobPattern(try matchNode.nonEmptyString())
        } catch {
            throw matchNode.error(error.code, error.message)
        }
        let tableText = try tableNode.nonEmptyString().trimmingSpaces
        let table: TableIdentifier
        do {
            table = tableText.contains(".")
                ? try TableIdentifier(parsing: tableText) : try TableIdentifier(namespace: client, name: tableText)
        } catch {
            throw tableNode.error(.invalidValue, error.reason)
        }
        var rule = TableRule(match: match, table: table)
        if let format = entries["format"] {
            let text = try format.string()
            guard let value = InputFormat(rawValue: text.lowercased()) else {
                var message = "'\(text)' is not a format (auto, json, csv, parquet, avro)"
                if let hint = Spelling.closest(to: text, among: InputFormat.allCases.map(\.rawValue), maxLengthDifference: 3) { message += "; did you mean '\(hint)'?" }
                throw format.error(.invalidValue, message)
            }
            rule.format = value
        }
        if let partition = entries["partition"] {
            let fields = try partition.stringList()
            for (index, field) in fields.enumerated() {
                do {
                    _ = try CalendarTransform.parse(field)
                } catch {
                    let item = (try? partition.sequence()).map { $0[index] } ?? partition
                    throw item.error(.invalidValue, error.reason)
                }
            }
            rule.partition = fields
        }
        if let transforms = entries["transforms"] {
            var steps: [TransformStep] = []
            let items = try transforms.sequence()
            for item in items { steps += try transformSteps(item) }
            guard steps.count <= Self.maxStepsPerTable else {
                throw transforms.error(.limitExceeded, "more than \(Self.maxStepsPerTable) transform steps")
            }
            rule.transforms = TransformPipeline(steps)
        }
        return rule
    }

    static let stepKinds = ["derive", "rename", "cast", "drop", "filter"]

    /// One list item: a mapping with one of the step kinds (a `derive`, `rename` or `cast`
    /// with several entries gives one step per entry, in order).
    private mutating func transformSteps(_ node: YAMLNode) throws(ConfigurationError) -> [TransformStep] {
        let entries = try mapping(node, Self.stepKinds)
        guard entries.entries.count == 1, let entry = entries.entries.first else {
            throw node.error(.invalidValue, "a transform is one of derive, rename, cast, drop or filter (one per list item)")
        }
        let value = entry.value
        func step(_ at: YAMLNode, _ build: () throws(TransformError) -> TransformStep) throws(ConfigurationError) -> TransformStep {
            do {
                return try build()
            } catch {
                let text = error.expression.map { "`\($0)`: " } ?? ""
                throw at.error(.invalidTransform, text + error.shortDescription)
            }
        }
        switch entry.key {
        case "filter":
            let text = try value.nonEmptyString()
            return [try step(value) { () throws(TransformError) in try .parseFilter(text) }]
        case "drop":
            let columns = try value.stringList()
            return [try step(value) { () throws(TransformError) in try .parseDrop(columns) }]
        default:
            let pairs = try mapping(value, nil)
            guard !pairs.entries.isEmpty else { throw value.error(.invalidValue, "\(entry.key) needs at least one entry") }
            var steps: [TransformStep] = []
            for pair in pairs.entries {
                let text = try pair.value.nonEmptyString()
                let column = pair.key
                switch entry.key {
                case "derive":
                    steps.append(try step(pair.value) { () throws(TransformError) in try .parseDerive(column: column, expression: text) })
                case "rename":
                    steps.append(try step(pair.value) { () throws(TransformError) in try .parseRename(from: column, to: text) })
                default:
                    steps.append(try step(pair.value) { () throws(TransformError) in try .parseCast(column: column, type: text) })
                }
            }
            return steps
        }
    }
}

enum ClientNames {
    static func isAllowed(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
            || byte == 0x2D
    }
}
