import Foundation
import LakegateCore
public import LakegateConfiguration
public import S3
import StorageS3
public import Tables

/// The three places a file passes through: the landing zone clients write to, the trusted
/// zone (clean copies, the only place workers read), and quarantine (infected or unscannable
/// copies, with a reason). Each is an `ObjectStore`: a local folder or an S3 bucket prefix.
public struct Zones: Sendable {
    public var landing: any ObjectStore
    public var trusted: any ObjectStore
    public var quarantine: any ObjectStore

    public init(landing: any ObjectStore, trusted: any ObjectStore, quarantine: any ObjectStore) {
        self.landing = landing
        self.trusted = trusted
        self.quarantine = quarantine
    }

    /// The landing zone's name in job records: its root URL.
    public var landingName: String { landing.rootURL }
}

extension ZoneLocation {
    /// The store behind a zone or data path: its folder (created when missing) or its bucket
    /// prefix, reached through `s3`.
    public func objectStore(s3: S3Client?) throws -> any ObjectStore {
        switch self {
        case .folder(let path):
            return try LocalObjectStore(root: path)
        case .s3(let bucket, let prefix):
            guard let s3 else { throw IngestionError(.invalidArgument, "no S3 connection for s3://\(bucket)") }
            let trimmed = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
            return try S3ObjectStore(client: s3, bucket: bucket, prefix: trimmed.isEmpty ? nil : try ObjectKey(trimmed))
        }
    }
}

/// Reads an object start to end in chunks (bounded memory whatever its size).
enum ChunkedReader {
    static let chunkSize = 256 << 10

    static func forEachChunk(
        _ source: any ByteRangeSource, chunkSize: Int = chunkSize, _ body: ([UInt8]) async throws -> Void
    ) async throws {
        var offset = 0
        while offset < source.size {
            let end = min(offset + chunkSize, source.size)
            try await body(try source.read(offset..<end))
            offset = end
        }
    }

    /// SHA-256 of an object's content.
    static func sha256(_ source: any ByteRangeSource) async throws -> String {
        var hasher = ContentHasher()
        try await forEachChunk(source) { chunk in chunk.withUnsafeBytes { hasher.update($0) } }
        return hasher.finish()
    }

    /// Copies an object into a writer, returning the copied bytes' SHA-256. The writer is not
    /// published here.
    static func copy(_ source: any ByteRangeSource, into writer: any ObjectWriter) async throws -> String {
        var hasher = ContentHasher()
        try await forEachChunk(source) { chunk in
            chunk.withUnsafeBytes { hasher.update($0) }
            try writer.write(chunk)
        }
        return hasher.finish()
    }
}

extension Double {
    static var now: Double { Date().timeIntervalSince1970 }
}
