import LakegateCore
import S3
public import Tables

/// An object being written to S3. Bytes collect in a buffer of one part; when it fills, the
/// writer starts a multipart upload (once) and sends the part, blocking `write` meanwhile, so
/// memory stays at about one part whatever the object's size. `publish()` sends a small object
/// in one PUT, or the last part and the completion; until then nothing is visible under the key.
/// `abort()`, or dropping an unpublished writer, aborts the upload (a bucket lifecycle rule for
/// incomplete multipart uploads catches a process that died).
public final class S3ObjectWriter: ObjectWriter {
    public let key: ObjectKey
    let client: S3Client
    let bucket: String
    let name: String
    let partSize: Int
    private var buffer: [UInt8] = []
    private var uploadId: String?
    private var parts: [S3UploadedPart] = []
    private var written = 0
    private var finished = false
    private var failure: S3Error?

    init(client: S3Client, bucket: String, name: String, key: ObjectKey, partSize: Int) {
        self.client = client
        self.bucket = bucket
        self.name = name
        self.key = key
        self.partSize = partSize
    }

    deinit {
        if !finished, let uploadId {
            client.abortMultipartUploadDetached(bucket: bucket, key: name, uploadId: uploadId)
        }
    }

    public var position: Int { written }

    /// The parts sent so far (for tests and progress).
    public var uploadedParts: Int { parts.count }
    /// The multipart upload under way, once the first part went out.
    package var multipartUploadId: String? { uploadId }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !finished else { throw TableError(.invalidArgument, "the writer was published or aborted", subject: key.path) }
        if let failure { throw TableError(.io, "an earlier part failed: \(failure)", subject: key.path) }
        var offset = 0
        while offset < bytes.count {
            // The buffer grows as needed (a small object never costs a whole part).
            let take = min(partSize - buffer.count, bytes.count - offset)
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + take)]))
            offset += take
            written += take
            if buffer.count == partSize { try sendPart() }
        }
    }

    private func sendPart() throws(TableError) {
        do {
            if uploadId == nil { uploadId = try client.createMultipartUploadBlocking(bucket: bucket, key: name) }
            guard let uploadId else { return }
            parts.append(
                try client.uploadPartBlocking(bucket: bucket, key: name, uploadId: uploadId, partNumber: parts.count + 1, bytes: buffer))
            buffer.removeAll(keepingCapacity: true)
        } catch {
            failure = error
            throw S3ObjectStore.tableError(error, key)
        }
    }

    public func publish() async throws(TableError) {
        guard !finished else { throw TableError(.invalidArgument, "the writer was published or aborted", subject: key.path) }
        if let failure {
            abort()
            throw TableError(.io, "a part failed: \(failure)", subject: key.path)
        }
        finished = true
        do {
            if let uploadId {
                if !buffer.isEmpty {
                    parts.append(
                        try await client.uploadPart(bucket: bucket, key: name, uploadId: uploadId, partNumber: parts.count + 1, bytes: buffer))
                }
                buffer = []
                try await client.completeMultipartUpload(bucket: bucket, key: name, uploadId: uploadId, parts: parts)
            } else {
                try await client.putObject(bucket: bucket, key: name, bytes: buffer)
                buffer = []
            }
        } catch {
            buffer = []
            if let uploadId { try? await client.abortMultipartUpload(bucket: bucket, key: name, uploadId: uploadId) }
            throw S3ObjectStore.tableError(error, key)
        }
    }

    public func abort() {
        guard !finished else { return }
        finished = true
        buffer = []
        guard let uploadId else { return }
        do {
            try client.abortMultipartUploadBlocking(bucket: bucket, key: name, uploadId: uploadId)
        } catch {
            // On an event loop thread (or the abort failed): send it without waiting.
            client.abortMultipartUploadDetached(bucket: bucket, key: name, uploadId: uploadId)
        }
    }
}
