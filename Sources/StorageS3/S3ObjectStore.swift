public import LakegateCore
public import S3
public import Tables

/// A bucket (under an optional prefix) behind `ObjectStore`: `s3://bucket/prefix/`.
///
/// Keys are validated `ObjectKey`s placed under a prefix that is itself a validated key, so no
/// object lands outside `rootURL`. Large objects are written through `S3ObjectWriter` (buffered
/// up to one part, multipart beyond it, visible only on publish) and read through
/// `S3RangeSource` (ranged GETs through a read-ahead window). `move` is a server-side copy then
/// a delete: the target is whole or absent at every moment, the source may linger if the
/// delete fails.
///
/// `ByteRangeSource.read` and `ByteSink.write` are synchronous; here they block the calling
/// thread while the request runs on the HTTP client's event loop threads (never on the Swift
/// concurrency pool, so blocked callers cannot starve the requests they wait for). Calling them
/// on one of those event loops is refused with an error rather than deadlocking.
public struct S3ObjectStore: ObjectStore {
    public let client: S3Client
    public let bucket: String
    /// "" or a validated key followed by `/`.
    public let prefix: String
    /// Bytes per multipart part (and the most a writer buffers): 5 MiB at least.
    public let partSize: Int
    /// Bytes a reader fetches at once for small sequential reads.
    public let readAhead: Int

    public static let minimumPartSize = 5 << 20
    public static let defaultPartSize = 8 << 20
    /// The most objects `list(under:)` returns at once; page with `list(under:startAfter:limit:)` beyond.
    public static let maxListedObjects = 1_000_000

    public init(
        client: S3Client, bucket: String, prefix: ObjectKey? = nil, partSize: Int = defaultPartSize, readAhead: Int = 8 << 20
    ) throws(TableError) {
        guard partSize >= Self.minimumPartSize, partSize <= 5 << 30 else {
            throw TableError(.invalidArgument, "a part size is 5 MiB to 5 GiB")
        }
        guard readAhead >= 0, readAhead <= 1 << 30 else { throw TableError(.invalidArgument, "a read-ahead window is 0 to 1 GiB") }
        guard bucket.utf8.count >= 3, bucket.utf8.count <= 63,
            bucket.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D || $0 == 0x5F })
        else {
            throw TableError(.invalidArgument, "a bucket name is 3 to 63 letters, digits, '.', '-' or '_'")
        }
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.map { $0.path + "/" } ?? ""
        self.partSize = partSize
        self.readAhead = readAhead
    }

    /// A store for `s3://bucket` or `s3://bucket/some/prefix/`.
    public init(url: String, client: S3Client, partSize: Int = defaultPartSize, readAhead: Int = 8 << 20) throws(TableError) {
        guard url.hasPrefix("s3://") else { throw TableError(.invalidArgument, "an S3 location starts with s3://", subject: url) }
        var rest = url.dropFirst(5)
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        let bucket: Substring
        var prefix: ObjectKey?
        if let slash = rest.firstIndex(of: "/") {
            bucket = rest[..<slash]
            prefix = try ObjectKey(String(rest[rest.index(after: slash)...]))
        } else {
            bucket = rest
        }
        try self.init(client: client, bucket: String(bucket), prefix: prefix, partSize: partSize, readAhead: readAhead)
    }

    public var rootURL: String { "s3://\(bucket)/\(prefix)" }

    /// The object's name in the bucket.
    public func objectName(_ key: ObjectKey) -> String { prefix + key.path }

    /// The key of a name in the bucket, nil when it lies outside the prefix or is no valid key.
    func key(ofName name: String) -> ObjectKey? {
        guard name.hasPrefix(prefix) else { return nil }
        return try? ObjectKey(String(name.dropFirst(prefix.count)))
    }

    public func makeWriter(for key: ObjectKey) throws(TableError) -> any ObjectWriter {
        S3ObjectWriter(client: client, bucket: bucket, name: objectName(key), key: key, partSize: partSize)
    }

    public func reader(for key: ObjectKey) async throws(TableError) -> any ByteRangeSource {
        let head: S3ObjectHead?
        do {
            head = try await client.headObject(bucket: bucket, key: objectName(key))
        } catch {
            throw Self.tableError(error, key)
        }
        guard let head else { throw TableError(.notFound, "no such object", subject: key.path) }
        return S3RangeSource(
            client: client, bucket: bucket, name: objectName(key), size: head.size, etag: head.etag.isEmpty ? nil : head.etag,
            readAhead: readAhead)
    }

    public func put(_ key: ObjectKey, _ bytes: [UInt8]) async throws(TableError) {
        do {
            try await client.putObject(bucket: bucket, key: objectName(key), bytes: bytes)
        } catch {
            throw Self.tableError(error, key)
        }
    }

    public func get(_ key: ObjectKey, limit: Int) async throws(TableError) -> [UInt8] {
        do {
            return try await client.getObjectBytes(bucket: bucket, key: objectName(key), limit: limit)
        } catch {
            throw Self.tableError(error, key)
        }
    }

    public func info(_ key: ObjectKey) async throws(TableError) -> ObjectInfo? {
        do {
            guard let head = try await client.headObject(bucket: bucket, key: objectName(key)) else { return nil }
            return ObjectInfo(key: key, size: head.size, modified: head.lastModified ?? 0)
        } catch {
            throw Self.tableError(error, key)
        }
    }

    public func list(under folder: ObjectKey?) async throws(TableError) -> [ObjectInfo] {
        var found: [ObjectInfo] = []
        var token: String?
        repeat {
            let page = try await listPage(under: folder, startAfter: nil, token: token, maxKeys: 1000)
            found += page.objects
            guard found.count <= Self.maxListedObjects else {
                throw TableError(.invalidArgument, "more than \(Self.maxListedObjects) objects: list in pages", subject: folder?.path)
            }
            token = page.token
        } while token != nil
        return found  // S3 lists in UTF-8 byte order, which is ObjectKey's
    }

    /// One page of the objects below `folder` whose keys come after `startAfter`, at most `limit`
    /// (1…10,000), in S3's order (UTF-8 bytes, which the next call's `startAfter` follows). Fewer
    /// than `limit` means the listing reached its end; the last key returned is the checkpoint for
    /// the next call. Names below the prefix that are no valid `ObjectKey` are skipped.
    public func list(under folder: ObjectKey?, startAfter: ObjectKey?, limit: Int) async throws(TableError) -> [ObjectInfo] {
        guard limit >= 1, limit <= 10_000 else { throw TableError(.invalidArgument, "a list page holds 1 to 10,000 objects") }
        var found: [ObjectInfo] = []
        var token: String?
        repeat {
            let page = try await listPage(
                under: folder, startAfter: token == nil ? startAfter : nil, token: token, maxKeys: min(1000, limit - found.count))
            found += page.objects
            token = page.token
        } while token != nil && found.count < limit
        return found
    }

    public func folders(under folder: ObjectKey?) async throws(TableError) -> [String] {
        let listPrefix = prefix + (folder.map { $0.path + "/" } ?? "")
        var names: [String] = []
        var token: String?
        repeat {
            let page: S3ListPage
            do {
                page = try await client.listObjectsV2(bucket: bucket, prefix: listPrefix, continuationToken: token, delimiter: "/")
            } catch {
                throw Self.tableError(error, folder)
            }
            for common in page.commonPrefixes where common.hasPrefix(listPrefix) && common.hasSuffix("/") {
                let name = String(common.dropFirst(listPrefix.count).dropLast())
                if (try? ObjectKey(name)) != nil, !name.contains("/") { names.append(name) }
            }
            token = page.nextContinuationToken
        } while token != nil && names.count < 10_000
        return Array(names.prefix(10_000))
    }

    private func listPage(under folder: ObjectKey?, startAfter: ObjectKey?, token: String?, maxKeys: Int)
        async throws(TableError) -> (objects: [ObjectInfo], token: String?)
    {
        let page: S3ListPage
        do {
            page = try await client.listObjectsV2(
                bucket: bucket, prefix: prefix + (folder.map { $0.path + "/" } ?? ""), startAfter: startAfter.map(objectName),
                continuationToken: token, maxKeys: maxKeys)
        } catch {
            throw Self.tableError(error, folder)
        }
        let objects = page.objects.compactMap { object in
            key(ofName: object.key).map { ObjectInfo(key: $0, size: object.size, modified: object.lastModified) }
        }
        return (objects, page.nextContinuationToken)
    }

    public func delete(_ key: ObjectKey) async throws(TableError) {
        do {
            try await client.deleteObject(bucket: bucket, key: objectName(key))
        } catch {
            throw Self.tableError(error, key)
        }
    }

    public func move(_ source: ObjectKey, to target: ObjectKey) async throws(TableError) {
        guard source != target else { return }
        do {
            try await client.copyObject(bucket: bucket, sourceKey: objectName(source), to: objectName(target))
            try await client.deleteObject(bucket: bucket, key: objectName(source))
        } catch {
            throw Self.tableError(error, source)
        }
    }

    static func tableError(_ error: S3Error, _ key: ObjectKey?) -> TableError {
        let code: TableError.Code =
            switch error.code {
            case .notFound: .notFound
            case .invalidArgument, .tooLarge: .invalidArgument
            default: .io
            }
        return TableError(code, error.description, subject: key?.path)
    }
}
