import Foundation

/// The scripts in scripts/testenv/ that start and stop throwaway servers, run as child processes.
public enum TestEnvScript {
    /// The repository's root (this file is Tests/Support/TestServers/TestEnvScript.swift).
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `scripts/testenv/<name> arguments…` and returns what it printed.
    static func run(_ name: String, _ arguments: [String]) async throws -> String {
        let script = root.appendingPathComponent("scripts/testenv/" + name).path
        let result = try await TestProcess.run("/bin/bash", [script] + arguments)
        // No exit code: the child was reaped elsewhere; judge by its output then.
        guard result.exitCode == 0 || (result.exitCode == nil && !result.output.isEmpty) else {
            throw TestServerError(
                message: "scripts/testenv/\(name) \(arguments.first ?? "") failed (exit \(result.exitCode.map(String.init) ?? "?")): \(result.errors)")
        }
        return result.output
    }

    /// The `NAME=value` lines a `start` printed (single quotes around a value dropped).
    static func assignments(_ output: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]).trimmingCharacters(in: CharacterSet(charactersIn: "'")) }
        }
        return values
    }
}

/// Starts a server, runs `body` with it, and stops it afterwards whether `body` threw or not
/// (what each server's suite trait does around its suite).
public func withTestServer<Server: Sendable>(
    start: () async throws -> Server, stop: (Server) async -> Void, _ body: (Server) async throws -> Void
) async throws {
    let server = try await start()
    do {
        try await body(server)
    } catch {
        await stop(server)
        throw error
    }
    await stop(server)
}
