import Foundation
import Testing

/// A throwaway clamd for one test suite, started by scripts/testenv/clamd.sh (its own signature
/// database: EICAR as an MD5 signature and the marker LAKEGATE-TEST-MALWARE-MARKER; a Unix socket
/// in a temp folder and 127.0.0.1 on a free port) and stopped with everything deleted when the
/// suite ends.
///
///     @Suite(.clamdServer) struct MyTests {
///         @Test func something() async throws { let socket = try ClamdTestServer.current.socketPath }
///     }
///
/// When clamd is missing the suite fails with the script's message, never skips. A test that
/// kills its server should start its own with `start()`, not share the suite's.
public struct ClamdTestServer: Sendable {
    public let directory: String
    /// clamd's LocalSocket.
    public let socketPath: String
    /// clamd's TCPSocket on 127.0.0.1.
    public let port: Int
    public let pidFile: String
    /// The version of the generated database, as clamd's VERSION reports it.
    public let databaseVersion: String
    /// clamd's StreamMaxLength: a longer zINSTREAM gets "INSTREAM size limit exceeded. ERROR".
    public let streamMaxLength: Int
    /// clamd's MaxFileSize (below StreamMaxLength): a longer file gets Heuristics.Limits.Exceeded.MaxFileSize.
    public let maxFileSize: Int

    /// Signature names as clamd reports them (an unsigned database's get ".UNOFFICIAL").
    public static let eicarSignature = "Eicar-Test-Signature.UNOFFICIAL"
    public static let markerSignature = "Lakegate.Test.Marker.UNOFFICIAL"
    public static let marker = "LAKEGATE-TEST-MALWARE-MARKER"

    @TaskLocal public static var running: ClamdTestServer?

    /// The server of the enclosing `.clamdServer` suite.
    public static var current: ClamdTestServer {
        get throws {
            guard let running else {
                throw TestServerError(message: "no clamd test server: mark the suite with @Suite(.clamdServer)")
            }
            return running
        }
    }

    public static func start() async throws -> ClamdTestServer {
        let output = try await TestEnvScript.run("clamd.sh", ["start", "--owner-pid", String(getpid())])
        let values = TestEnvScript.assignments(output)
        guard let directory = values["CLAMD_TEST_DIR"], let socketPath = values["CLAMD_TEST_SOCKET"],
            let port = values["CLAMD_TEST_PORT"].flatMap(Int.init), let pidFile = values["CLAMD_TEST_PIDFILE"],
            let databaseVersion = values["CLAMD_TEST_DB_VERSION"],
            let streamMaxLength = values["CLAMD_TEST_STREAM_MAX"].flatMap(Int.init),
            let maxFileSize = values["CLAMD_TEST_MAX_FILE_SIZE"].flatMap(Int.init)
        else {
            throw TestServerError(message: "scripts/testenv/clamd.sh start printed no server: \(output)")
        }
        return ClamdTestServer(
            directory: directory, socketPath: socketPath, port: port, pidFile: pidFile, databaseVersion: databaseVersion,
            streamMaxLength: streamMaxLength, maxFileSize: maxFileSize)
    }

    public func stop() async {
        _ = try? await TestEnvScript.run("clamd.sh", ["stop", directory])
    }

    /// Kills clamd at once (SIGKILL), as a crash would; `stop()` still cleans up.
    public func kill() throws {
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
            let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0
        else {
            throw TestServerError(message: "no clamd pid in \(pidFile)")
        }
        guard Foundation.kill(pid, SIGKILL) == 0 else {
            throw TestServerError(message: "cannot kill clamd (pid \(pid)): \(String(cString: strerror(errno)))")
        }
        // Wait (at most 5 s) until it is gone or a zombie: its sockets are closed then.
        for _ in 0..<500 {
            guard Foundation.kill(pid, 0) == 0,
                let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let state = stat.split(separator: ")").last?.split(separator: " ").first, state != "Z"
            else { return }
            usleep(10_000)
        }
    }


}

/// Starts one clamd around a whole suite and publishes it in `ClamdTestServer.running`.
public struct ClamdServerTrait: SuiteTrait, TestScoping {
    public var isRecursive: Bool { false }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await withTestServer(start: { try await ClamdTestServer.start() }, stop: { await $0.stop() }) { server in
            try await ClamdTestServer.$running.withValue(server) { try await function() }
        }
    }
}

extension Trait where Self == ClamdServerTrait {
    public static var clamdServer: Self { ClamdServerTrait() }
}
