import Foundation
import Testing

@testable import LakegateConfiguration

@Suite struct InvalidValueTests {
    /// (document, code, key path, line, start of the message)
    static let cases: [(String, ConfigurationError.Code, String, Int?, String)] = [
        ("scanner: {timeout: 30x}", .invalidValue, "scanner.timeout", 1, "'30x' is not a duration"),
        ("scanner: {timeout: 2d}", .invalidValue, "scanner.timeout", 1, "2d is outside 100ms to 1d"),
        ("scanner:\n  max_file_size: 1XB", .invalidValue, "scanner.max_file_size", 2, "'1XB' is not a size"),
        ("scanner: {chunk_size: 10}", .invalidValue, "scanner.chunk_size", 1, "10 is outside 1KiB to 64MiB"),
        ("scanner: {clamd: 'http://x:1'}", .invalidValue, "scanner.clamd", 1, "'http://x:1' is not tcp://host:port or unix:"),
        ("scanner: {clamd: 'tcp://host:99999'}", .invalidValue, "scanner.clamd", 1, "'tcp://host:99999' is not"),
        ("scanner: {clamd: 'unix:relative.ctl'}", .invalidValue, "scanner.clamd", 1, "'unix:relative.ctl' is not"),
        ("scanner: {retry: {initial: 1m, max: 1s}}", .conflict, "scanner.retry.initial", 1, "initial is longer than max"),
        ("scanner: {max_file_size: 100KiB, chunk_size: 1MiB}", .conflict, "scanner.chunk_size", 1, "chunk_size is larger"),
        ("scanner: {retry: 5s}", .invalidValue, "scanner.retry", 1, "expected a mapping, found a value"),
        ("queue: {kind: kafka}", .invalidValue, "queue.kind", 1, "'kafka' is not embedded or redis"),
        ("queue: {redis_url: 'http://host'}", .invalidValue, "queue.redis_url", 1, "expected redis://"),
        ("queue: {max_attempts: 0}", .invalidValue, "queue.max_attempts", 1, "'0' is not a whole number from 1 to 1000"),
        ("queue: {stream: 'a b'}", .invalidValue, "queue.stream", 1, "a stream or group name"),
        ("queue: {dead_letter_stream: ingestion_requests}", .conflict, "queue.dead_letter_stream", 1, "the dead-letter stream"),
        ("lake: 'ducklake:mysql:x'", .invalidValue, "lake", 1, "expected ducklake:sqlite:PATH"),
        ("lake: 'ducklake:postgres:postgresql://u:pw@h/db'", .invalidValue, "lake", 1, "a PostgreSQL catalog needs data_path"),
        ("state: 'mysql://x'", .invalidValue, "state", 1, "expected sqlite:PATH or postgresql://"),
        ("zones: {landing: 's3://Bad_Bucket/x'}", .invalidValue, "zones.landing", 1, "a bucket name has only lowercase"),
        ("zones: {landing: 's3://ab/x'}", .invalidValue, "zones.landing", 1, "a bucket name is 3 to 63 characters"),
        ("zones: {landing: 's3://192.168.1.1/x'}", .invalidValue, "zones.landing", 1, "a bucket name is not an IP address"),
        ("zones: {landing: 's3://xn--abc/x'}", .invalidValue, "zones.landing", 1, "a bucket name does not start with 'xn--'"),
        ("zones: {landing: 's3://my..bucket'}", .invalidValue, "zones.landing", 1, "a bucket name has no '..'"),
        ("zones: {landing: 'gs://bucket/x'}", .invalidValue, "zones.landing", 1, "unsupported scheme 'gs'"),
        ("zones: {landing: 'file://relative'}", .invalidValue, "zones.landing", 1, "a file:// URL names an absolute path"),
        ("zones: {landing: d, trusted: d/t}", .conflict, "zones.trusted", 1, "the trusted zone overlaps the landing zone"),
        ("zones: {landing: 's3://bkt/a', quarantine: 's3://bkt/a/q'}", .conflict, "zones.quarantine", 1, "the quarantine zone overlaps"),
        ("workers: {count: -1}", .invalidValue, "workers.count", 1, "'-1' is not a whole number from 0 to 1024"),
        ("workers: {count: many}", .invalidValue, "workers.count", 1, "'many' is not a whole number"),
        ("workers: {batch_rows: [1]}", .invalidValue, "workers.batch_rows", 1, "expected a single value, found a list"),
        ("notifications: {listen: localhost}", .invalidValue, "notifications.listen", 1, "'localhost' is not host:port"),
        ("housekeeping: {orphan_grace: 10s}", .invalidValue, "housekeeping.orphan_grace", 1, "10s is outside 1m to 365d"),
        ("s3: {addressing: sideways}", .invalidValue, "s3.addressing", 1, "'sideways' is not path or virtual"),
        ("s3: {endpoint: 'ftp://x'}", .invalidValue, "s3.endpoint", 1, "an endpoint is http://host[:port]"),
        ("s3: {endpoint: 'http://u:p@x'}", .invalidValue, "s3.endpoint", 1, "an endpoint carries no credentials"),
        ("s3: {region: 'EU West'}", .invalidValue, "s3.region", 1, "'EU West' is not a region"),
        ("s3: {access_key_id: AKIA}", .conflict, "s3.secret_access_key", nil, "access_key_id and secret_access_key go together"),
        ("clients: {'bad name': {}}", .invalidValue, "clients.bad name", 1, "a client name is 1 to 64"),
        ("clients: [acme]", .invalidValue, "clients", 1, "expected a mapping, found a list"),
        ("clients: {acme: {prefix: /abs}}", .invalidValue, "clients.acme.prefix", 1, "a prefix is relative"),
        ("clients: {acme: {prefix: 'a//b'}}", .invalidValue, "clients.acme.prefix", 1, "a prefix is up to 512 bytes"),
        ("clients:\n  a: {prefix: x}\n  b: {prefix: x/y}", .conflict, "clients.b.prefix", 3, "prefix 'x/y/' overlaps client a's prefix 'x/'"),
        ("clients: {acme: {tables: [{table: t}]}}", .missingKey, "clients.acme.tables[0]", 1, "a table rule needs 'match'"),
        ("clients: {acme: {tables: [{match: '*'}]}}", .missingKey, "clients.acme.tables[0]", 1, "a table rule needs 'table'"),
        ("clients: {acme: {tables: [{match: 'a/{b', table: t}]}}", .invalidValue, "clients.acme.tables[0].match", 1, "'{' without '}'"),
        ("clients: {acme: {tables: [{match: '/a', table: t}]}}", .invalidValue, "clients.acme.tables[0].match", 1, "a pattern is relative"),
        ("clients: {acme: {tables: [{match: '*', table: 'a.b.c'}]}}", .invalidValue, "clients.acme.tables[0].table", 1, "a table is 'name' or 'namespace.name'"),
        ("clients: {acme: {tables: [{match: '*', table: 'bad name'}]}}", .invalidValue, "clients.acme.tables[0].table", 1, "a table name is 1 to 255"),
        ("clients: {acme: {tables: [{match: '*', table: t, format: jsn}]}}", .invalidValue, "clients.acme.tables[0].format", 1,
         "'jsn' is not a format (auto, json, csv, parquet, avro); did you mean 'json'?"),
        ("clients:\n  acme:\n    tables:\n      - match: '*'\n        table: t\n        partition: [ts, 'week(ts)']\n",
         .invalidValue, "clients.acme.tables[0].partition[1]", 6, "unknown partition transform 'week'"),
        ("clients:\n  acme:\n    tables:\n      - match: '*'\n        table: t\n        transforms:\n          - derive: {ok: '1'}\n          - derive:\n              metric: 'value *'\n",
         .invalidTransform, "clients.acme.tables[0].transforms[1].derive.metric", 9,
         "`value *`: expected an operand, found the end of the expression at offset 7"),
        ("clients: {acme: {tables: [{match: '*', table: t, transforms: [{filter: \"status = 'x\"}]}]}}", .invalidTransform,
         "clients.acme.tables[0].transforms[0].filter", 1, "`status = 'x`: unterminated string at offset 9"),
        ("clients: {acme: {tables: [{match: '*', table: t, transforms: [{cast: {amount: 'decimal(50,2)'}}]}]}}", .invalidTransform,
         "clients.acme.tables[0].transforms[0].cast.amount", 1, "unknown type 'decimal(50,2)'"),
        ("clients: {acme: {tables: [{match: '*', table: t, transforms: [{drop: []}]}]}}", .invalidTransform,
         "clients.acme.tables[0].transforms[0].drop", 1, "drop needs at least one column"),
        ("clients: {acme: {tables: [{match: '*', table: t, transforms: [{derive: {a: '1'}, filter: 'true'}]}]}}", .invalidValue,
         "clients.acme.tables[0].transforms[0]", 1, "a transform is one of derive, rename, cast, drop or filter"),
        ("clients: {acme: {tables: [{match: '*', table: t, transforms: [{rename: {}}]}]}}", .invalidValue,
         "clients.acme.tables[0].transforms[0].rename", 1, "rename needs at least one entry"),
        ("scanner: [", .syntax, "", 2, "not valid YAML"),
        ("workers: {}\nworkers: {}", .syntax, "", 1, "a mapping repeats the key 'workers'"),
        ("- a\n- b", .invalidValue, "", 1, "expected a mapping, found a list"),
        ("just text", .invalidValue, "", 1, "expected a mapping, found a value"),
    ]

    @Test func eachKindOfInvalidValue() throws {
        for (yaml, code, keyPath, line, message) in Self.cases {
            let error = try #require(configurationError(yaml), "\(yaml) loaded")
            #expect(error.code == code, "\(yaml): \(error)")
            #expect(error.keyPath == keyPath, "\(yaml): \(error)")
            #expect(error.line == line, "\(yaml): \(error)")
            #expect(error.message.hasPrefix(message), "\(yaml): \(error)")
            #expect(!error.isRetryable)
        }
    }

    @Test func descriptionNamesLineAndKeyPath() throws {
        let error = try #require(configurationError("clients:\n  acme:\n    tables:\n      - match: '*'\n        table: t\n        transforms:\n          - derive: {ok: '1'}\n          - derive:\n              metric: 'value *'\n"))
        #expect(error.description == "line 9: clients.acme.tables[0].transforms[1].derive.metric: `value *`: expected an operand, found the end of the expression at offset 7")
    }

    @Test func unknownKeysWithHints() throws {
        let cases: [(String, String, String?)] = [
            ("scaner: {}", "scaner", "scanner"),
            ("discovery:\n  intervall: 5s", "discovery.intervall", "interval"),
            ("queue: {visibility_timout: 1m}", "queue.visibility_timout", "visibility_timeout"),
            ("s3: {secret_key: x}", "s3.secret_key", nil),
            ("zones: {landign: x}", "zones.landign", "landing"),
            ("clients: {acme: {prefx: a/}}", "clients.acme.prefx", "prefix"),
            ("clients: {acme: {tables: [{match: '*', table: t, transform: []}]}}", "clients.acme.tables[0].transform", "transforms"),
            ("clients: {acme: {tables: [{match: '*', table: t, transforms: [{derived: {a: '1'}}]}]}}",
             "clients.acme.tables[0].transforms[0].derived", "derive"),
            ("frobnicate: 1", "frobnicate", nil),
        ]
        for (yaml, keyPath, hint) in cases {
            let error = try #require(configurationError(yaml), "\(yaml) loaded")
            #expect(error.code == .unknownKey, "\(yaml): \(error)")
            #expect(error.keyPath == keyPath, "\(yaml): \(error)")
            if let hint {
                #expect(error.message.contains("(did you mean '\(hint)'?)"), "\(yaml): \(error)")
            } else {
                #expect(!error.message.contains("did you mean"), "\(yaml): \(error)")
            }
        }
        let error = try #require(configurationError("\n\ndiscovery:\n  intervall: 5s"))
        #expect(error.line == 4)
        #expect(error.message == "unknown key 'intervall' (did you mean 'interval'?); known keys: interval, reconcile_interval, page_size")
    }
}

@Suite struct SecretTests {
    static let secrets = ["SECRETKEY123", "TOKEN456", "REDISPASS", "PGPASS", "STATEPASS"]

    static let document = """
        lake: ducklake:postgres:postgresql://lg:PGPASS@db.internal:5432/lake?sslmode=require
        data_path: s3://lake-bucket/files
        state: postgresql://st:STATEPASS@db.internal/state
        s3: {access_key_id: AKIDEXAMPLE, secret_access_key: SECRETKEY123, session_token: TOKEN456}
        queue: {kind: redis, redis_url: "redis://worker:REDISPASS@redis.internal:6380/2"}
        """

    private func assertNoSecret(_ text: String, _ context: String) {
        for secret in Self.secrets { #expect(!text.contains(secret), "\(context) shows \(secret): \(text)") }
    }

    @Test func secretsAreUsableButNeverPrinted() throws {
        let c = try parse(Self.document)
        #expect(c.s3.secretAccessKey?.value == "SECRETKEY123")
        #expect(c.s3.sessionToken?.value == "TOKEN456")
        #expect(c.queue.redisURL.password?.value == "REDISPASS")
        #expect(c.lake.catalog == .postgres(connection: "postgresql://lg:PGPASS@db.internal:5432/lake?sslmode=require"))
        #expect(c.state == .postgres(Secret("postgresql://st:STATEPASS@db.internal/state")))

        let redacted = c.redactedDescription
        assertNoSecret(redacted, "redactedDescription")
        #expect(redacted.contains("secret_access_key: <redacted>"))
        #expect(redacted.contains("redis_url: redis://worker:<redacted>@redis.internal:6380/2"))
        #expect(redacted.contains("lake: ducklake:postgres:postgresql://lg:<redacted>@db.internal:5432/lake?sslmode=require"))
        #expect(redacted.contains("state: postgresql://st:<redacted>@db.internal/state"))
        #expect(redacted.contains("access_key_id: AKIDEXAMPLE"))
        assertNoSecret(c.description, "description")
        assertNoSecret("\(c)", "interpolation")
        assertNoSecret(String(reflecting: c), "debug description")
        var dumped = ""
        dump(c, to: &dumped)
        assertNoSecret(dumped, "dump")
        var dumpedS3 = ""
        dump(c.s3, to: &dumpedS3)
        assertNoSecret(dumpedS3, "dump of s3")
        var dumpedQueue = ""
        dump(c.queue, to: &dumpedQueue)
        assertNoSecret(dumpedQueue, "dump of queue")
        assertNoSecret("\(c.s3) \(c.queue) \(c.state) \(c.queue.redisURL) \(c.lake)", "parts")
    }

    @Test func errorsNeverQuoteSecrets() throws {
        let documents = [
            "queue: {redis_url: 'redis://u:REDISPASS@:99999'}",
            "queue: {redis_url: 'http://u:REDISPASS@host'}",
            "lake: 'ducklake:postgres:postgresql://lg:PGPASS@db/lake'",
            "lake: 'duck:postgres:postgresql://lg:PGPASS@db/lake'",
            "state: 'mysql://st:STATEPASS@db/state'",
            "s3: {secret_access_key: SECRETKEY123}",
            "s3: {endpoint: 'http://k:SECRETKEY123@minio:9000'}",
            "s3: {secret_access_key: SECRETKEY123, access_key_id: a}\nscanner: [",
            "s3: {secret_access_key: SECRETKEY123, access_key_id: a}\ns3: {}",
        ]
        for yaml in documents {
            let error = try #require(configurationError(yaml), "\(yaml) loaded")
            assertNoSecret(error.description, yaml)
            assertNoSecret(String(reflecting: error), yaml)
        }
    }

    @Test func redaction() {
        #expect(Redaction.connectionString("postgresql://u:p@h/db") == "postgresql://u:<redacted>@h/db")
        #expect(Redaction.connectionString("postgresql://u@h/db") == "postgresql://u@h/db")
        #expect(Redaction.connectionString("host=db user=u password=secret dbname=x") == "host=db user=u password=<redacted> dbname=x")
        #expect(Redaction.connectionString("host=db password='a b' dbname=x") == "host=db password=<redacted> dbname=x")
        #expect(Redaction.connectionString("postgresql://h/db?user=u&password=p&sslmode=require") == "postgresql://h/db?user=u&password=<redacted>&sslmode=require")
    }
}

@Suite struct EnvironmentTests {
    let environment = [
        "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_SESSION_TOKEN": "envtoken",
        "AWS_REGION": "eu-central-1", "AWS_DEFAULT_REGION": "us-west-2", "AWS_ENDPOINT_URL": "http://localhost:9000",
    ]

    @Test func credentialsFallBackToTheEnvironment() throws {
        let c = try parse("", environment: environment)
        #expect(c.s3.accessKeyID == "AKIDENV")
        #expect(c.s3.secretAccessKey?.value == "envsecret")
        #expect(c.s3.sessionToken?.value == "envtoken")
        #expect(c.s3.region == "eu-central-1")
        #expect(c.s3.endpoint == "http://localhost:9000")
        var withoutRegion = environment
        withoutRegion["AWS_REGION"] = nil
        withoutRegion["AWS_ENDPOINT_URL_S3"] = "https://s3.example.com"
        let d = try parse("", environment: withoutRegion)
        #expect(d.s3.region == "us-west-2")
        #expect(d.s3.endpoint == "https://s3.example.com")
    }

    @Test func theFileWins() throws {
        let c = try parse("s3: {access_key_id: FILEKEY, secret_access_key: filesecret, region: ap-south-1, endpoint: 'https://minio:9000'}", environment: environment)
        #expect(c.s3.accessKeyID == "FILEKEY")
        #expect(c.s3.secretAccessKey?.value == "filesecret")
        #expect(c.s3.sessionToken?.value == "envtoken")
        #expect(c.s3.region == "ap-south-1")
        #expect(c.s3.endpoint == "https://minio:9000")
    }

    @Test func environmentValuesAreValidated() throws {
        let error = try #require(configurationError("", environment: ["AWS_ENDPOINT_URL": "localhost:9000"]))
        #expect(error.keyPath == "s3.endpoint")
        #expect(error.message == "an endpoint is http://host[:port] or https://host[:port] (from AWS_ENDPOINT_URL)")
        let half = try #require(configurationError("", environment: ["AWS_SECRET_ACCESS_KEY": "x"]))
        #expect(half.code == .conflict)
        #expect(half.keyPath == "s3.access_key_id")
        #expect(configurationError("", environment: ["AWS_REGION": "Not A Region"])?.keyPath == "s3.region")
        // Empty variables count as unset.
        #expect(try parse("", environment: ["AWS_REGION": "", "AWS_ACCESS_KEY_ID": ""]).s3.region == "us-east-1")
    }
}
