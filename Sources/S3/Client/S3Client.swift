import AsyncHTTPClient
import NIOCore

/// A client for S3 and S3-compatible storage: Signature V4, path or virtual-host addressing,
/// retries with backoff. Thread-safe; one per process is enough (it pools connections).
///
/// Every answer held in memory is bounded: XML by `limits.maxXMLBytes`, whole-object reads by
/// the caller's limit, ranged reads by their range. Large objects stream (`getObject`) or go up
/// in parts (multipart upload). Call `shutdown()` when done, unless the HTTP client was given.
///
/// The `…Blocking` calls serve synchronous callers (`ByteRangeSource`, `ByteSink`): they block
/// the calling thread while the request runs on the HTTP client's event loops.
public final class S3Client: Sendable {
    public let configuration: S3Configuration
    let preparer: S3RequestPreparer
    let http: HTTPClient
    private let ownsHTTPClient: Bool

    /// With `httpClient` nil the client makes its own (and `shutdown()` stops it).
    public init(configuration: S3Configuration, httpClient: HTTPClient? = nil) throws(S3Error) {
        self.configuration = configuration
        self.preparer = try S3RequestPreparer(configuration: configuration)
        if let httpClient {
            self.http = httpClient
            self.ownsHTTPClient = false
        } else {
            var settings = HTTPClient.Configuration(
                redirectConfiguration: .disallow,  // S3 redirects name another region: an error, not a hop
                timeout: .init(
                    connect: .nanoseconds(Int64(configuration.timeouts.connect * 1e9)),
                    read: .nanoseconds(Int64(configuration.timeouts.read * 1e9))),
                decompression: .disabled)
            settings.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 16
            self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: settings)
            self.ownsHTTPClient = true
        }
    }

    public func shutdown() async throws {
        if ownsHTTPClient { try await http.shutdown() }
    }

    /// Blocks until the HTTP client stopped (for synchronous teardown).
    public func syncShutdown() throws {
        if ownsHTTPClient { try http.syncShutdown() }
    }

    // MARK: Listing

    /// One ListObjectsV2 page: keys after `startAfter` (exclusive) or from `continuationToken`,
    /// at most `maxKeys` (1…1,000), under `prefix`, in UTF-8 byte order.
    public func listObjectsV2(
        bucket: String, prefix: String? = nil, startAfter: String? = nil, continuationToken: String? = nil,
        maxKeys: Int = 1000, delimiter: String? = nil
    ) async throws(S3Error) -> S3ListPage {
        let request = try listRequest(bucket, prefix, startAfter, continuationToken, maxKeys, delimiter)
        let response = try await send(request)
        return try S3XML.listObjectsV2(response.body, limits: configuration.limits, request: request)
    }

    /// Every page under `prefix`, fetched as the sequence is iterated.
    public func listPages(bucket: String, prefix: String? = nil, startAfter: String? = nil, pageSize: Int = 1000) -> S3ListPages {
        S3ListPages(client: self, bucket: bucket, prefix: prefix, startAfter: startAfter, pageSize: pageSize)
    }

    /// Every object under `prefix`; fails with `.tooLarge` beyond `limit` objects.
    public func listAllObjects(bucket: String, prefix: String? = nil, startAfter: String? = nil, limit: Int = 1_000_000)
        async throws(S3Error) -> [S3Object]
    {
        var objects: [S3Object] = []
        var token: String?
        repeat {
            let page = try await listObjectsV2(bucket: bucket, prefix: prefix, startAfter: token == nil ? startAfter : nil, continuationToken: token)
            objects += page.objects
            guard objects.count <= limit else {
                throw S3Error(.tooLarge, "more than \(limit) objects under the prefix", operation: "ListObjectsV2", bucket: bucket, key: prefix)
            }
            token = page.nextContinuationToken
        } while token != nil
        return objects
    }

    func listRequest(
        _ bucket: String, _ prefix: String?, _ startAfter: String?, _ token: String?, _ maxKeys: Int, _ delimiter: String?
    ) throws(S3Error) -> S3Request {
        var query = [("list-type", "2"), ("encoding-type", "url"), ("max-keys", String(min(maxKeys, configuration.limits.maxListKeys)))]
        if let prefix, !prefix.isEmpty { query.append(("prefix", prefix)) }
        if let startAfter, !startAfter.isEmpty { query.append(("start-after", startAfter)) }
        if let token { query.append(("continuation-token", token)) }
        if let delimiter { query.append(("delimiter", delimiter)) }
        let request = S3Request(operation: "ListObjectsV2", method: "GET", bucket: bucket, key: nil, query: query)
        guard maxKeys >= 1 else { throw request.error(.invalidArgument, "max-keys is at least 1") }
        guard (prefix?.utf8.count ?? 0) <= 1024, (startAfter?.utf8.count ?? 0) <= 1024, (token?.utf8.count ?? 0) <= 4096 else {
            throw request.error(.invalidArgument, "a prefix or start-after key has at most 1,024 bytes")
        }
        return request
    }

    // MARK: Reading

    /// Size, ETag and modification time; nil when there is no such object.
    public func headObject(bucket: String, key: String) async throws(S3Error) -> S3ObjectHead? {
        let request = S3Request(operation: "HeadObject", method: "HEAD", bucket: bucket, key: key)
        do {
            return try head(of: try await send(request), request: request)
        } catch where error.code == .notFound {
            return nil
        }
    }

    package func headObjectBlocking(bucket: String, key: String) throws(S3Error) -> S3ObjectHead? {
        let request = S3Request(operation: "HeadObject", method: "HEAD", bucket: bucket, key: key)
        do {
            return try head(of: try sendBlocking(request), request: request)
        } catch where error.code == .notFound {
            return nil
        }
    }

    func head(of response: S3Response, request: S3Request) throws(S3Error) -> S3ObjectHead {
        guard let size = response.header("content-length").flatMap({ Int($0) }), size >= 0 else {
            throw request.error(.invalidResponse, "no Content-Length in the answer", status: response.status)
        }
        return S3ObjectHead(
            size: size, etag: response.header("etag") ?? "", lastModified: response.header("last-modified").flatMap(S3Timestamp.parse),
            contentType: response.header("content-type"))
    }

    /// Streams an object (or `range` of it) in chunks as they arrive; the whole never sits in
    /// memory. With `ifMatch` (an ETag) the read fails with `.preconditionFailed` once the object
    /// was replaced. The request is retried until its answer starts; a failure mid-body surfaces
    /// from the iteration as an `S3Error`.
    public func getObject(bucket: String, key: String, range: Range<Int>? = nil, ifMatch: String? = nil)
        async throws(S3Error) -> S3ObjectBody
    {
        let request = try getRequest(bucket: bucket, key: key, range: range, ifMatch: ifMatch)
        var attempt = 1
        while true {
            do throws(S3Error) {
                return try await startStream(request)
            } catch {
                guard shouldRetry(error, request: request, attempt: attempt) else { throw error }
                try? await Task.sleep(nanoseconds: UInt64(delay(afterAttempt: attempt) * 1e9))
                attempt += 1
            }
        }
    }

    /// An object (or `range` of it) whole, refused with `.tooLarge` above `limit` bytes.
    public func getObjectBytes(bucket: String, key: String, range: Range<Int>? = nil, ifMatch: String? = nil, limit: Int)
        async throws(S3Error) -> [UInt8]
    {
        let request = try getRequest(bucket: bucket, key: key, range: range, ifMatch: ifMatch)
        return try bytes(
            of: try await send(request, maxBody: limit, timeout: configuration.timeouts.transfer), range: range, limit: limit, request: request)
    }

    package func getObjectBytesBlocking(bucket: String, key: String, range: Range<Int>? = nil, ifMatch: String? = nil, limit: Int)
        throws(S3Error) -> [UInt8]
    {
        let request = try getRequest(bucket: bucket, key: key, range: range, ifMatch: ifMatch)
        return try bytes(
            of: try sendBlocking(request, maxBody: limit, timeout: configuration.timeouts.transfer), range: range, limit: limit, request: request)
    }

    func bytes(of response: S3Response, range: Range<Int>?, limit: Int, request: S3Request) throws(S3Error) -> [UInt8] {
        guard response.body.count <= limit || (range != nil && response.status == 200) else {
            throw request.error(.tooLarge, "the object is larger than the limit of \(limit) bytes", status: response.status)
        }
        // A server that ignores Range sends 200 and everything: cut what was asked for.
        if let range, response.status == 200 {
            guard range.upperBound <= response.body.count else {
                throw request.error(.invalidRange, "the object is shorter than the range", status: response.status)
            }
            return Array(response.body[range])
        }
        if let range, response.body.count != range.count {
            throw request.error(.invalidResponse, "asked for \(range.count) bytes, got \(response.body.count)", status: response.status)
        }
        return response.body
    }

    func getRequest(bucket: String, key: String, range: Range<Int>?, ifMatch: String?) throws(S3Error) -> S3Request {
        var headers: [(String, String)] = []
        if let range {
            guard range.lowerBound >= 0, !range.isEmpty else {
                throw S3Error(.invalidArgument, "a range is not empty and starts at 0 or later", operation: "GetObject", bucket: bucket, key: key)
            }
            headers.append(("range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)"))
        }
        if let ifMatch { headers.append(("if-match", ifMatch)) }
        return S3Request(operation: "GetObject", method: "GET", bucket: bucket, key: key, headers: headers)
    }

    private func startStream(_ request: S3Request) async throws(S3Error) -> S3ObjectBody {
        let prepared = try preparer.prepare(request, at: S3Timestamp.now())
        var httpRequest = HTTPClientRequest(url: prepared.url)
        httpRequest.method = .GET
        for (name, value) in prepared.headers { httpRequest.headers.add(name: name, value: value) }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(httpRequest, timeout: .nanoseconds(Int64(configuration.timeouts.request * 1e9)))
        } catch {
            throw classify(error, request: request)
        }
        let status = Int(response.status.code)
        let headers = response.headers.map { ($0.name.lowercased(), String($0.value.prefix(configuration.limits.maxHeaderBytes))) }
        guard (200..<300).contains(status) else {
            // An error answer is a small XML document.
            var body: [UInt8] = []
            do {
                let buffer = try await response.body.collect(upTo: configuration.limits.maxXMLBytes)
                body = Array(buffer.readableBytesView)
            } catch {}
            _ = try check(S3Response(status: status, headers: headers, body: body), request: request)
            throw request.error(.invalidResponse, "HTTP \(status)", status: status)
        }
        let answer = S3Response(status: status, headers: headers, body: [])
        return S3ObjectBody(
            body: response.body, request: request, client: self,
            contentLength: answer.header("content-length").flatMap { Int($0) }, etag: answer.header("etag"))
    }

    // MARK: Writing

    /// Writes an object whole (up to 5 GiB, S3's limit for one PUT), with Content-MD5 so the
    /// server checks what it got. Returns the new ETag.
    @discardableResult
    public func putObject(bucket: String, key: String, bytes: [UInt8], contentType: String? = nil) async throws(S3Error) -> String {
        let request = try putRequest(bucket: bucket, key: key, bytes: bytes, contentType: contentType)
        return try await send(request, timeout: configuration.timeouts.transfer).header("etag") ?? ""
    }

    @discardableResult
    package func putObjectBlocking(bucket: String, key: String, bytes: [UInt8], contentType: String? = nil) throws(S3Error) -> String {
        let request = try putRequest(bucket: bucket, key: key, bytes: bytes, contentType: contentType)
        return try sendBlocking(request, timeout: configuration.timeouts.transfer).header("etag") ?? ""
    }

    func putRequest(bucket: String, key: String, bytes: [UInt8], contentType: String?) throws(S3Error) -> S3Request {
        var headers = [("content-md5", S3Encoding.md5Base64(bytes))]
        if let contentType { headers.append(("content-type", contentType)) }
        let request = S3Request(operation: "PutObject", method: "PUT", bucket: bucket, key: key, headers: headers, body: bytes)
        guard bytes.count <= 5 << 30 else { throw request.error(.invalidArgument, "one PUT carries at most 5 GiB") }
        return request
    }

    /// Starts a multipart upload; returns its upload id. Parts are 5 MiB to 5 GiB (the last may
    /// be smaller), numbered 1…10,000.
    public func createMultipartUpload(bucket: String, key: String, contentType: String? = nil) async throws(S3Error) -> String {
        let request = createUploadRequest(bucket: bucket, key: key, contentType: contentType)
        return try S3XML.uploadId(try await send(request).body, limits: configuration.limits, request: request)
    }

    package func createMultipartUploadBlocking(bucket: String, key: String, contentType: String? = nil) throws(S3Error) -> String {
        let request = createUploadRequest(bucket: bucket, key: key, contentType: contentType)
        return try S3XML.uploadId(try sendBlocking(request).body, limits: configuration.limits, request: request)
    }

    func createUploadRequest(bucket: String, key: String, contentType: String?) -> S3Request {
        // Not idempotent: a lost answer would leave a second, orphaned upload.
        S3Request(
            operation: "CreateMultipartUpload", method: "POST", bucket: bucket, key: key, query: [("uploads", "")],
            headers: contentType.map { [("content-type", $0)] } ?? [], idempotent: false)
    }

    public func uploadPart(bucket: String, key: String, uploadId: String, partNumber: Int, bytes: [UInt8])
        async throws(S3Error) -> S3UploadedPart
    {
        let request = try partRequest(bucket: bucket, key: key, uploadId: uploadId, partNumber: partNumber, bytes: bytes)
        return try uploadedPart(try await send(request, timeout: configuration.timeouts.transfer), partNumber, request)
    }

    package func uploadPartBlocking(bucket: String, key: String, uploadId: String, partNumber: Int, bytes: [UInt8])
        throws(S3Error) -> S3UploadedPart
    {
        let request = try partRequest(bucket: bucket, key: key, uploadId: uploadId, partNumber: partNumber, bytes: bytes)
        return try uploadedPart(try sendBlocking(request, timeout: configuration.timeouts.transfer), partNumber, request)
    }

    func uploadedPart(_ response: S3Response, _ number: Int, _ request: S3Request) throws(S3Error) -> S3UploadedPart {
        guard let etag = response.header("etag"), !etag.isEmpty else {
            throw request.error(.invalidResponse, "no ETag for part \(number)", status: response.status)
        }
        return S3UploadedPart(partNumber: number, etag: etag)
    }

    func partRequest(bucket: String, key: String, uploadId: String, partNumber: Int, bytes: [UInt8]) throws(S3Error) -> S3Request {
        let request = S3Request(
            operation: "UploadPart", method: "PUT", bucket: bucket, key: key,
            query: [("partNumber", String(partNumber)), ("uploadId", uploadId)],
            headers: [("content-md5", S3Encoding.md5Base64(bytes))], body: bytes)
        guard (1...10_000).contains(partNumber), bytes.count <= 5 << 30 else {
            throw request.error(.invalidArgument, "parts are numbered 1 to 10,000 and hold at most 5 GiB")
        }
        return request
    }

    /// Makes the upload's parts the object (visible from now on); returns its ETag.
    @discardableResult
    public func completeMultipartUpload(bucket: String, key: String, uploadId: String, parts: [S3UploadedPart])
        async throws(S3Error) -> String
    {
        let request = try completeRequest(bucket: bucket, key: key, uploadId: uploadId, parts: parts)
        let response = try await send(request, timeout: configuration.timeouts.transfer)
        return try S3XML.resultETag(response.body, expecting: "CompleteMultipartUploadResult", limits: configuration.limits, request: request)
    }

    func completeRequest(bucket: String, key: String, uploadId: String, parts: [S3UploadedPart]) throws(S3Error) -> S3Request {
        // Retried on answers that say it failed (5xx), not on lost connections: a completed
        // upload answers a second completion with NoSuchUpload.
        let request = S3Request(
            operation: "CompleteMultipartUpload", method: "POST", bucket: bucket, key: key, query: [("uploadId", uploadId)],
            headers: [("content-type", "application/xml")], body: S3XML.completeBody(parts), idempotent: false)
        guard !parts.isEmpty, parts.count <= 10_000, zip(parts, parts.dropFirst()).allSatisfy({ $0.partNumber < $1.partNumber }) else {
            throw request.error(.invalidArgument, "1 to 10,000 parts in ascending order")
        }
        return request
    }

    /// Drops an upload and its parts. Aborting one that is gone is not an error.
    public func abortMultipartUpload(bucket: String, key: String, uploadId: String) async throws(S3Error) {
        do {
            _ = try await send(abortRequest(bucket: bucket, key: key, uploadId: uploadId))
        } catch where error.code == .notFound {}
    }

    package func abortMultipartUploadBlocking(bucket: String, key: String, uploadId: String) throws(S3Error) {
        do {
            _ = try sendBlocking(abortRequest(bucket: bucket, key: key, uploadId: uploadId))
        } catch where error.code == .notFound {}
    }

    /// Starts the abort and returns at once (for deinitializers, which cannot wait).
    package func abortMultipartUploadDetached(bucket: String, key: String, uploadId: String) {
        let request = abortRequest(bucket: bucket, key: key, uploadId: uploadId)
        guard let prepared = try? preparer.prepare(request, at: S3Timestamp.now()),
            let httpRequest = try? Self.httpRequest(prepared, request: request)
        else { return }
        _ = http.execute(request: httpRequest, deadline: .now() + .seconds(60))
    }

    func abortRequest(bucket: String, key: String, uploadId: String) -> S3Request {
        S3Request(operation: "AbortMultipartUpload", method: "DELETE", bucket: bucket, key: key, query: [("uploadId", uploadId)])
    }

    /// Uploads under way below `prefix` (unfinished writers, or ones whose process died), one
    /// page of at most 1,000, continuing after the markers of the previous page.
    public func listMultipartUploads(bucket: String, prefix: String? = nil, keyMarker: String? = nil, uploadIdMarker: String? = nil)
        async throws(S3Error) -> S3MultipartUploadsPage
    {
        var query = [("uploads", ""), ("encoding-type", "url"), ("max-uploads", String(min(1000, configuration.limits.maxListKeys)))]
        if let prefix, !prefix.isEmpty { query.append(("prefix", prefix)) }
        if let keyMarker { query.append(("key-marker", keyMarker)) }
        if let uploadIdMarker { query.append(("upload-id-marker", uploadIdMarker)) }
        let request = S3Request(operation: "ListMultipartUploads", method: "GET", bucket: bucket, query: query)
        guard (prefix?.utf8.count ?? 0) <= 1024, (keyMarker?.utf8.count ?? 0) <= 1024, (uploadIdMarker?.utf8.count ?? 0) <= 1024 else {
            throw request.error(.invalidArgument, "a prefix or marker has at most 1,024 bytes")
        }
        return try S3XML.multipartUploads(try await send(request).body, limits: configuration.limits, request: request)
    }

    /// Server-side copy (objects up to 5 GiB). With `ifMatch` the copy happens only while the
    /// source still has that ETag. Returns the copy's ETag.
    @discardableResult
    public func copyObject(
        bucket: String, sourceKey: String, to destinationKey: String, sourceBucket: String? = nil, ifMatch: String? = nil
    ) async throws(S3Error) -> String {
        let from = sourceBucket ?? bucket
        var headers = [("x-amz-copy-source", from + "/" + S3Encoding.uriEncode(sourceKey, keepSlash: true))]
        if let ifMatch { headers.append(("x-amz-copy-source-if-match", ifMatch)) }
        let request = S3Request(operation: "CopyObject", method: "PUT", bucket: bucket, key: destinationKey, headers: headers)
        guard sourceKey.utf8.count <= 1024, !sourceKey.isEmpty else { throw request.error(.invalidArgument, "an object key has 1 to 1,024 bytes") }
        try S3RequestPreparer.validate(bucket: from, addressing: .path, request: request)
        let response = try await send(request, timeout: configuration.timeouts.transfer)
        return try S3XML.resultETag(response.body, expecting: "CopyObjectResult", limits: configuration.limits, request: request)
    }

    /// Removes an object; removing one that does not exist is not an error (S3 answers 204).
    public func deleteObject(bucket: String, key: String) async throws(S3Error) {
        do {
            _ = try await send(S3Request(operation: "DeleteObject", method: "DELETE", bucket: bucket, key: key))
        } catch where error.code == .notFound && error.s3Code != "NoSuchBucket" {}
    }

    /// Creates a bucket in the configured region (us-east-1 takes no location constraint).
    public func createBucket(_ bucket: String) async throws(S3Error) {
        var body: [UInt8] = []
        if configuration.region != "us-east-1" {
            body = Array(
                "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>\(configuration.region)</LocationConstraint></CreateBucketConfiguration>"
                    .utf8)
        }
        _ = try await send(S3Request(operation: "CreateBucket", method: "PUT", bucket: bucket, body: body))
    }
}

/// The pages of a listing, each fetched when asked for.
public struct S3ListPages: AsyncSequence, Sendable {
    public typealias Element = S3ListPage
    let client: S3Client
    let bucket: String
    let prefix: String?
    let startAfter: String?
    let pageSize: Int

    public struct AsyncIterator: AsyncIteratorProtocol {
        let pages: S3ListPages
        var token: String?
        var finished = false

        public mutating func next() async throws -> S3ListPage? {
            guard !finished else { return nil }
            let page = try await pages.client.listObjectsV2(
                bucket: pages.bucket, prefix: pages.prefix, startAfter: token == nil ? pages.startAfter : nil,
                continuationToken: token, maxKeys: pages.pageSize)
            token = page.nextContinuationToken
            finished = token == nil
            return page
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(pages: self) }
}

/// An object's body as it arrives, in chunks.
public struct S3ObjectBody: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    let body: HTTPClientResponse.Body
    let request: S3Request
    let client: S3Client
    /// The bytes to come, when the server said.
    public let contentLength: Int?
    public let etag: String?

    init(body: HTTPClientResponse.Body, request: S3Request, client: S3Client, contentLength: Int?, etag: String?) {
        self.body = body
        self.request = request
        self.client = client
        self.contentLength = contentLength
        self.etag = etag
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var inner: HTTPClientResponse.Body.AsyncIterator
        let request: S3Request
        let client: S3Client

        /// The next chunk; errors are `S3Error`s.
        public mutating func next() async throws -> [UInt8]? {
            do {
                return try await inner.next().map { Array($0.readableBytesView) }
            } catch {
                throw client.classify(error, request: request)
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(inner: body.makeAsyncIterator(), request: request, client: client)
    }
}
