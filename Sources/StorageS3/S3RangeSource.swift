public import LakegateCore
import S3
import Synchronization

/// Random-access reads of one S3 object through ranged GETs. Small reads are served from a
/// read-ahead window (one GET fetches `readAhead` bytes from the first byte asked for), so a
/// sequential pass over a large object costs one request per window, not per read; a read as
/// large as the window is fetched as asked. Every GET carries If-Match with the ETag seen when
/// the reader was opened: an object replaced meanwhile fails the read instead of mixing versions.
///
/// `read` blocks the calling thread while the request runs on the HTTP client's event loops.
public final class S3RangeSource: ByteRangeSource {
    public let size: Int
    let client: S3Client
    let bucket: String
    let name: String
    let etag: String?
    let readAhead: Int
    private let window = Mutex<(start: Int, bytes: [UInt8])>((0, []))
    private let requests = Atomic<Int>(0)

    init(client: S3Client, bucket: String, name: String, size: Int, etag: String?, readAhead: Int) {
        self.client = client
        self.bucket = bucket
        self.name = name
        self.size = size
        self.etag = etag
        self.readAhead = readAhead
    }

    /// GET requests made so far (for tests and metrics).
    public var requestCount: Int { requests.load(ordering: .relaxed) }

    public func read(_ range: Range<Int>) throws -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= size else {
            throw ByteIOError(.outOfRange, "range \(range) outside 0..<\(size)", path: name)
        }
        if range.isEmpty { return [] }
        let cached: [UInt8]? = window.withLock { window in
            let end = window.start + window.bytes.count
            guard range.lowerBound >= window.start, range.upperBound <= end else { return nil }
            return Array(window.bytes[(range.lowerBound - window.start)..<(range.upperBound - window.start)])
        }
        if let cached { return cached }
        if range.count >= readAhead { return try fetch(range) }
        let extended = range.lowerBound..<min(size, range.lowerBound + readAhead)
        let bytes = try fetch(extended)
        window.withLock { $0 = (extended.lowerBound, bytes) }
        return Array(bytes[0..<range.count])
    }

    private func fetch(_ range: Range<Int>) throws(ByteIOError) -> [UInt8] {
        requests.add(1, ordering: .relaxed)
        do {
            return try client.getObjectBytesBlocking(bucket: bucket, key: name, range: range, ifMatch: etag, limit: range.count)
        } catch {
            let code: ByteIOError.Code =
                switch error.code {
                case .notFound: .notFound
                case .accessDenied, .invalidCredentials: .permissionDenied
                case .invalidRange: .outOfRange
                default: .ioFailure
                }
            throw ByteIOError(code, error.description, path: name, isRetryable: error.isRetryable)
        }
    }
}
