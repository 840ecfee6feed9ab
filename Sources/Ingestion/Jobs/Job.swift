import Crypto
import Foundation

/// One file's way from the landing zone into a table.
///
///     pending ─► scanning ─► queued ─► running ─► completed
///        ▲          │           ▲         │
///        └──────────┘           └─────────┤ (error, attempts left: queued again after a backoff)
///     (scanner down:            quarantined  failed   dead (attempts used up)
///      waits, retries)
public enum JobState: String, Sendable, CaseIterable, Codable {
    /// Found in the landing zone; waiting for a verdict.
    case pending
    /// A scanner holds it.
    case scanning
    /// Clean and in the trusted zone; waiting for a worker.
    case queued
    /// A worker is loading it.
    case running
    /// Its rows are committed (the lake holds its job id as idempotency key).
    case completed
    /// Infected or unscannable: in quarantine, never loaded without an audited release.
    case quarantined
    /// Will not be retried by itself (no table for it, content replaced during its scan).
    case failed
    /// Failed on every allowed attempt.
    case dead

    public var isFinal: Bool {
        switch self {
        case .completed, .quarantined, .failed, .dead: true
        case .pending, .scanning, .queued, .running: false
        }
    }
}

/// A job as the job store keeps it.
public struct Job: Sendable, Equatable {
    public var id: String
    public var client: String
    /// The landing zone's name (its root URL) and the key there.
    public var zone: String
    public var landingKey: String
    public var landingSize: Int
    public var landingModified: Double
    /// SHA-256 of the content, hex.
    public var sha256: String
    public var state: JobState
    /// Load attempts so far (a worker starting it counts one).
    public var attempts: Int
    /// Scans that ended without a verdict (scanner down).
    public var scanAttempts: Int
    public var trustedKey: String?
    public var quarantineKey: String?
    public var table: String?
    public var snapshot: Int64?
    public var rows: Int?
    public var lastError: String?
    /// Not to be picked up again before this time (seconds since the epoch).
    public var nextAttemptAt: Double
    public var createdAt: Double
    public var updatedAt: Double

    public init(
        id: String, client: String, zone: String, landingKey: String, landingSize: Int, landingModified: Double,
        sha256: String, state: JobState = .pending, now: Double
    ) {
        self.id = id
        self.client = client
        self.zone = zone
        self.landingKey = landingKey
        self.landingSize = landingSize
        self.landingModified = landingModified
        self.sha256 = sha256
        self.state = state
        attempts = 0
        scanAttempts = 0
        nextAttemptAt = now
        createdAt = now
        updatedAt = now
    }
}

extension Job {
    /// What a queue message for this job carries besides its id: for people and tools reading
    /// the stream (workers read the job store, not these fields).
    public func queueFields(trustedKey: String? = nil) -> [String: String] {
        ["client_id": client, "key": trustedKey ?? self.trustedKey ?? "", "zone": "trusted"]
    }
}

public enum JobID {
    /// The job of a content in a zone under a key: the same upload twice (same key, same bytes)
    /// is one job; new bytes under the same key are a new job. 32 hex digits of SHA-256 over
    /// the three parts, each length-prefixed so no two triples collide by concatenation.
    public static func make(zone: String, key: String, sha256: String) -> String {
        var hasher = SHA256()
        for part in [zone, key, sha256] {
            let bytes = Array(part.utf8)
            var length = UInt32(bytes.count).bigEndian
            withUnsafeBytes(of: &length) { hasher.update(bufferPointer: $0) }
            hasher.update(data: bytes)
        }
        return String(hex(Array(hasher.finalize())).prefix(32))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// SHA-256 over a stream of chunks.
public struct ContentHasher {
    private var hasher = SHA256()
    public private(set) var count = 0

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
        count += bytes.count
    }

    public func finish() -> String { JobID.hex(Array(hasher.finalize())) }
}
