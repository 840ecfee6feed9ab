/// How a CSV text is spelled, and the bounds that keep a hostile input from exhausting memory.
///
/// - `delimiter` separates fields (`,` `;` `\t` `|` …); it may not be CR, LF, the quote or the escape.
/// - `quote` starts a quoted field when it is the field's first byte (nil: no quoting, every byte
///   is data). Inside quotes a doubled quote is one quote (RFC 4180).
/// - `escape` (nil by default): inside quotes, the escape byte makes the next byte literal, so with
///   `\` as escape `\"` is a quote, `\\` a backslash and `\n` the letter n. Doubled quotes are still
///   accepted. Outside quotes the escape byte is ordinary data. An escape equal to the quote is the
///   same as none.
/// - `hasHeader` is not acted on by the tokenizer, which reports every record; it is carried for
///   the layer that names columns (see `CSVRecord.isHeader`).
/// - `maxFieldBytes` bounds one field's bytes as they appear in the input (enclosing quotes and
///   escapes included); `maxFieldsPerRecord` bounds the field count; `maxRecordBytes` bounds one
///   record's bytes (terminator excluded; the effective bound is never below `maxFieldBytes`). The
///   tokenizer never buffers more than about `maxRecordBytes + maxFieldBytes` of an incomplete
///   record.
public struct CSVDialect: Sendable, Hashable {
    public var delimiter: UInt8
    public var quote: UInt8?
    public var escape: UInt8?
    public var hasHeader: Bool
    public var maxFieldBytes: Int
    public var maxFieldsPerRecord: Int
    public var maxRecordBytes: Int

    public init(
        delimiter: UInt8 = UInt8(ascii: ","),
        quote: UInt8? = UInt8(ascii: "\""),
        escape: UInt8? = nil,
        hasHeader: Bool = true,
        maxFieldBytes: Int = 16 << 20,
        maxFieldsPerRecord: Int = 16_384,
        maxRecordBytes: Int = 64 << 20
    ) {
        self.delimiter = delimiter
        self.quote = quote
        self.escape = escape
        self.hasHeader = hasHeader
        self.maxFieldBytes = maxFieldBytes
        self.maxFieldsPerRecord = maxFieldsPerRecord
        self.maxRecordBytes = maxRecordBytes
    }

    /// Comma-separated, RFC 4180 quoting, with a header.
    public static let csv = CSVDialect()
    /// Tab-separated, with a header.
    public static let tsv = CSVDialect(delimiter: UInt8(ascii: "\t"))
    /// `|`-separated without quoting or header, as TPC-H's dbgen writes `.tbl` files (each line
    /// ends with a `|`, so records carry one extra, empty field).
    public static let tpchTable = CSVDialect(delimiter: UInt8(ascii: "|"), quote: nil, hasHeader: false)

    /// Checks that the bytes can be told apart and that the bounds are positive.
    public func validate() throws(CSVError) {
        func fail(_ reason: String) -> CSVError { CSVError(.invalidDialect, reason) }
        let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        if delimiter == lf || delimiter == cr { throw fail("the delimiter cannot be CR or LF") }
        if let quote {
            if quote == lf || quote == cr { throw fail("the quote cannot be CR or LF") }
            if quote == delimiter { throw fail("the quote cannot equal the delimiter") }
        }
        if let escape {
            if quote == nil { throw fail("an escape byte needs a quote byte") }
            if escape == lf || escape == cr { throw fail("the escape cannot be CR or LF") }
            if escape == delimiter { throw fail("the escape cannot equal the delimiter") }
        }
        if maxFieldBytes < 1 { throw fail("maxFieldBytes must be positive") }
        if maxFieldsPerRecord < 1 { throw fail("maxFieldsPerRecord must be positive") }
        if maxRecordBytes < 1 { throw fail("maxRecordBytes must be positive") }
    }
}
