/// The one error type of the ParquetFormat module: malformed metadata, pages or encoded values.
///
/// It carries where the problem was found (`offset` in the file when known, `column` path when
/// known) and never quotes user data, so it is safe to log.
public struct ParquetFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// The input ended before a value was complete.
        case truncated
        /// Bytes that do not follow the encoding's rules.
        case corrupt
        /// A length, count or size beyond what the input or a configured limit allows.
        case limitExceeded
        /// A valid feature this implementation does not handle.
        case unsupported
        /// A page checksum that does not match its bytes.
        case checksumMismatch
    }

    public var code: Code
    public var message: String
    /// Byte offset in the file (or in the buffer being decoded when no file offset is known).
    public var offset: Int?
    /// Dotted path of the column being decoded, when known.
    public var column: String?

    public init(_ code: Code, _ message: String, offset: Int? = nil, column: String? = nil) {
        self.code = code
        self.message = message
        self.offset = offset
        self.column = column
    }

    public var description: String {
        var text = "parquet \(code.rawValue): \(message)"
        if let column { text += " (column \(column))" }
        if let offset { text += " at offset \(offset)" }
        return text
    }

    /// The same error with context added by an outer layer that knows more.
    public func with(offset: Int? = nil, column: String? = nil) -> ParquetFormatError {
        var copy = self
        if copy.offset == nil { copy.offset = offset }
        if copy.column == nil { copy.column = column }
        return copy
    }
}
