import Columnar
import Foundation
import Tables
import Testing
import Transforms

@testable import LakegateConfiguration

@Suite struct LoadingTests {
    @Test func theExampleFileLoads() throws {
        let path = repositoryRoot.appendingPathComponent("lakegate.example.yaml").path
        let configuration = try LakegateConfiguration.load(path: path, environment: [:])
        let folder = repositoryRoot.path
        #expect(configuration.dataDirectory == folder + "/lakegate-data")
        #expect(configuration.zones.landing == .folder(folder + "/lakegate-data/landing"))
        #expect(configuration.clients.map(\.name) == ["acme", "globex"])
        let acme = configuration.clients[0]
        #expect(acme.prefix == "acme/")
        #expect(acme.tables.count == 2)
        #expect(acme.tables[0].table == (try TableIdentifier(namespace: "acme", name: "events")))
        #expect(acme.tables[0].partition == ["day(event_time)"])
        // derive (1) + derive (2) + rename + cast + drop + filter
        #expect(acme.tables[0].transforms.steps.count == 7)
        #expect(acme.tables[1].table == (try TableIdentifier(namespace: "acme", name: "orders")))
        #expect(acme.tables[1].format == .csv)
        #expect(configuration.clients[1].prefix == "partners/globex/")
        let route = try #require(configuration.route(forKey: "acme/incoming/events/2025/01/05/a.json.gz"))
        #expect(route.table.description == "acme.events")
        #expect(route.relativeKey == "incoming/events/2025/01/05/a.json.gz")
        #expect(configuration.route(forKey: "partners/globex/site-1/2025/r.parquet")?.table.description == "globex.readings")
        // The example's transforms compile against a schema that has the columns they use.
        let schema = Columnar.Schema([
            .init("value", .int64), .init("amount", .string), .init("old_name", .string), .init("debug", .boolean),
            .init("status", .string), .init("event_time", .timestamp(.microsecond, utc: true)),
        ])
        let compiled = try acme.tables[0].transforms.compile(for: schema)
        #expect(compiled.outputSchema.fields.map(\.name) == [
            "value", "amount", "new_name", "status", "event_time", "metric", "source", "amount_cents",
        ])
    }

    @Test func theDocumentationsExamplesLoad() throws {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/CONFIGURATION.md"), encoding: .utf8)
        let blocks = text.components(separatedBy: "```yaml\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        #expect(blocks.count >= 7)
        for block in blocks {
            #expect(throws: Never.self, "\(block)") { _ = try parse(block) }
        }
    }

    @Test func everyDefault() throws {
        for empty in ["", "# nothing\n", "~", "{}", "---\n"] {
            let c = try parse(empty)
            #expect(c.dataDirectory == "/srv/lg/lakegate-data")
            #expect(c.lake == LakeLocation(
                format: .ducklake, catalog: .sqlite(path: "/srv/lg/lakegate-data/catalog.sqlite"), dataPath: "/srv/lg/lakegate-data/files"))
            #expect(c.state == .lakeCatalog)
            #expect(c.zones == .init(
                landing: .folder("/srv/lg/lakegate-data/landing"), trusted: .folder("/srv/lg/lakegate-data/trusted"),
                quarantine: .folder("/srv/lg/lakegate-data/quarantine")))
            #expect(c.s3 == S3Settings(endpoint: nil, region: "us-east-1", addressing: .path))
            #expect(c.scanner.clamd == .tcp(host: "127.0.0.1", port: 3310))
            #expect(c.scanner.timeout == .seconds(30))
            #expect(c.scanner.maxFileSize == 1 << 30)
            #expect(c.scanner.chunkSize == 256 * 1024)
            #expect(c.scanner.retry == Backoff(initial: .seconds(2), maximum: .seconds(300)))
            #expect(c.queue.kind == .embedded)
            #expect(c.queue.redisURL == RedisURL(host: "127.0.0.1", port: 6379, database: 0))
            #expect(c.queue.stream == "ingestion_requests")
            #expect(c.queue.group == "lakegate")
            #expect(c.queue.deadLetterStream == "ingestion_requests:dead")
            #expect(c.queue.visibilityTimeout == .seconds(300))
            #expect(c.queue.maxAttempts == 5)
            #expect(c.queue.backoff == Backoff(initial: .seconds(1), maximum: .seconds(300)))
            #expect(c.workers.count == 0)
            #expect(c.workers.effectiveCount(cores: 8) == 8)
            #expect(c.workers.idleExit == nil)
            #expect(c.workers.batchRows == 32_768)
            #expect(c.discovery.interval == .seconds(2))
            #expect(c.discovery.reconcileInterval == .seconds(300))
            #expect(c.notifications.listen == nil)
            #expect(c.housekeeping.orphanGrace == .seconds(3600))
            #expect(c.clients.isEmpty)
        }
        // Explicit nulls are the defaults too.
        let nulls = try parse("state: null\nzones: {landing: ~}\nworkers: {idle_exit: null}\nclients:\n")
        #expect(nulls.zones.landing == .folder("/srv/lg/lakegate-data/landing"))
        #expect(nulls.clients.isEmpty)
    }

    @Test func valuesAreRead() throws {
        let c = try parse("""
            data_dir: /var/lib/lakegate
            lake: hive:./warehouse
            zones: {landing: "s3://acme-landing/in", trusted: "file:///srv/trusted", quarantine: q}
            s3: {endpoint: "http://127.0.0.1:9000/", region: eu-west-1, addressing: virtual}
            scanner: {clamd: "unix:/run/clamav/clamd.ctl", timeout: 250ms, max_file_size: 10MB, chunk_size: 64KiB, retry: {initial: 1s, max: 1h}}
            queue: {kind: redis, redis_url: "rediss://user:pw@redis.internal:6380/3", max_attempts: 9, visibility_timeout: 1d}
            workers: {count: 4, idle_exit: 10m, batch_rows: 1000}
            discovery: {interval: 500ms, reconcile_interval: 1h, page_size: 250}
            notifications: {listen: "[::1]:8089"}
            housekeeping: {orphan_grace: 2d}
            clients:
              acme:
            """)
        #expect(c.dataDirectory == "/var/lib/lakegate")
        #expect(c.lake == LakeLocation(format: .hive, catalog: .none, dataPath: "/srv/lg/warehouse"))
        #expect(c.state == .sqlite(path: "/var/lib/lakegate/state.sqlite"))
        #expect(c.zones.landing == .s3(bucket: "acme-landing", prefix: "in/"))
        #expect(c.zones.trusted == .folder("/srv/trusted"))
        #expect(c.zones.quarantine == .folder("/srv/lg/q"))
        #expect(c.s3.endpoint == "http://127.0.0.1:9000")
        #expect(c.s3.region == "eu-west-1")
        #expect(c.s3.addressing == .virtual)
        #expect(c.scanner.clamd == .unix(path: "/run/clamav/clamd.ctl"))
        #expect(c.scanner.timeout == .milliseconds(250))
        #expect(c.scanner.maxFileSize == 10_000_000)
        #expect(c.scanner.chunkSize == 65_536)
        #expect(c.scanner.retry == Backoff(initial: .seconds(1), maximum: .seconds(3600)))
        #expect(c.queue.kind == .redis)
        #expect(c.queue.redisURL.tls)
        #expect(c.queue.redisURL.host == "redis.internal")
        #expect(c.queue.redisURL.port == 6380)
        #expect(c.queue.redisURL.database == 3)
        #expect(c.queue.redisURL.username == "user")
        #expect(c.queue.redisURL.password?.value == "pw")
        #expect(c.queue.maxAttempts == 9)
        #expect(c.queue.visibilityTimeout == .seconds(86_400))
        #expect(c.workers.count == 4)
        #expect(c.workers.effectiveCount(cores: 8) == 4)
        #expect(c.workers.idleExit == .seconds(600))
        #expect(c.workers.batchRows == 1000)
        #expect(c.discovery.interval == .milliseconds(500))
        #expect(c.discovery.pageSize == 250)
        #expect(c.notifications.listen == ListenAddress(host: "::1", port: 8089))
        #expect(c.housekeeping.orphanGrace == .seconds(2 * 86_400))
        #expect(c.clients.map(\.prefix) == ["acme/"])
    }

    @Test func lakesAndDataPaths() throws {
        var c = try parse("lake: ducklake:sqlite:cat/lake.sqlite")
        #expect(c.lake == LakeLocation(format: .ducklake, catalog: .sqlite(path: "/srv/lg/cat/lake.sqlite"), dataPath: "/srv/lg/cat/lake.sqlite.files"))
        #expect(c.state == .lakeCatalog)
        c = try parse("lake: iceberg:sqlite:/abs/ice.db\ndata_path: ./files")
        #expect(c.lake == LakeLocation(format: .iceberg, catalog: .sqlite(path: "/abs/ice.db"), dataPath: "/srv/lg/files"))
        c = try parse("lake: ducklake:postgres:postgresql://u:pw@db/lake\ndata_path: s3://bucket/files\nstate: sqlite:s.db")
        #expect(c.lake.catalog == .postgres(connection: "postgresql://u:pw@db/lake"))
        #expect(c.lake.dataPath == "s3://bucket/files")
        #expect(c.state == .sqlite(path: "/srv/lg/s.db"))
        c = try parse("data_path: /data")
        #expect(c.lake.dataPath == "/data")
        c = try parse("state: postgresql://st:pw@db/state")
        #expect(c.state == .postgres(Secret("postgresql://st:pw@db/state")))
    }

    @Test func relativePathsResolveAgainstTheFilesFolder() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("conf/lakegate.yaml")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try """
            data_dir: data
            lake: ducklake:sqlite:./meta/../catalog.sqlite
            zones: {landing: ../drop}
            """.write(to: file, atomically: true, encoding: .utf8)
        let c = try LakegateConfiguration.load(path: file.path, environment: [:])
        let conf = folder.appendingPathComponent("conf").path
        #expect(c.dataDirectory == conf + "/data")
        #expect(c.lake.catalog == .sqlite(path: conf + "/meta/../catalog.sqlite"))
        #expect(c.zones.landing == .folder(conf + "/../drop"))
        #expect(c.zones.trusted == .folder(conf + "/data/trusted"))
        let missing = try #require(transformOrConfigurationError { _ = try LakegateConfiguration.load(path: folder.path + "/nope.yaml", environment: [:]) })
        #expect(missing.code == .io)
        #expect(missing.file == folder.path + "/nope.yaml")
    }

    @Test func errorsFromAFileNameTheFileAndLine() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("lakegate.yaml")
        try "workers:\n  count: 2\n  idle_exit: soon\n".write(to: file, atomically: true, encoding: .utf8)
        let error = try #require(transformOrConfigurationError { _ = try LakegateConfiguration.load(path: file.path, environment: [:]) })
        #expect(error.description == "\(file.path):3: workers.idle_exit: 'soon' is not a duration (a whole number and ms, s, m, h or d: 250ms, 30s, 5m, 1h, 1d)")
    }

    @Test func mergeKeysAndAliases() throws {
        let c = try parse("""
            clients:
              acme:
                tables:
                  - &rule {match: "a/*", table: a, format: csv, partition: &parts [day(ts)]}
                  - <<: *rule
                    match: "b/*"
                    partition: *parts
            """)
        #expect(c.clients[0].tables.map(\.match.pattern) == ["a/*", "b/*"])
        #expect(c.clients[0].tables.map(\.format) == [.csv, .csv])
        #expect(c.clients[0].tables.map(\.table.name) == ["a", "a"])
        #expect(c.clients[0].tables[1].partition == ["day(ts)"])
    }

    @Test func hugeDocumentsAreRefused() throws {
        // 150,000 list items: past the node budget (aliases could reach it from a small file).
        let wide = "clients:\n  acme:\n    tables:\n      - match: '*'\n        table: t\n        partition: ["
            + Array(repeating: "a", count: 150_000).joined(separator: ",") + "]\n"
        let error = try #require(configurationError(wide))
        #expect(error.code == .limitExceeded)
        #expect(error.keyPath.hasPrefix("clients.acme.tables[0].partition["))
        // An alias bomb is refused at once: nested lists where values are expected.
        var bomb = "[&a0 [x, x, x, x, x, x, x, x, x, x]"
        for level in 1..<9 { bomb += ", &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]" }
        bomb += "]"
        let refused = try #require(configurationError("clients:\n  acme:\n    tables:\n      - match: '*'\n        table: t\n        partition: \(bomb)\n"))
        #expect(refused.code == .invalidValue)
        let big = String(repeating: "#", count: LakegateConfiguration.maxFileSize + 1)
        #expect(configurationError(big)?.code == .limitExceeded)
    }
}

func transformOrConfigurationError(_ body: () throws -> Void) -> ConfigurationError? {
    do {
        try body()
        return nil
    } catch let error as ConfigurationError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}
