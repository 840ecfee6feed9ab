import Foundation
import Testing

/// A throwaway PostgreSQL 15 server for one test suite, started by scripts/testenv/postgres.sh
/// (initdb in a temp folder, 127.0.0.1, a free port, trust auth except for
/// `lakegate_password_user`) and stopped with everything deleted when the suite ends.
///
///     @Suite(.postgresServer) struct MyTests {
///         @Test func something() async throws { let url = try PostgresTestServer.current.url }
///     }
///
/// When the PostgreSQL binaries are missing the suite fails with the script's message: a test
/// that silently skipped would hide a broken CI machine. Shared by every test target that needs a
/// server (the `TestServers` target).
public struct PostgresTestServer: Sendable {
    /// postgresql://postgres@127.0.0.1:PORT/postgres?sslmode=disable
    public let url: String
    public let port: Int
    public let directory: String
    /// Where the server's Unix socket lives (the host for a libpq key=value string).
    public var socketDirectory: String { directory + "/socket" }

    /// The role whose login needs a password (scram-sha-256 over TCP).
    public static let passwordRole = "lakegate_password_user"

    @TaskLocal public static var running: PostgresTestServer?

    /// The server of the enclosing `.postgresServer` suite.
    public static var current: PostgresTestServer {
        get throws {
            guard let running else {
                throw TestServerError(message: "no PostgreSQL test server: mark the suite with @Suite(.postgresServer)")
            }
            return running
        }
    }

    public static func start() async throws -> PostgresTestServer {
        let output = try await TestEnvScript.run("postgres.sh", ["start", "--owner-pid", String(getpid())])
        let values = TestEnvScript.assignments(output)
        guard let url = values["PG_TEST_URL"], let port = values["PG_TEST_PORT"].flatMap(Int.init),
            let directory = values["PG_TEST_DIR"]
        else {
            throw TestServerError(message: "scripts/testenv/postgres.sh start printed no server: \(output)")
        }
        return PostgresTestServer(url: url, port: port, directory: directory)
    }

    public func stop() async {
        _ = try? await TestEnvScript.run("postgres.sh", ["stop", directory])
    }

    /// A URL for another role or database on this server.
    public func url(user: String, password: String? = nil, database: String = "postgres") -> String {
        let credentials = password.map { "\(user):\($0)" } ?? user
        return "postgresql://\(credentials)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }


}

public struct TestServerError: Error, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// Starts one server around a whole suite and publishes it in `PostgresTestServer.running`.
public struct PostgresServerTrait: SuiteTrait, TestScoping {
    public var isRecursive: Bool { false }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await withTestServer(start: { try await PostgresTestServer.start() }, stop: { await $0.stop() }) { server in
            try await PostgresTestServer.$running.withValue(server) { try await function() }
        }
    }
}

extension Trait where Self == PostgresServerTrait {
    public static var postgresServer: Self { PostgresServerTrait() }
}
