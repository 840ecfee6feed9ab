import Foundation
import Testing

/// A throwaway Redis 7 server for one test suite, started by scripts/testenv/redis.sh (127.0.0.1,
/// a free port, its folder in the temp directory, appendonly with appendfsync always) and stopped
/// with everything deleted when the suite ends.
///
///     @Suite(.redisServer) struct MyTests {
///         @Test func something() async throws { let url = try RedisTestServer.current.url }
///     }
///
/// `restart()` stops the server and starts it again on the same port with the same data. Tests in
/// a suite run in parallel: a suite that restarts its server should hold that test alone.
/// When redis-server is missing the suite fails with the script's message, never skips.
public struct RedisTestServer: Sendable {
    /// redis://127.0.0.1:PORT (the default user, no password).
    public let url: String
    public let port: Int
    public let directory: String

    /// An ACL user whose login needs `passwordUserSecret`.
    public static let passwordUser = "lakegate_password_user"
    public static let passwordUserSecret = "lakegate-secret"

    @TaskLocal public static var running: RedisTestServer?

    /// The server of the enclosing `.redisServer` suite.
    public static var current: RedisTestServer {
        get throws {
            guard let running else {
                throw TestServerError(message: "no Redis test server: mark the suite with @Suite(.redisServer)")
            }
            return running
        }
    }

    public static func start() async throws -> RedisTestServer {
        try await parse(TestEnvScript.run("redis.sh", ["start", "--owner-pid", String(getpid())]))
    }

    /// Stops the server and starts it again on the same port and folder (its AOF kept).
    public func restart() async throws {
        let again = try await Self.parse(TestEnvScript.run("redis.sh", ["restart", directory]))
        guard again.port == port else {
            throw TestServerError(message: "redis.sh restart came back on port \(again.port), not \(port)")
        }
    }

    public func stop() async {
        _ = try? await TestEnvScript.run("redis.sh", ["stop", directory])
    }

    /// A URL with credentials, for authentication tests.
    public func url(user: String?, password: String?, database: Int = 0) -> String {
        var credentials = ""
        if let password { credentials = "\(user ?? ""):\(password)@" }
        return "redis://\(credentials)127.0.0.1:\(port)" + (database == 0 ? "" : "/\(database)")
    }


    private static func parse(_ output: String) throws -> RedisTestServer {
        let values = TestEnvScript.assignments(output)
        guard let url = values["REDIS_TEST_URL"], let port = values["REDIS_TEST_PORT"].flatMap(Int.init),
            let directory = values["REDIS_TEST_DIR"]
        else {
            throw TestServerError(message: "scripts/testenv/redis.sh printed no server: \(output)")
        }
        return RedisTestServer(url: url, port: port, directory: directory)
    }

}

/// Starts one Redis server around a whole suite and publishes it in `RedisTestServer.running`.
public struct RedisServerTrait: SuiteTrait, TestScoping {
    public var isRecursive: Bool { false }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await withTestServer(start: { try await RedisTestServer.start() }, stop: { await $0.stop() }) { server in
            try await RedisTestServer.$running.withValue(server) { try await function() }
        }
    }
}

extension Trait where Self == RedisServerTrait {
    public static var redisServer: Self { RedisServerTrait() }
}
