import Testing

@testable import LakegateConfiguration

@Suite struct GlobPatternTests {
    static let table: [(String, String, Bool)] = [
        ("*.json", "a.json", true),
        ("*.json", "dir/a.json", false),
        ("*.json", ".json", true),
        ("*.json", "a.json.gz", false),
        ("a?c", "abc", true),
        ("a?c", "a/c", false),
        ("a?c", "ac", false),
        ("a?c", "aéc", true),
        ("incoming/events/**/*.json", "incoming/events/a.json", true),
        ("incoming/events/**/*.json", "incoming/events/2025/01/05/a.json", true),
        ("incoming/events/**/*.json", "incoming/events.json", false),
        ("incoming/events/**/*.json", "incoming/events/a.json.gz", false),
        ("incoming/events/**/*.json", "incoming/other/a.json", false),
        ("**/*.parquet", "x.parquet", true),
        ("**/*.parquet", "a/b/c/x.parquet", true),
        ("**", "anything/at/all", true),
        ("**", "", true),
        ("logs/**", "logs/a", true),
        ("logs/**", "logs/a/b/c", true),
        ("logs/**", "logs", false),
        ("logs/**", "logsx/a", false),
        ("a/**/b", "a/b", true),
        ("a/**/b", "a/x/y/b", true),
        ("a/**/b", "a/xb", false),
        ("a**b", "a/x/b", true),
        ("*/*", "a/b", true),
        ("*/*", "a/b/c", false),
        ("*", "", true),
        ("data_*.{csv,json}", "data_1.csv", true),
        ("data_*.{csv,json}", "data_1.json", true),
        ("data_*.{csv,json}", "data_1.xml", false),
        ("{in,out}/*/{a,b}.txt", "out/x/b.txt", true),
        ("{in,out}/*/{a,b}.txt", "out/x/c.txt", false),
        ("file{,.gz}", "file", true),
        ("file{,.gz}", "file.gz", true),
        ("{**/,}x", "x", true),
        ("{**/,}x", "a/b/x", true),
        ("\\*.json", "*.json", true),
        ("\\*.json", "a.json", false),
        ("a\\{b\\}", "a{b}", true),
        ("exact/key.csv", "exact/key.csv", true),
        ("exact/key.csv", "exact/key.csvx", false),
        ("*a*a*a*a*a*a*a*a*b", String(repeating: "a", count: 60), false),
    ]

    @Test func matching() throws {
        for (pattern, key, expected) in Self.table {
            #expect(try GlobPattern(pattern).matches(key) == expected, "\(pattern) on \(key)")
        }
    }

    @Test func invalidPatterns() {
        for pattern in ["", "/abs/*", "a{b", "a}b", "{a{b}}", "trailing\\", String(repeating: "a", count: 1025),
                        String(repeating: "{a,b}", count: 9)]
        {
            #expect(throws: ConfigurationError.self, "\(pattern.prefix(20))") { try GlobPattern(pattern) }
        }
    }
}

@Suite struct RouteTests {
    let configuration = try! parse("""
        clients:
          acme:
            tables:
              - {match: "incoming/events/**/*.json", table: events}
              - {match: "incoming/**", table: acme.misc, format: csv, partition: [source]}
              - {match: "*.json", table: other.root}
          globex:
            prefix: partners/globex
            tables:
              - match: "**/*.parquet"
                table: readings
                transforms:
                  - derive: {metric: "value * 5"}
          quiet:
        """)

    @Test func firstMatchingRuleWins() throws {
        let events = try #require(configuration.table(forClient: "acme", key: "acme/incoming/events/2025/a.json"))
        #expect(events.client == "acme")
        #expect(events.ruleIndex == 0)
        #expect(events.table.description == "acme.events")
        #expect(events.relativeKey == "incoming/events/2025/a.json")
        #expect(events.format == .auto)
        let misc = try #require(configuration.table(forClient: "acme", key: "acme/incoming/events/2025/a.csv"))
        #expect(misc.ruleIndex == 1)
        #expect(misc.table.description == "acme.misc")
        #expect(misc.format == .csv)
        #expect(misc.partition == ["source"])
        #expect(configuration.table(forClient: "acme", key: "acme/top.json")?.table.description == "other.root")
        #expect(configuration.table(forClient: "acme", relativeKey: "top.json")?.ruleIndex == 2)
        #expect(configuration.table(forClient: "acme", key: "acme/top.csv") == nil)
    }

    @Test func keysOutsideThePrefixOrClientDoNotRoute() throws {
        #expect(configuration.table(forClient: "acme", key: "globex/x.json") == nil)
        #expect(configuration.table(forClient: "nobody", key: "acme/top.json") == nil)
        #expect(configuration.table(forClient: "quiet", key: "quiet/a.json") == nil)
        #expect(configuration.route(forKey: "unknown/a.json") == nil)
        #expect(configuration.client(forKey: "acme-other/a.json") == nil)
    }

    @Test func routeFindsTheClientByPrefix() throws {
        #expect(configuration.clients.map(\.prefix) == ["acme/", "partners/globex/", "quiet/"])
        let route = try #require(configuration.route(forKey: "partners/globex/site/2025/r.parquet"))
        #expect(route.client == "globex")
        #expect(route.table.description == "globex.readings")
        #expect(route.relativeKey == "site/2025/r.parquet")
        #expect(route.transforms.steps.count == 1)
        #expect(configuration.client(forKey: "quiet/x")?.name == "quiet")
    }
}

@Suite struct QuantityTests {
    @Test func durations() {
        #expect(DurationText.parse("250ms") == .milliseconds(250))
        #expect(DurationText.parse("30s") == .seconds(30))
        #expect(DurationText.parse("5m") == .seconds(300))
        #expect(DurationText.parse("1h") == .seconds(3600))
        #expect(DurationText.parse("1d") == .seconds(86_400))
        #expect(DurationText.parse(" 2 h ") == .seconds(7200))
        #expect(DurationText.parse("0s") == .zero)
        for bad in ["", "s", "5", "1.5s", "-1s", "5 minutes", "1h30m", "366d", "99999999999999999999s"] {
            #expect(DurationText.parse(bad) == nil, "\(bad)")
        }
        #expect(DurationText.format(.seconds(300)) == "5m")
        #expect(DurationText.format(.milliseconds(1500)) == "1500ms")
        #expect(DurationText.format(.seconds(90)) == "90s")
    }

    @Test func sizes() {
        #expect(SizeText.parse("1000") == 1000)
        #expect(SizeText.parse("64KiB") == 65_536)
        #expect(SizeText.parse("1GiB") == 1_073_741_824)
        #expect(SizeText.parse("10MB") == 10_000_000)
        #expect(SizeText.parse("10mb") == 10_000_000)
        #expect(SizeText.parse("2 TB") == 2_000_000_000_000)
        #expect(SizeText.parse("7B") == 7)
        for bad in ["", "MB", "1.5MB", "-1", "10XB", "999999999999999TiB"] { #expect(SizeText.parse(bad) == nil, "\(bad)") }
        #expect(SizeText.format(1 << 30) == "1GiB")
        #expect(SizeText.format(10_000_000) == "10000000")
    }

    @Test func addresses() {
        #expect(ClamdAddress.parse("tcp://127.0.0.1:3310") == .tcp(host: "127.0.0.1", port: 3310))
        #expect(ClamdAddress.parse("tcp://[::1]:3310") == .tcp(host: "::1", port: 3310))
        #expect(ClamdAddress.parse("unix:/run/clamav/clamd.ctl") == .unix(path: "/run/clamav/clamd.ctl"))
        #expect(ClamdAddress.parse("unix:///run/clamd.ctl") == .unix(path: "/run/clamd.ctl"))
        for bad in ["tcp://host", "tcp://host:0", "tcp://:3310", "udp://h:1", "unix:", "/run/clamd.ctl", "unix:/" + String(repeating: "x", count: 120)] {
            #expect(ClamdAddress.parse(bad) == nil, "\(bad)")
        }
        #expect(RedisURL.parse("redis://h") == RedisURL(host: "h"))
        #expect(RedisURL.parse("redis://:p%40ss@h:1/2") == RedisURL(host: "h", port: 1, database: 2, password: Secret("p@ss")))
        #expect(RedisURL.parse("redis://legacy@h")?.password?.value == "legacy")
        #expect(RedisURL.parse("redis://[::1]:6380/0")?.host == "::1")
        for bad in ["redis://", "http://h", "redis://h:x", "redis://h/x", "redis://h:70000"] {
            #expect(RedisURL.parse(bad) == nil, "\(bad)")
        }
        #expect(ZoneLocation.bucketProblem("my-bucket.data") == nil)
        #expect(ZoneLocation.bucketProblem("-bucket") != nil)
        #expect(ZoneLocation.bucketProblem("bucket-s3alias") != nil)
        #expect(Paths.resolve("./a/./b", against: "/base") == "/base/a/b")
        #expect(Paths.resolve("/abs//x/", against: "/base") == "/abs/x")
    }
}
