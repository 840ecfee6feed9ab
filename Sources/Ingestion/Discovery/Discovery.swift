import Foundation
import Logging
import Tables

/// Finds new files in the landing zone and records each as a pending job. Files are removed
/// from the landing zone once their trusted or quarantine copy is durable, so a listing is the
/// backlog itself; a file already recorded (same key, size and time) is not read again.
///
/// A pass lists at most `pageSize` keys of each client's prefix, starting after the client's
/// stored checkpoint (`lakegate_landing_checkpoints`): a backlog of millions of files is worked
/// through page by page, in bounded memory, and a restarted process goes on where the last one
/// stopped. A short page means the end was reached, and the next pass starts from the beginning
/// again, where files that arrived meanwhile under earlier keys are found.
///
/// Only keys under a configured client's prefix are taken: the client of a file is decided by
/// its key alone. Names that look unfinished (starting with `.`, ending in `.tmp`, `.part`,
/// `.partial`, `.crdownload`, `._COPYING_`) and files younger than `settle` seconds are left for
/// a later pass, so an upload still being written is not scanned half-way.
public struct Discovery: Sendable {
    public let zones: Zones
    public let routing: any Routing
    public let store: JobStore
    public var settle: Double
    /// Keys listed per client and pass (1…10,000).
    public var pageSize: Int
    let logger: Logger

    public init(
        zones: Zones, routing: any Routing, store: JobStore, settle: Double = 1, pageSize: Int = 1000,
        logger: Logger = Logger(label: "lakegate.discovery")
    ) {
        self.zones = zones
        self.routing = routing
        self.store = store
        self.settle = settle
        self.pageSize = min(max(pageSize, 1), 10_000)
        self.logger = logger
    }

    /// One pass over a page of every client's prefix; returns the jobs it recorded.
    public func discover() async throws(IngestionError) -> [Job] {
        var found: [Job] = []
        let zone = zones.landingName
        for client in routing.clients {
            let checkpoint = try await store.checkpoint(zone: zone, client: client.name)
            let objects: [ObjectInfo]
            do {
                objects = try await zones.landing.list(
                    under: try ObjectKey(String(client.prefix.dropLast())), startAfter: checkpoint.map { try ObjectKey($0) },
                    limit: pageSize)
            } catch {
                throw IngestionError(.unavailable, "cannot list the landing zone: \(error)", subject: client.name)
            }
            let now = Double.now
            for object in objects where Self.looksFinished(object.key) && object.modified <= now - settle {
                if let job = try await record(object, client: client) { found.append(job) }
            }
            let next = objects.count == pageSize ? objects.last?.key.path : nil
            if next != checkpoint {
                try await store.setCheckpoint(zone: zone, client: client.name, after: next, now: now)
            }
        }
        return found
    }

    /// Records one landing object as a pending job (reading it once for its SHA-256). Returns nil
    /// when it was known already.
    public func record(_ object: ObjectInfo, client: ClientZone) async throws(IngestionError) -> Job? {
        guard client.relative(object.key.path) != nil else {
            throw IngestionError(.hostileKey, "key is outside the client's prefix", subject: client.name)
        }
        let zone = zones.landingName
        if try await store.knows(zone: zone, landingKey: object.key.path, size: object.size, modified: object.modified) {
            return nil
        }
        let sha256: String
        do {
            sha256 = try await ChunkedReader.sha256(try await zones.landing.reader(for: object.key))
        } catch {
            // Gone meanwhile (or unreadable now): a later pass sees it again if it is still there.
            logger.warning("cannot read a landing object", metadata: ["key": "\(object.key.path)", "error": "\(error)"])
            return nil
        }
        let job = Job(
            id: JobID.make(zone: zone, key: object.key.path, sha256: sha256), client: client.name, zone: zone,
            landingKey: object.key.path, landingSize: object.size, landingModified: object.modified, sha256: sha256, now: .now)
        guard try await store.insert(job) else {
            // The same bytes under the same key were ingested before: the upload is a repeat.
            if let earlier = try await store.job(job.id), earlier.state.isFinal {
                try? await zones.landing.delete(object.key)
                logger.info("repeated upload removed", metadata: ["key": "\(object.key.path)", "job": "\(job.id)"])
            }
            return nil
        }
        return job
    }

    static func looksFinished(_ key: ObjectKey) -> Bool {
        let name = key.lastSegment
        if name.hasPrefix(".") { return false }
        for suffix in [".tmp", ".part", ".partial", ".crdownload", "._COPYING_"] where name.hasSuffix(suffix) { return false }
        return true
    }
}
