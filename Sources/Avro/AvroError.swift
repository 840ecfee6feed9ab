// Avro: object container files <-> Columnar record batches.
//
// Map of the module:
//   AvroError               the one error type of the module
//   AvroOptions             AvroCodec, AvroReadOptions (limits), AvroWriteOptions
//   Binary/                 the binary encoding: a bounds-checked cursor over bytes, and appends
//   Schema/                 Avro schema JSON (parse, print) and its mapping to and from Columnar
//   Read/                   AvroFileReader: header, blocks, codecs, decoding into column buffers
//   Write/                  AvroFileWriter: encoding columns row by row, blocks, codecs
//
// Like the other format targets it does no I/O of its own: it reads through a ByteRangeSource
// and writes to a ByteSink.

/// The one error type of the Avro module, for reading and writing.
///
/// It says what went wrong (`code`, `reason`) and where: the file `path`, the byte `offset` in
/// the file (for a compressed block, the offset of the block), and the dotted `field` path when
/// a value of one field is at fault. `underlying` describes a lower-level error (I/O,
/// decompression) that caused this one. Reasons never quote values from the data, so the
/// description is safe to log.
public struct AvroError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An extensible error code: compare against the static members.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The bytes are not an Avro object container file (no `Obj\u{1}` magic).
        public static let notAvro = Code(rawValue: "notAvro")
        /// Bytes that break the format's rules: a bad varint, a union index out of range, a
        /// block that does not end where its size says, a wrong sync marker.
        public static let corrupt = Code(rawValue: "corrupt")
        /// The file or a value in it ends before it is complete.
        public static let truncated = Code(rawValue: "truncated")
        /// A schema that is not valid Avro (bad JSON, unknown type, recursion, bad names).
        public static let invalidSchema = Code(rawValue: "invalidSchema")
        /// Valid Avro that this implementation does not map (general unions, bzip2, …).
        public static let unsupported = Code(rawValue: "unsupported")
        /// A size or count beyond a configured limit (including decompression bombs).
        public static let limitExceeded = Code(rawValue: "limitExceeded")
        /// A snappy block whose CRC-32 does not match its uncompressed bytes.
        public static let checksumMismatch = Code(rawValue: "checksumMismatch")
        /// Reading from the source or writing to the sink failed.
        public static let io = Code(rawValue: "io")
        /// A caller's request that does not fit: a batch that does not match the writer's
        /// schema, a value Avro cannot hold (a null in a required field, a UInt64 over Int64.max).
        public static let invalidArgument = Code(rawValue: "invalidArgument")

        public var description: String { rawValue }
    }

    public var code: Code
    /// What went wrong, in words (never quoting data values).
    public var reason: String
    /// The file being read or written, when known.
    public var path: String?
    /// Byte offset in the file where the problem was found, when known.
    public var offset: Int?
    /// Dotted path of the field involved, when known.
    public var field: String?
    /// Description of the lower-level error that caused this one.
    public var underlying: String?
    /// Whether trying again may succeed (a transient I/O failure).
    public var isRetryable: Bool

    public init(
        _ code: Code, _ reason: String, path: String? = nil, offset: Int? = nil, field: String? = nil,
        underlying: String? = nil, isRetryable: Bool = false
    ) {
        self.code = code
        self.reason = reason
        self.path = path
        self.offset = offset
        self.field = field
        self.underlying = underlying
        self.isRetryable = isRetryable
    }

    public var description: String {
        var text = "avro \(code.rawValue): \(reason)"
        if let field { text += " (field \(field))" }
        if let offset { text += " at offset \(offset)" }
        if let path { text += " in \(path)" }
        if let underlying { text += ": \(underlying)" }
        return text
    }

    /// The same error with context filled in where it is still missing.
    public func with(path: String? = nil, offset: Int? = nil, field: String? = nil) -> AvroError {
        var copy = self
        if copy.path == nil { copy.path = path }
        if copy.offset == nil { copy.offset = offset }
        if copy.field == nil { copy.field = field }
        return copy
    }
}
