/// Random-access bytes: a local file, an object in storage, a buffer in memory.
///
/// Format decoders never open files; they ask a source for byte ranges, so the same decoder
/// serves every place data can live.
public protocol ByteRangeSource: Sendable {
    /// Total size in bytes.
    var size: Int { get }
    /// Exactly the bytes in `range` (which the caller keeps within `0..<size`).
    func read(_ range: Range<Int>) throws -> [UInt8]
}

/// An append-only destination for bytes: a file being written, an upload, a buffer.
/// Sinks are reference types: a writer and its caller share one.
public protocol ByteSink: AnyObject {
    /// Bytes written so far.
    var position: Int { get }
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

extension ByteSink {
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }
}

/// A source over bytes already in memory (tests, small objects).
public struct MemoryByteSource: ByteRangeSource {
    public let bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public var size: Int { bytes.count }
    public func read(_ range: Range<Int>) throws -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= bytes.count else {
            throw ByteIOError(.outOfRange, "range \(range) outside 0..<\(bytes.count)")
        }
        return Array(bytes[range])
    }
}

/// A sink that collects bytes in memory.
public final class MemoryByteSink: ByteSink {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public var position: Int { bytes.count }
    public func write(_ bytes: UnsafeRawBufferPointer) throws { self.bytes.append(contentsOf: bytes) }
}

/// Errors of sources and sinks. `path` names the object but the description never carries
/// credentials or contents.
public struct ByteIOError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case notFound, permissionDenied, outOfRange, ioFailure, invalidPath
    }
    public var code: Code
    public var message: String
    public var path: String?
    /// Whether trying again may succeed (a transient I/O failure).
    public var isRetryable: Bool

    public init(_ code: Code, _ message: String, path: String? = nil, isRetryable: Bool = false) {
        self.code = code
        self.message = message
        self.path = path
        self.isRetryable = isRetryable
    }

    public var description: String {
        "\(code.rawValue): \(message)" + (path.map { " (\($0))" } ?? "")
    }
}
