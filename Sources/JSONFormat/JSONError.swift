/// The one error type of the JSONFormat module: input that is not strict JSON, that has not
/// the shape the framer's layout expects, or that goes past a `JSONLimits` bound.
///
/// The location is where the problem was found: `offset` is the 0-based byte offset in the
/// whole input (the parser adds the `baseOffset` it was given), `line` and `column` are 1-based,
/// a line ends at each `\n`, and `column` counts bytes. Reasons never quote the input: at most
/// they name a punctuation character or a kind of byte ("a letter", "a non-ASCII byte").
public struct JSONError: Error, CustomStringConvertible, Sendable, Hashable {
    public enum Code: String, Sendable, Hashable {
        /// Not JSON's grammar: a missing comma or colon, an unexpected character, data after
        /// the value.
        case syntax
        /// The input ended before the value (or the framed document) was complete.
        case truncated
        /// A number literal outside RFC 8259's grammar (`01`, `1.`, `.5`, `+1`, `1e`).
        case invalidNumber
        /// An unknown escape (`\x`), a bad `\u` escape, or a lone UTF-16 surrogate escape
        /// (`\uD800` not followed by a low surrogate, or a low surrogate on its own).
        case invalidEscape
        /// A string holding bytes that are not UTF-8: stray continuation bytes, overlong
        /// forms, encoded surrogates (U+D800...U+DFFF), code points above U+10FFFF, truncated
        /// sequences. Also raw control characters (U+0000...U+001F), which JSON requires to
        /// be escaped, are reported as `.syntax`.
        case invalidUTF8
        /// Objects and arrays nested deeper than `JSONLimits.maxDepth`.
        case depthExceeded
        /// A string, number or record longer than its `JSONLimits` bound.
        case limitExceeded
        /// Valid JSON that has not the shape the framer's layout expects: no top-level array
        /// for `.array`, no (or not the named) root key holding an array for `.rootKey`, or a
        /// member after the records array.
        case layoutMismatch
    }

    public var code: Code
    /// What went wrong, e.g. "expected ',' or '}' after an object member".
    public var reason: String
    /// 0-based byte offset in the whole input.
    public var offset: Int
    /// 1-based line.
    public var line: Int
    /// 1-based column, in bytes.
    public var column: Int

    public init(_ code: Code, _ reason: String, offset: Int, line: Int, column: Int) {
        self.code = code
        self.reason = reason
        self.offset = offset
        self.line = line
        self.column = column
    }

    /// `line 3, column 17 (byte 52): expected ':' after an object key`
    public var description: String {
        "line \(line), column \(column) (byte \(offset)): \(reason)"
    }
}

extension JSONError {
    /// An error at `position` inside `bytes`, which starts at `baseOffset`, `baseLine`,
    /// `baseColumn` of the whole input. Counts the lines before `position` (cold path only).
    @usableFromInline
    @inline(never)
    static func located(
        _ code: Code, _ reason: String, at position: Int, in bytes: UnsafeRawBufferPointer,
        baseOffset: Int, baseLine: Int, baseColumn: Int
    ) -> JSONError {
        let position = max(0, min(position, bytes.count))
        var line = baseLine
        var lineStart = -1
        for i in 0..<position where bytes[i] == 0x0A {
            line += 1
            lineStart = i
        }
        let column = lineStart < 0 ? baseColumn + position : position - lineStart
        return JSONError(code, reason, offset: baseOffset + position, line: line, column: column)
    }

    /// Names the byte found where something else was expected, without quoting user data.
    static func describe(found byte: UInt8?) -> String {
        guard let byte else { return "the end of the input" }
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]"),
            UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "\""), UInt8(ascii: "'"),
            UInt8(ascii: "/"), UInt8(ascii: "#"), UInt8(ascii: "."), UInt8(ascii: "+"),
            UInt8(ascii: "-"), UInt8(ascii: "\\"):
            return "'\(Character(Unicode.Scalar(byte)))'"
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return "a digit"
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return "a letter"
        case 0x20, 0x09, 0x0A, 0x0D: return "whitespace"
        case 0x00..<0x20, 0x7F: return "a control character"
        case 0x80...0xFF:
            return byte == 0xEF ? "a non-ASCII byte (a byte order mark?)" : "a non-ASCII byte"
        default: return "a punctuation character"
        }
    }
}
