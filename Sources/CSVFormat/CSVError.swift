/// The one error type of the CSVFormat module. It locates the problem (1-based `line`, the
/// record's byte `offset` in the input, the 1-based field number `column`) and never carries the
/// input's bytes.
public struct CSVError: Error, CustomStringConvertible, Sendable, Hashable {
    public enum Code: String, Sendable, Hashable {
        /// The input ended inside a quoted field; `line` is where its quote opened.
        case unterminatedQuote
        /// A record has a different number of fields than expected (reported by the caller
        /// through `CSVRecord.requireFieldCount`; the tokenizer accepts any count).
        case raggedRow
        /// A field is longer than `maxFieldBytes`; `line` is where the field starts.
        case fieldTooLong
        /// A record is longer than `maxRecordBytes`.
        case recordTooLong
        /// A record has more than `maxFieldsPerRecord` fields.
        case tooManyFields
        /// A closing quote is followed by something other than a delimiter or a line end;
        /// `line` is where that byte is.
        case invalidQuote
        /// The dialect's bytes collide or a bound is not positive.
        case invalidDialect
        /// `CSVWriter` was given a field that its dialect (without a quote) cannot spell.
        case unrepresentableField
    }

    public var code: Code
    /// What went wrong, without any of the input's bytes.
    public var reason: String
    /// 1-based physical line (LF, CRLF and lone CR each end one, inside quotes too).
    public var line: Int
    /// Byte offset in the input (BOM included) where the record starts.
    public var offset: Int
    /// 1-based field number within the record, when one is at fault.
    public var column: Int?

    public init(_ code: Code, _ reason: String, line: Int = 0, offset: Int = 0, column: Int? = nil) {
        self.code = code
        self.reason = reason
        self.line = line
        self.offset = offset
        self.column = column
    }

    public var description: String {
        var text = "csv \(code.rawValue): \(reason)"
        if line > 0 {
            text += " (line \(line)"
            if let column { text += ", field \(column)" }
            text += ", record at byte \(offset))"
        }
        return text
    }
}

// The tokenizer's errors, built in one place so that the record scanner and the partial-record
// tracker report the same problem identically whatever the chunk boundaries.
extension CSVError {
    @inline(never)
    static func unterminatedQuote(line: Int, offset: Int, column: Int) -> CSVError {
        CSVError(.unterminatedQuote, "the input ends inside a quoted field", line: line, offset: offset, column: column)
    }

    @inline(never)
    static func invalidQuote(line: Int, offset: Int, column: Int) -> CSVError {
        CSVError(.invalidQuote, "a closing quote is followed by a byte other than a delimiter or a line end",
                 line: line, offset: offset, column: column)
    }

    @inline(never)
    static func fieldTooLong(limit: Int, line: Int, offset: Int, column: Int) -> CSVError {
        CSVError(.fieldTooLong, "a field is longer than \(limit) bytes", line: line, offset: offset, column: column)
    }

    @inline(never)
    static func recordTooLong(limit: Int, line: Int, offset: Int, column: Int) -> CSVError {
        CSVError(.recordTooLong, "a record is longer than \(limit) bytes", line: line, offset: offset, column: column)
    }

    @inline(never)
    static func tooManyFields(limit: Int, line: Int, offset: Int) -> CSVError {
        CSVError(.tooManyFields, "a record has more than \(limit) fields", line: line, offset: offset, column: limit + 1)
    }
}
