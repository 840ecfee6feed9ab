import Foundation
import Testing

/// A throwaway S3 server (moto_server from .venv) for one test suite, started by
/// scripts/testenv/moto.sh on 127.0.0.1 and a free port, stopped when the suite ends.
///
///     @Suite(.motoServer) struct MyTests {
///         @Test func something() async throws { let url = try MotoTestServer.current.url }
///     }
///
/// `.motoServer(authenticated: true)` starts one that checks signatures against an IAM user whose
/// key pair is in `accessKeyId` / `secretAccessKey`; otherwise any credentials are accepted.
/// When moto is missing the suite fails with the script's message, never skips.
public struct MotoTestServer: Sendable {
    /// http://127.0.0.1:PORT
    public let url: String
    public let port: Int
    public let directory: String
    public let accessKeyId: String?
    public let secretAccessKey: String?

    @TaskLocal public static var running: MotoTestServer?

    /// The server of the enclosing `.motoServer` suite.
    public static var current: MotoTestServer {
        get throws {
            guard let running else {
                throw TestServerError(message: "no moto test server: mark the suite with @Suite(.motoServer)")
            }
            return running
        }
    }

    public static func start(authenticated: Bool) async throws -> MotoTestServer {
        let output = try await TestEnvScript.run("moto.sh", ["start", "--owner-pid", String(getpid())] + (authenticated ? ["--auth"] : []))
        let values = TestEnvScript.assignments(output)
        guard let url = values["MOTO_TEST_URL"], let port = values["MOTO_TEST_PORT"].flatMap(Int.init),
            let directory = values["MOTO_TEST_DIR"]
        else {
            throw TestServerError(message: "scripts/testenv/moto.sh start printed no server: \(output)")
        }
        return MotoTestServer(
            url: url, port: port, directory: directory, accessKeyId: values["MOTO_TEST_ACCESS_KEY_ID"],
            secretAccessKey: values["MOTO_TEST_SECRET_ACCESS_KEY"])
    }

    public func stop() async {
        _ = try? await TestEnvScript.run("moto.sh", ["stop", directory])
    }

    static let root = TestEnvScript.root

    /// The project's Python (`.venv/bin/python`), for helper scripts such as botocore_sign.py.
    public static var python: String { root.appendingPathComponent(".venv/bin/python").path }
    /// A file of the project, by its path from the repository root.
    public static func projectFile(_ path: String) -> String { root.appendingPathComponent(path).path }

}

/// Starts one moto server around a whole suite and publishes it in `MotoTestServer.running`.
public struct MotoServerTrait: SuiteTrait, TestScoping {
    public let authenticated: Bool
    public var isRecursive: Bool { false }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await withTestServer(start: { try await MotoTestServer.start(authenticated: authenticated) }, stop: { await $0.stop() }) { server in
            try await MotoTestServer.$running.withValue(server) { try await function() }
        }
    }
}

extension Trait where Self == MotoServerTrait {
    public static var motoServer: Self { MotoServerTrait(authenticated: false) }
    public static func motoServer(authenticated: Bool) -> Self { MotoServerTrait(authenticated: authenticated) }
}
