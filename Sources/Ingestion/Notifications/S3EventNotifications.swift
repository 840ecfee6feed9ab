import Foundation
import LakegateCore
import Tables

/// The `Records` document S3 (and MinIO, Ceph, moto) posts for bucket events. Only what the
/// pipeline needs is decoded: the event name, the bucket and the key (URL-encoded in the
/// document, with `+` for spaces, as S3 sends it).
public struct S3EventDocument: Decodable, Sendable {
    public struct Record: Decodable, Sendable {
        public struct S3: Decodable, Sendable {
            public struct Bucket: Decodable, Sendable { public var name: String }
            public struct Object: Decodable, Sendable {
                public var key: String
                public var size: Int?
            }
            public var bucket: Bucket
            public var object: Object
        }
        public var eventName: String
        public var s3: S3
    }
    public var Records: [Record]?

    /// Object keys of creation events, decoded.
    public func createdKeys() -> [(bucket: String, key: String)] {
        (Records ?? []).compactMap { record in
            guard record.eventName.hasPrefix("ObjectCreated") || record.eventName.hasPrefix("s3:ObjectCreated") else { return nil }
            guard let key = PercentEncoding.decode(record.s3.object.key, plusIsSpace: true) else { return nil }
            return (record.s3.bucket.name, key)
        }
    }
}

/// Turns S3 event notifications into pending jobs at once, instead of at the next listing.
/// Each key must lie under a configured client's prefix in the landing zone; the object is then
/// recorded exactly as discovery would (read for its SHA-256, deduplicated by job id) and
/// scanned before anything trusts it. A notification never carries trust.
public struct NotificationIntake: Sendable {
    public let discovery: Discovery
    /// The landing zone's bucket, when it is on S3: events of other buckets are ignored.
    public let bucket: String?

    public init(discovery: Discovery, bucket: String?) {
        self.discovery = discovery
        self.bucket = bucket
    }

    public struct Result: Sendable, Equatable, Encodable {
        public var recorded = 0
        public var known = 0
        public var ignored: [String] = []
    }

    public func accept(_ body: [UInt8]) async throws(IngestionError) -> Result {
        let document: S3EventDocument
        do {
            document = try JSONDecoder().decode(S3EventDocument.self, from: Data(body))
        } catch {
            throw IngestionError(.invalidArgument, "not an S3 event notification (a JSON object with Records)")
        }
        var result = Result()
        for (eventBucket, key) in document.createdKeys() {
            if let bucket, eventBucket != bucket {
                result.ignored.append("\(key): bucket \(eventBucket) is not the landing zone's")
                continue
            }
            guard let client = discovery.routing.client(owning: key), let objectKey = try? ObjectKey(key) else {
                result.ignored.append("\(key): under no client's prefix, or not a safe key")
                continue
            }
            guard let info = try await infoOrNil(objectKey) else {
                result.ignored.append("\(key): not in the landing zone")
                continue
            }
            if try await discovery.record(info, client: client) != nil { result.recorded += 1 } else { result.known += 1 }
        }
        return result
    }

    private func infoOrNil(_ key: ObjectKey) async throws(IngestionError) -> ObjectInfo? {
        do {
            return try await discovery.zones.landing.info(key)
        } catch {
            throw IngestionError(.unavailable, "cannot read the landing zone: \(error)", subject: key.path)
        }
    }
}
