#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import LakegateCore

/// A local file read with `pread`, safe to share between threads.
public final class LocalFileSource: ByteRangeSource, @unchecked Sendable {
    public let path: String
    public let size: Int
    private let descriptor: Int32

    public init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LocalFileError.from(errno: errno, action: "open", path: path) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let error = LocalFileError.from(errno: errno, action: "stat", path: path)
            close(fd)
            throw error
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw ByteIOError(.invalidPath, "not a regular file", path: path)
        }
        self.path = path
        self.size = Int(info.st_size)
        self.descriptor = fd
    }

    deinit { close(descriptor) }

    public func read(_ range: Range<Int>) throws -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= size else {
            throw ByteIOError(.outOfRange, "range \(range) outside 0..<\(size)", path: path)
        }
        return try [UInt8](unsafeUninitializedCapacity: range.count) { buffer, initialized in
            var done = 0
            while done < range.count {
                let n = pread(descriptor, buffer.baseAddress! + done, range.count - done, off_t(range.lowerBound + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw LocalFileError.from(errno: errno, action: "read", path: path)
                }
                if n == 0 { throw ByteIOError(.ioFailure, "file shrank while reading", path: path, isRetryable: true) }
                done += n
            }
            initialized = range.count
        }
    }
}

/// Writes a file so that it appears complete or not at all: bytes go to a temporary name
/// beside the target, `commit()` fsyncs and renames it into place; dropping the sink without
/// committing removes the temporary file.
public final class LocalFileSink: ByteSink {
    public let path: String
    public private(set) var position = 0
    private let temporaryPath: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private static let bufferSize = 1 << 20

    public init(path: String) throws {
        self.path = path
        var random = SystemRandomNumberGenerator()
        temporaryPath = path + ".tmp-\(String(random.next() as UInt64, radix: 36))"
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw LocalFileError.from(errno: errno, action: "create", path: path) }
        buffer.reserveCapacity(Self.bufferSize)
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            unlink(temporaryPath)
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        position += bytes.count
        if buffer.count + bytes.count > Self.bufferSize {
            try flush()
            if bytes.count >= Self.bufferSize {
                try writeAll(bytes)
                return
            }
        }
        buffer.append(contentsOf: bytes)
    }

    /// Makes the file durable and visible under its final name.
    public func commit() throws {
        try flush()
        guard fsync(descriptor) == 0 else { throw LocalFileError.from(errno: errno, action: "fsync", path: path) }
        close(descriptor)
        descriptor = -1
        guard rename(temporaryPath, path) == 0 else {
            let error = LocalFileError.from(errno: errno, action: "rename", path: path)
            unlink(temporaryPath)
            throw error
        }
        LocalFileSink.syncDirectory(of: path)
    }

    /// Drops what was written.
    public func abort() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        unlink(temporaryPath)
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw LocalFileError.from(errno: errno, action: "write", path: path)
            }
            done += n
        }
    }

    public static func syncDirectory(of path: String) {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let fd = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
    }
}

enum LocalFileError {
    static func from(errno code: Int32, action: String, path: String) -> ByteIOError {
        let reason = String(cString: strerror(code))
        switch code {
        case ENOENT: return ByteIOError(.notFound, "\(action): \(reason)", path: path)
        case EACCES, EPERM: return ByteIOError(.permissionDenied, "\(action): \(reason)", path: path)
        case EISDIR, ENOTDIR, ENAMETOOLONG: return ByteIOError(.invalidPath, "\(action): \(reason)", path: path)
        default: return ByteIOError(.ioFailure, "\(action): \(reason)", path: path, isRetryable: code == EAGAIN || code == EINTR)
        }
    }
}
