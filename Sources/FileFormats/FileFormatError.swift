/// The one error type of the FileFormats module: an input that cannot be read as asked, a
/// record that does not fit, or an output that cannot be written. It locates the problem
/// (file, line, byte offset, column) and never carries more than a short excerpt of data.
public struct FileFormatError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The input is not valid in its format (JSON syntax, CSV quoting, …).
        case syntax
        /// A record is well-formed but does not fit the schema (a type conflict, a ragged row).
        case badRecord
        /// More bad records than the policy allows.
        case tooManyErrors
        /// A size or count beyond the configured limits.
        case limitExceeded
        /// The input's format could not be recognised, or a feature is not supported.
        case unsupported
        /// Options that contradict each other or the input.
        case invalidArgument
        /// Reading or writing failed.
        case io
    }

    public var code: Code
    public var reason: String
    public var path: String?
    /// 1-based line of the record (text formats), when known.
    public var line: Int?
    /// Byte offset of the record or the fault in the (decompressed) input, when known.
    public var offset: Int?
    /// The column or field concerned, when known.
    public var column: String?

    public init(
        _ code: Code, _ reason: String, path: String? = nil, line: Int? = nil, offset: Int? = nil,
        column: String? = nil
    ) {
        self.code = code
        self.reason = reason
        self.path = path
        self.line = line
        self.offset = offset
        self.column = column
    }

    /// The error with `path` filled in when it was not known where it was raised.
    public func with(path: String?) -> FileFormatError {
        var copy = self
        if copy.path == nil { copy.path = path }
        return copy
    }

    public var description: String {
        var location: [String] = []
        if let path { location.append(path) }
        if let line { location.append("line \(line)") }
        if let offset { location.append("byte \(offset)") }
        if let column { location.append("column '\(column)'") }
        return location.isEmpty ? reason : "\(location.joined(separator: ", ")): \(reason)"
    }
}
