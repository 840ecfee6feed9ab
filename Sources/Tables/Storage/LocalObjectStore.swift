import LakegateCore
import StorageLocal

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Objects as files under a root folder. Writes go to a temporary file beside the target,
/// fsynced and renamed into place on publish (a reader sees the whole object or none);
/// folders are created as needed. Keys are validated `ObjectKey`s, so no path escapes the root.
public struct LocalObjectStore: ObjectStore {
    /// The root folder, absolute, without a trailing `/`.
    public let root: String

    public init(root: String) throws(TableError) {
        var path = root
        if !path.hasPrefix("/") {
            guard let cwd = getcwd(nil, 0) else { throw TableError(.io, "cannot read the current directory") }
            path = String(cString: cwd) + "/" + path
            free(cwd)
        }
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        self.root = path
        try Self.makeDirectories(path)
    }

    public var rootURL: String { "file://" + root + "/" }

    public func path(of key: ObjectKey) -> String { root + "/" + key.path }

    public func makeWriter(for key: ObjectKey) throws(TableError) -> any ObjectWriter {
        let path = path(of: key)
        try Self.makeDirectories(String(path[..<path.lastIndex(of: "/")!]))
        do {
            return LocalObjectWriter(key: key, sink: try LocalFileSink(path: path))
        } catch {
            throw TableError(.io, "cannot create: \(error)", subject: key.path)
        }
    }

    public func reader(for key: ObjectKey) async throws(TableError) -> any ByteRangeSource {
        do {
            return try LocalFileSource(path: path(of: key))
        } catch {
            throw TableError(errno == ENOENT ? .notFound : .io, "cannot open: \(error)", subject: key.path)
        }
    }

    public func put(_ key: ObjectKey, _ bytes: [UInt8]) async throws(TableError) {
        let writer = try makeWriter(for: key)
        do {
            try writer.write(bytes)
        } catch {
            writer.abort()
            throw TableError(.io, "cannot write: \(error)", subject: key.path)
        }
        try await writer.publish()
    }

    public func get(_ key: ObjectKey, limit: Int) async throws(TableError) -> [UInt8] {
        let source = try await reader(for: key)
        guard source.size <= limit else {
            throw TableError(.invalidArgument, "object of \(source.size) bytes exceeds the limit of \(limit)", subject: key.path)
        }
        do {
            return try source.read(0..<source.size)
        } catch {
            throw TableError(.io, "cannot read: \(error)", subject: key.path)
        }
    }

    public func info(_ key: ObjectKey) async throws(TableError) -> ObjectInfo? {
        var status = stat()
        guard stat(path(of: key), &status) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw TableError(.io, "cannot stat: \(String(cString: strerror(errno)))", subject: key.path)
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        return ObjectInfo(key: key, size: Int(status.st_size), modified: Self.seconds(status))
    }

    public func list(under prefix: ObjectKey?) async throws(TableError) -> [ObjectInfo] {
        var found: [ObjectInfo] = []
        let start = prefix.map { path(of: $0) } ?? root
        try walk(start, relative: prefix?.path, after: nil, limit: .max, into: &found)
        return found
    }

    public func delete(_ key: ObjectKey) async throws(TableError) {
        guard unlink(path(of: key)) == 0 || errno == ENOENT else {
            throw TableError(.io, "cannot delete: \(String(cString: strerror(errno)))", subject: key.path)
        }
    }

    public func move(_ source: ObjectKey, to target: ObjectKey) async throws(TableError) {
        LocalFileSink.syncDirectory(of: try renameObject(source, to: target))
    }

    public func moveUnsynced(_ source: ObjectKey, to target: ObjectKey) async throws(TableError) {
        _ = try renameObject(source, to: target)
    }

    private func renameObject(_ source: ObjectKey, to target: ObjectKey) throws(TableError) -> String {
        let to = path(of: target)
        try Self.makeDirectories(String(to[..<to.lastIndex(of: "/")!]))
        guard rename(path(of: source), to) == 0 else {
            throw TableError(errno == ENOENT ? .notFound : .io, "cannot move to \(target): \(String(cString: strerror(errno)))", subject: source.path)
        }
        return to
    }

    /// A page walks folders in key order and stops once it is full, skipping folders whose
    /// keys all sort before `startAfter`: memory holds one folder's names per level, not the
    /// whole tree.
    public func list(under prefix: ObjectKey?, startAfter: ObjectKey?, limit: Int) async throws(TableError) -> [ObjectInfo] {
        guard limit >= 1, limit <= 10_000 else { throw TableError(.invalidArgument, "a list page holds 1 to 10,000 objects") }
        var found: [ObjectInfo] = []
        let start = prefix.map { path(of: $0) } ?? root
        try walk(start, relative: prefix?.path, after: startAfter.map { Array($0.path.utf8) }, limit: limit, into: &found)
        return found
    }

    public func folders(under prefix: ObjectKey?) async throws(TableError) -> [String] {
        let directory = prefix.map { path(of: $0) } ?? root
        guard let handle = opendir(directory) else {
            if errno == ENOENT || errno == ENOTDIR { return [] }
            throw TableError(.io, "cannot list \(directory): \(String(cString: strerror(errno)))")
        }
        defer { closedir(handle) }
        var names: [String] = []
        while names.count < 10_000, let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            var status = stat()
            guard name != ".", name != "..", (try? ObjectKey(name)) != nil, lstat(directory + "/" + name, &status) == 0,
                (status.st_mode & S_IFMT) == S_IFDIR
            else { continue }
            names.append(name)
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    // MARK: Helpers

    /// Appends the objects below `directory` that sort after `after`, in key order, until
    /// `found` holds `limit`. Temporary files of writes in progress are not objects; symbolic
    /// links and devices are never followed.
    private func walk(
        _ directory: String, relative: String?, after: [UInt8]?, limit: Int, into found: inout [ObjectInfo]
    ) throws(TableError) {
        guard let handle = opendir(directory) else {
            if errno == ENOENT || errno == ENOTDIR { return }
            throw TableError(.io, "cannot list \(directory): \(String(cString: strerror(errno)))")
        }
        // Entries in key order: a folder's keys continue with "/", so it sorts by its name and a slash.
        var entries: [(sortKey: [UInt8], name: String, status: stat)] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." || name.contains(".tmp-") { continue }
            var status = stat()
            guard lstat(directory + "/" + name, &status) == 0 else { continue }
            let kind = status.st_mode & S_IFMT
            guard kind == S_IFDIR || kind == S_IFREG else { continue }
            let keyPath = relative.map { $0 + "/" + name } ?? name
            entries.append((Array(keyPath.utf8) + (kind == S_IFDIR ? [UInt8(ascii: "/")] : []), name, status))
        }
        closedir(handle)
        entries.sort { $0.sortKey.lexicographicallyPrecedes($1.sortKey) }
        for entry in entries {
            guard found.count < limit else { return }
            let keyPath = relative.map { $0 + "/" + entry.name } ?? entry.name
            if (entry.status.st_mode & S_IFMT) == S_IFDIR {
                // Every key below sorts before `after` unless `after` lies inside or beyond it.
                if let after, !after.starts(with: entry.sortKey), entry.sortKey.lexicographicallyPrecedes(after) { continue }
                try walk(directory + "/" + entry.name, relative: keyPath, after: after, limit: limit, into: &found)
            } else if after.map({ $0.lexicographicallyPrecedes(entry.sortKey) }) ?? true, let key = try? ObjectKey(keyPath) {
                found.append(ObjectInfo(key: key, size: Int(entry.status.st_size), modified: Self.seconds(entry.status)))
            }
        }
    }

    private static func seconds(_ status: stat) -> Double {
        Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9
    }

    /// Creates `path` and its missing parents, like `mkdir -p`.
    public static func makeDirectories(_ path: String) throws(TableError) {
        var status = stat()
        if stat(path, &status) == 0 {
            guard (status.st_mode & S_IFMT) == S_IFDIR else { throw TableError(.io, "\(path) is not a folder") }
            return
        }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try makeDirectories(String(path[..<slash]))
        }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw TableError(.io, "cannot create folder \(path): \(String(cString: strerror(errno)))")
        }
    }
}

/// A local object being written: the file sink's temporary file, renamed on publish.
final class LocalObjectWriter: ObjectWriter {
    let key: ObjectKey
    private let sink: LocalFileSink

    init(key: ObjectKey, sink: LocalFileSink) {
        self.key = key
        self.sink = sink
    }

    var position: Int { sink.position }

    func write(_ bytes: UnsafeRawBufferPointer) throws { try sink.write(bytes) }

    func publish() async throws(TableError) {
        do {
            try sink.commit()
        } catch {
            throw TableError(.io, "cannot publish: \(error)", subject: key.path)
        }
    }

    func abort() { sink.abort() }
}
