import Foundation

/// A child process for tests, through posix_spawn and waitpid. Not Foundation's Process: inside a
/// test runner its waitUntilExit can miss the child's exit and hang for good.
public struct TestProcess: Sendable {
    public let pid: pid_t
    private let outputPath: String
    private let errorPath: String

    public struct Result: Sendable {
        /// The exit code, or nil when the child was killed by a signal (or reaped elsewhere).
        public let exitCode: Int32?
        public let output: String
        public let errors: String
    }

    /// Starts `executable` (found in PATH when it has no slash), with standard input from
    /// /dev/null and standard output and error into temporary files.
    public static func spawn(_ executable: String, _ arguments: [String]) throws -> TestProcess {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("lakegate-process-\(UUID().uuidString)").path
        let outputPath = base + ".out"
        let errorPath = base + ".err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([executable] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawnp(&pid, executable, &actions, nil, argv + [nil], environ)
        guard spawned == 0 else {
            throw TestServerError(message: "cannot run \(executable): \(String(cString: strerror(spawned)))")
        }
        return TestProcess(pid: pid, outputPath: outputPath, errorPath: errorPath)
    }

    /// Waits for the child (blocking the calling thread) and collects its output.
    public func wait() -> Result {
        var status: Int32 = 0
        var waited: pid_t
        repeat { waited = waitpid(pid, &status, 0) } while waited == -1 && errno == EINTR
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        unlink(outputPath)
        unlink(errorPath)
        // WIFEXITED/WEXITSTATUS are macros: a normal exit has the low 7 bits clear.
        let exitCode: Int32? = waited == pid && status & 0x7f == 0 ? (status >> 8) & 0xff : nil
        return Result(exitCode: exitCode, output: output, errors: errors)
    }

    /// Runs `executable` to its end, waiting on a thread of its own (see `offCooperativePool`).
    public static func run(_ executable: String, _ arguments: [String]) async throws -> Result {
        try await spawn(executable, arguments).finished()
    }

    /// `wait()` on a thread of its own (see `offCooperativePool`).
    public func finished() async -> Result {
        await offCooperativePool { self.wait() }
    }
}

/// Runs blocking work (waiting for a child process) on a thread of its own, not on the test
/// runner's cooperative pool. That pool has one thread per core, two here: a server that takes
/// seconds to start or stop, or a Python oracle importing pyiceberg, held one of them and stalled
/// every other test's tasks that long, which expired the Redis tests' real-time leases early.
public func offCooperativePool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
        Thread.detachNewThread { continuation.resume(returning: body()) }
    }
}
