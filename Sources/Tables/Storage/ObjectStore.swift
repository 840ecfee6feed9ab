public import LakegateCore

/// Where table data lives: a local folder now, S3-compatible buckets later. Table formats see
/// only this protocol. Large objects are written through an `ObjectWriter` (a byte sink that
/// becomes visible atomically when published); small ones (metadata, manifests) in one call.
public protocol ObjectStore: Sendable {
    /// The store's root as a URL (`file:///data/lake/`, `s3://bucket/prefix/`), ending in `/`.
    var rootURL: String { get }

    /// A writer for `key`. Nothing is visible under `key` until `publish()`; an existing object
    /// is replaced then.
    func makeWriter(for key: ObjectKey) throws(TableError) -> any ObjectWriter
    /// Random-access reads of an existing object.
    func reader(for key: ObjectKey) async throws(TableError) -> any ByteRangeSource
    /// Writes a small object whole, atomically.
    func put(_ key: ObjectKey, _ bytes: [UInt8]) async throws(TableError)
    /// Reads a small object whole (at most `limit` bytes, else an error).
    func get(_ key: ObjectKey, limit: Int) async throws(TableError) -> [UInt8]
    /// Size and modification time, nil when there is no such object.
    func info(_ key: ObjectKey) async throws(TableError) -> ObjectInfo?
    /// Every object whose key starts with `prefix` (a folder: all below it), in key order
    /// (`ObjectKey`'s: UTF-8 bytes).
    func list(under prefix: ObjectKey?) async throws(TableError) -> [ObjectInfo]
    /// One page of the objects below `prefix` whose keys sort after `startAfter` in UTF-8 byte
    /// order (S3's), at most `limit` (1…10,000). Fewer than `limit` means the listing reached
    /// its end; the last key returned is where the next page starts.
    func list(under prefix: ObjectKey?, startAfter: ObjectKey?, limit: Int) async throws(TableError) -> [ObjectInfo]
    /// The names of the folders directly below `prefix` (the next key segment of the objects
    /// deeper down), in key order, at most 10,000: without reading the objects themselves.
    func folders(under prefix: ObjectKey?) async throws(TableError) -> [String]
    /// Removes an object; removing one that does not exist is not an error.
    func delete(_ key: ObjectKey) async throws(TableError)
    /// Moves an object to another key (replacing what is there): a rename on a filesystem, a
    /// copy then a delete on object storage. The target is whole or absent at every moment.
    func move(_ source: ObjectKey, to target: ObjectKey) async throws(TableError)
    /// A move whose durability the caller provides some other way (a durable record that redoes
    /// the move after a crash): a filesystem store skips the directory fsync, whose cost grows
    /// with the number of files in the folder. Object stores need no difference.
    func moveUnsynced(_ source: ObjectKey, to target: ObjectKey) async throws(TableError)
}

extension ObjectStore {
    public func moveUnsynced(_ source: ObjectKey, to target: ObjectKey) async throws(TableError) {
        try await move(source, to: target)
    }
}

extension ObjectStore {
    /// The object's absolute location, as catalogs record it.
    public func url(of key: ObjectKey) -> String { rootURL + key.path }

    /// The key of an absolute location inside this store, nil when it lies elsewhere.
    public func key(ofURL url: String) -> ObjectKey? {
        guard url.hasPrefix(rootURL) else { return nil }
        return try? ObjectKey(String(url.dropFirst(rootURL.count)))
    }
}

public struct ObjectInfo: Sendable, Hashable {
    public let key: ObjectKey
    public let size: Int
    /// Seconds since the epoch.
    public let modified: Double

    public init(key: ObjectKey, size: Int, modified: Double) {
        self.key = key
        self.size = size
        self.modified = modified
    }
}

/// An object being written. `publish()` makes it durable and visible under its key in one
/// step; `abort()` (or dropping the writer) leaves nothing behind.
public protocol ObjectWriter: ByteSink {
    var key: ObjectKey { get }
    func publish() async throws(TableError)
    func abort()
}
