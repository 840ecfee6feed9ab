import Foundation
import Tables

/// Trusts a quarantined file after all: its quarantine copy is copied to the trusted zone
/// (checked against the job's SHA-256), the release is recorded with its reason and who made
/// it, and the job is queued, all before anything reaches a table.
public struct QuarantineRelease: Sendable {
    public let runtime: Runtime

    public init(runtime: Runtime) { self.runtime = runtime }

    /// Returns the trusted copy's key.
    @discardableResult
    public func release(_ id: String, reason: String, by user: String) async throws -> String {
        let store = runtime.store
        guard let job = try await store.job(id) else { throw IngestionError(.notFound, "no such job", jobId: id) }
        guard job.state == .quarantined, let quarantined = job.quarantineKey.flatMap({ try? ObjectKey($0) }) else {
            throw IngestionError(.invalidState, "only a quarantined job can be released (this one is \(job.state.rawValue))", jobId: id)
        }
        guard let client = runtime.routing.clients.first(where: { $0.name == job.client }) else {
            throw IngestionError(.invalidArgument, "client \(job.client) is not configured", jobId: id)
        }
        let trustedKey = try ZoneKeys.copy(client: client, jobId: id, landingKey: job.landingKey)
        let writer = try runtime.zones.trusted.makeWriter(for: trustedKey)
        do {
            let copied = try await ChunkedReader.copy(try await runtime.zones.quarantine.reader(for: quarantined), into: writer)
            guard copied == job.sha256 else {
                throw IngestionError(.invalidState, "the quarantine copy's SHA-256 is not the job's: refusing to trust it", jobId: id)
            }
            try await writer.publish()
        } catch {
            writer.abort()
            throw error
        }
        guard try await store.release(id, reason: reason, by: user, trustedKey: trustedKey.path, now: .now) else {
            throw IngestionError(.invalidState, "the job changed meanwhile", jobId: id)
        }
        try await runtime.queue.enqueue(jobId: id, fields: job.queueFields(trustedKey: trustedKey.path))
        return trustedKey.path
    }
}
