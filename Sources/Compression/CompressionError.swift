/// The one error type of the Compression module.
///
/// Its description names the codec, the kind of failure and sizes; it never
/// includes the data itself.
public struct CompressionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure. An extensible set: switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        private init(_ name: String) { self.name = name }

        /// The input is not a valid stream of the codec (garbage, truncated, bad checksum).
        public static let corrupt = Code("corrupt")
        /// The input decodes, but not to the expected number of bytes.
        public static let sizeMismatch = Code("sizeMismatch")
        /// The output would exceed the caller's maximum (a decompression bomb, or too large a block).
        public static let limitExceeded = Code("limitExceeded")
        /// The codec, level or size is not supported (e.g. compressing Hadoop LZ4, an LZ4 block over 2 GiB).
        public static let unsupported = Code("unsupported")
        /// The library failed for a reason other than the input (out of memory, a misuse).
        public static let internalError = Code("internalError")

        public var description: String { name }
    }

    public var code: Code
    /// The codec's ``CompressionCodec/name``.
    public var codec: String
    public var message: String
    /// For a stream that ended before its input did: how many bytes followed its end (some
    /// writers leave stray bytes that other readers ignore; a caller may retry without them).
    public var trailingBytes: Int?

    public init(_ code: Code, codec: String, _ message: String, trailingBytes: Int? = nil) {
        self.code = code
        self.codec = codec
        self.message = message
        self.trailingBytes = trailingBytes
    }

    public var description: String { "\(codec): \(code): \(message)" }
}
