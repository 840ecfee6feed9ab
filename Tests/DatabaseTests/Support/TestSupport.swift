import Database
import Foundation
import Testing

/// Runs `body` and checks that it throws a DatabaseError of `kind`; returns that error.
@discardableResult
func expectDatabaseError(
    _ kind: DatabaseError.Kind, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async -> DatabaseError? {
    do {
        try await body()
        Issue.record("expected DatabaseError.\(kind), nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as DatabaseError {
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected DatabaseError.\(kind), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// A fresh folder under the temp directory, deleted afterwards.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("lakegate-db-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url.path)
}

/// Closes `database` after `body`, whether it throws or not.
@discardableResult
func using<T>(_ database: any SQLDatabase, _ body: (any SQLDatabase) async throws -> T) async throws -> T {
    do {
        let result = try await body(database)
        try await database.close()
        return result
    } catch {
        try? await database.close()
        throw error
    }
}

struct PlannedFailure: Error, Equatable {}
