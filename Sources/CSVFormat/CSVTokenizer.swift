/// A streaming RFC 4180 tokenizer: feed it chunks of a CSV text, split anywhere (inside a quoted
/// field, between a CR and its LF, inside a BOM), and it calls back once for each complete record
/// with its fields as byte ranges. It allocates nothing per record or field.
///
/// What it reads:
/// - A UTF-8 byte order mark (EF BB BF) at the start of the input is skipped.
/// - LF, CRLF and a lone CR each end a record, mixed freely; inside quotes they are data.
///   Lines are physical lines: a quoted field spanning lines advances the count.
/// - Empty lines (no bytes before the line end) are skipped: they produce no record. A line of
///   spaces, or `""`, is a record of one field.
/// - The quote is special only as a field's first byte: `a"b` is the 3 bytes `a"b`. In a quoted
///   field a doubled quote is one quote, `"a""b"` is `a"b`; with an escape byte configured it makes
///   the next byte literal. After the closing quote, only a delimiter or a line end may follow:
///   `"ab"c` is `invalidQuote`.
/// - Every record is reported with its own field count; ragged rows are for the caller to reject
///   (`CSVRecord.requireFieldCount`). The header is reported as record 0 (`CSVRecord.isHeader`).
/// - The input's end ends the last record even without a line end (`finish`).
///
/// Errors are thrown with the line, record offset and field number; after an error, call
/// `reset()` before feeding another input.
///
/// `CSVTokenizer` is a value: copies are independent (copy on write).
public struct CSVTokenizer: @unchecked Sendable {
    private var engine: TokenizerEngine

    public init(dialect: CSVDialect = CSVDialect()) {
        engine = TokenizerEngine(dialect: dialect)
    }

    public var dialect: CSVDialect { engine.dialect }

    /// Bytes fed since the start of the input.
    public var bytesConsumed: Int { engine.consumed }

    /// Records reported since the start of the input.
    public var recordCount: Int { engine.recordIndex }

    /// Whether an incomplete record is held, waiting for more input.
    public var hasPartialRecord: Bool { engine.partial != nil }

    /// Feeds the next chunk of input; calls `body` for each record it completes. The record and
    /// its fields are valid only during the call. Errors thrown by `body` propagate unchanged.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ body: (borrowing CSVRecord) throws -> Void) throws {
        if !isKnownUniquelyReferenced(&engine) { engine = engine.copy() }
        try engine.feed(chunk, body)
    }

    /// Ends the input: reports the last record if no line end followed it, throws
    /// `unterminatedQuote` if a quoted field is still open. The tokenizer is then ready for a new
    /// input.
    public mutating func finish(_ body: (borrowing CSVRecord) throws -> Void) throws {
        if !isKnownUniquelyReferenced(&engine) { engine = engine.copy() }
        try engine.finish(body)
    }

    /// Forgets the current input (after an error, or to start over).
    public mutating func reset() {
        if !isKnownUniquelyReferenced(&engine) { engine = TokenizerEngine(dialect: engine.dialect) }
        engine.reset()
    }

    /// Tokenizes a whole input held in memory.
    public static func forEachRecord(in input: UnsafeRawBufferPointer, dialect: CSVDialect = CSVDialect(),
                                     _ body: (borrowing CSVRecord) throws -> Void) throws {
        var tokenizer = CSVTokenizer(dialect: dialect)
        try tokenizer.feed(input, body)
        try tokenizer.finish(body)
    }
}
