/// The one error type of the Parquet module, for reading and writing.
///
/// It says what went wrong (`code`, `message`) and where: the file `path`, the byte `offset`
/// in the file, the dotted `column` path. `underlying` is the description of a lower-level
/// error (I/O, Thrift, decompression) that caused this one. Messages never quote values from
/// the data, so the description is safe to log.
public struct ParquetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An extensible error code: compare against the static members.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The bytes are not a Parquet file (no `PAR1` magic, too short).
        public static let notParquet = Code(rawValue: "notParquet")
        /// Bytes that break the format's rules: bad metadata, inconsistent levels or counts.
        public static let corrupt = Code(rawValue: "corrupt")
        /// The file or a structure in it ends before it is complete.
        public static let truncated = Code(rawValue: "truncated")
        /// A valid feature this implementation does not handle.
        public static let unsupported = Code(rawValue: "unsupported")
        /// A size or count beyond a configured limit.
        public static let limitExceeded = Code(rawValue: "limitExceeded")
        /// A page whose CRC-32 does not match its bytes.
        public static let checksumMismatch = Code(rawValue: "checksumMismatch")
        /// Reading from or writing to the underlying source or sink failed.
        public static let io = Code(rawValue: "io")
        /// A caller's request that does not fit the file (unknown column, row group out of range).
        public static let invalidArgument = Code(rawValue: "invalidArgument")

        public var description: String { rawValue }
    }

    public var code: Code
    public var message: String
    /// The file being read or written, when known.
    public var path: String?
    /// Byte offset in the file where the problem was found, when known.
    public var offset: Int?
    /// Dotted path of the column involved, when known.
    public var column: String?
    /// Description of the lower-level error that caused this one.
    public var underlying: String?
    /// Whether trying again may succeed (a transient I/O failure).
    public var isRetryable: Bool

    public init(
        _ code: Code, _ message: String, path: String? = nil, offset: Int? = nil,
        column: String? = nil, underlying: String? = nil, isRetryable: Bool = false
    ) {
        self.code = code
        self.message = message
        self.path = path
        self.offset = offset
        self.column = column
        self.underlying = underlying
        self.isRetryable = isRetryable
    }

    public var description: String {
        var text = "parquet \(code.rawValue): \(message)"
        if let column { text += " (column \(column))" }
        if let offset { text += " at offset \(offset)" }
        if let path { text += " in \(path)" }
        if let underlying { text += ": \(underlying)" }
        return text
    }

    /// The same error with context filled in where it is still missing.
    public func with(path: String? = nil, offset: Int? = nil, column: String? = nil) -> ParquetError {
        var copy = self
        if copy.path == nil { copy.path = path }
        if copy.offset == nil { copy.offset = offset }
        if copy.column == nil { copy.column = column }
        return copy
    }
}
