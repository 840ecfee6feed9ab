import Tables
import Transforms

extension LakegateConfiguration {
    /// The effective configuration as YAML-like text, defaults included, with every secret
    /// replaced by `<redacted>`: what `lakegate config` shows and what logs may hold.
    public var redactedDescription: String {
        var lines: [String] = []
        func add(_ indent: Int, _ key: String, _ value: String? = nil) {
            let pad = String(repeating: "  ", count: indent)
            lines.append(value.map { "\(pad)\(key): \($0)" } ?? "\(pad)\(key):")
        }
        func duration(_ d: Duration) -> String { DurationText.format(d) }
        func secret(_ s: Secret?) -> String { s == nil ? "null" : "<redacted>" }
        func backoff(_ indent: Int, _ key: String, _ b: Backoff) {
            add(indent, key)
            add(indent + 1, "initial", duration(b.initial))
            add(indent + 1, "max", duration(b.maximum))
        }

        add(0, "data_dir", dataDirectory)
        add(0, "lake", lakeText)
        add(0, "data_path", lake.format == .hive ? "null" : lake.dataPath)
        add(0, "state", state.description)
        add(0, "zones")
        add(1, "landing", zones.landing.description)
        add(1, "trusted", zones.trusted.description)
        add(1, "quarantine", zones.quarantine.description)
        add(0, "s3")
        add(1, "endpoint", s3.endpoint ?? "null")
        add(1, "region", s3.region)
        add(1, "addressing", s3.addressing.rawValue)
        add(1, "access_key_id", s3.accessKeyID ?? "null")
        add(1, "secret_access_key", secret(s3.secretAccessKey))
        add(1, "session_token", secret(s3.sessionToken))
        add(0, "scanner")
        add(1, "clamd", scanner.clamd.description)
        add(1, "timeout", duration(scanner.timeout))
        add(1, "max_file_size", SizeText.format(scanner.maxFileSize))
        add(1, "chunk_size", SizeText.format(Int64(scanner.chunkSize)))
        backoff(1, "retry", scanner.retry)
        add(0, "queue")
        add(1, "kind", queue.kind.rawValue)
        add(1, "redis_url", queue.redisURL.description)
        add(1, "stream", queue.stream)
        add(1, "group", queue.group)
        add(1, "dead_letter_stream", queue.deadLetterStream)
        add(1, "visibility_timeout", duration(queue.visibilityTimeout))
        add(1, "max_attempts", "\(queue.maxAttempts)")
        backoff(1, "backoff", queue.backoff)
        add(0, "workers")
        add(1, "count", "\(workers.count)")
        add(1, "idle_exit", workers.idleExit.map(duration) ?? "null")
        add(1, "batch_rows", "\(workers.batchRows)")
        add(0, "discovery")
        add(1, "interval", duration(discovery.interval))
        add(1, "reconcile_interval", duration(discovery.reconcileInterval))
        add(1, "page_size", "\(discovery.pageSize)")
        add(0, "notifications")
        add(1, "listen", notifications.listen?.description ?? "null")
        add(0, "housekeeping")
        add(1, "orphan_grace", duration(housekeeping.orphanGrace))
        add(0, "clients", clients.isEmpty ? "{}" : nil)
        for client in clients {
            add(1, client.name)
            add(2, "prefix", client.prefix)
            add(2, "tables", client.tables.isEmpty ? "[]" : nil)
            for rule in client.tables {
                lines.append("      - match: \(rule.match.pattern)")
                add(4, "table", rule.table.description)
                add(4, "format", rule.format.rawValue)
                add(4, "partition", "[" + rule.partition.joined(separator: ", ") + "]")
                add(4, "transforms", rule.transforms.isEmpty ? "[]" : nil)
                for step in rule.transforms.steps { lines.append("          - \(step)") }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The lake as `--lake` spells it, without a PostgreSQL password.
    var lakeText: String {
        switch lake.catalog {
        case .sqlite(let path): return "\(lake.format.rawValue):sqlite:\(path)"
        case .postgres(let connection): return "\(lake.format.rawValue):postgres:" + Redaction.connectionString(connection)
        case .none: return "hive:\(lake.dataPath)"
        }
    }
}
