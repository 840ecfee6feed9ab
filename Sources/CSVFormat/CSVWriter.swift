/// Writes fields so that `CSVTokenizer` (and other RFC 4180 readers) read them back unchanged,
/// quoting a field only when it has to be.
///
/// A field is quoted when it contains the delimiter, the quote, a CR or an LF; when it
/// starts or ends with a space or a tab (readers that trim would lose them); when it starts with a
/// UTF-8 BOM (a reader would skip it at the start of the input); and when it is empty, so that it
/// reads back as an empty string and not as a null. Write a null by appending no bytes at all
/// (`appendNull`), which a reader sees as an empty unquoted field. (In a one-column text a null is
/// then an empty line, which readers skip: write such columns with `.always`-quoted values or a
/// second column.)
///
/// Inside quotes a quote is doubled (`a"b` → `"a""b"`); with an escape byte it is escaped instead
/// (`"a\"b"`), and so is the escape byte itself. A dialect without a quote cannot write a field
/// that contains the delimiter, CR or LF: that throws `unrepresentableField`.
public struct CSVWriter: Sendable {
    public enum Quoting: Sendable, Hashable {
        /// Quote only the fields that need it (see the type's description).
        case minimal
        /// Quote every field written with `appendField` (nulls stay empty and unquoted).
        case always
    }

    public enum LineEnd: Sendable, Hashable {
        case lf, crlf
    }

    public var dialect: CSVDialect
    public var lineEnd: LineEnd
    public var quoting: Quoting

    public init(dialect: CSVDialect = CSVDialect(), lineEnd: LineEnd = .lf, quoting: Quoting = .minimal) {
        self.dialect = dialect
        self.lineEnd = lineEnd
        self.quoting = quoting
    }

    /// Whether a field must be quoted to read back unchanged (for a dialect without a quote:
    /// whether it cannot be written at all).
    public func needsQuotes(_ field: UnsafeRawBufferPointer) -> Bool {
        let delimiter = dialect.delimiter
        guard let quote = dialect.quote else {
            return field.contains { $0 == delimiter || $0 == lfByte || $0 == crByte }
        }
        guard let first = field.first, let last = field.last else { return true }
        if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") || last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
            return true
        }
        if field.count >= 3, first == 0xEF, field[1] == 0xBB, field[2] == 0xBF { return true }
        for b in field where b == delimiter || b == quote || b == lfByte || b == crByte {
            return true
        }
        return false
    }

    /// Appends one field's bytes, quoted if `quoting` or the bytes call for it.
    public func appendField(_ field: UnsafeRawBufferPointer, to out: inout [UInt8]) throws(CSVError) {
        guard let quote = dialect.quote else {
            if needsQuotes(field) {
                throw CSVError(.unrepresentableField,
                               "a field holds the delimiter or a line end and the dialect has no quote")
            }
            out.append(contentsOf: field)
            return
        }
        guard quoting == .always || needsQuotes(field) else {
            out.append(contentsOf: field)
            return
        }
        let escape = dialect.escape ?? quote
        out.append(quote)
        var runStart = 0
        for (i, b) in field.enumerated() where b == quote || b == escape {
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: field[runStart..<i]))
            out.append(escape)
            runStart = i
        }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: field[runStart...]))
        out.append(quote)
    }

    /// Appends a string field (its UTF-8 bytes).
    public func appendField(_ field: String, to out: inout [UInt8]) throws(CSVError) {
        var field = field
        let result: Result<Void, CSVError> = field.withUTF8 { bytes in
            Result { () throws(CSVError) in try appendField(UnsafeRawBufferPointer(bytes), to: &out) }
        }
        try result.get()
    }

    /// A null: no bytes.
    public func appendNull(to out: inout [UInt8]) {}

    public func appendDelimiter(to out: inout [UInt8]) {
        out.append(dialect.delimiter)
    }

    public func appendLineEnd(to out: inout [UInt8]) {
        if lineEnd == .crlf { out.append(crByte) }
        out.append(lfByte)
    }

    /// Appends a whole record, nil fields as nulls, and its line end.
    public func appendRecord(_ fields: [String?], to out: inout [UInt8]) throws(CSVError) {
        for (i, field) in fields.enumerated() {
            if i > 0 { appendDelimiter(to: &out) }
            if let field { try appendField(field, to: &out) }
        }
        appendLineEnd(to: &out)
    }
}
