import Redis
import Testing

@Suite("Redis URLs")
struct RedisConfigurationTests {
    @Test func parsesEveryPart() throws {
        let plain = try RedisConfiguration(url: "redis://localhost")
        #expect(plain.host == "localhost" && plain.port == 6379 && plain.database == 0)
        #expect(plain.username == nil && plain.password == nil)

        let full = try RedisConfiguration(url: "redis://worker:s3cr%40t@cache.internal:6380/4")
        #expect(full.host == "cache.internal" && full.port == 6380 && full.database == 4)
        #expect(full.username == "worker" && full.password == "s3cr@t")

        let passwordOnly = try RedisConfiguration(url: "redis://:only-pass@10.0.0.1:7000")
        #expect(passwordOnly.username == nil && passwordOnly.password == "only-pass")

        // An unencoded @ in the password: the last @ ends the user info.
        let at = try RedisConfiguration(url: "redis://u:p@ss@h:1")
        #expect(at.password == "p@ss" && at.host == "h" && at.port == 1)

        let ipv6 = try RedisConfiguration(url: "redis://[::1]:6390/2")
        #expect(ipv6.host == "::1" && ipv6.port == 6390 && ipv6.database == 2)
        #expect(ipv6.description == "redis://[::1]:6390/2")
    }

    @Test func refusesWhatItCannotUse() {
        for url in [
            "http://localhost", "rediss://localhost", "redis://", "redis://h:0", "redis://h:70000", "redis://h:x",
            "redis://h/db", "redis://[::1", "redis://u:%zz@h",
        ] {
            #expect(throws: RedisError.self, "\(url)") { try RedisConfiguration(url: url) }
        }
    }

    @Test func thePasswordNeverShows() throws {
        let configuration = try RedisConfiguration(url: "redis://worker:hunter2-secret@h:1/3")
        #expect(configuration.description == "redis://worker:***@h:1/3")
        for text in [
            configuration.description, configuration.debugDescription, String(describing: configuration),
            String(reflecting: configuration), "\(Mirror(reflecting: configuration).children.map { "\($0)" })",
        ] {
            #expect(!text.contains("hunter2"), "\(text)")
        }
        // Errors about a URL do not quote it.
        do {
            _ = try RedisConfiguration(url: "redis://u:hunter2-secret@h:notaport")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(!error.description.contains("hunter2"))
        }
    }

    @Test func serverMessagesDropEchoedArguments() {
        let error = RedisError.fromReply(
            "ERR unknown command 'FROB', with args beginning with: 'secret-value' ", command: "FROB")
        #expect(error.code == .server && error.serverCode == "ERR")
        #expect(!error.description.contains("secret-value"))
        #expect(RedisError.fromReply("WRONGPASS invalid username-password pair", command: "AUTH").code == .authentication)
        #expect(RedisError.fromReply("LOADING Redis is loading", command: "GET").isRetryable)
        #expect(!RedisError.fromReply("WRONGTYPE Operation against a key", command: "GET").isRetryable)
    }
}
