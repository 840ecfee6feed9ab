// The parser's engine: a loop over raw bytes with an explicit container stack.
//
// Everything on the hot path is `@inlinable` so that `JSONParser.parse` specializes for the
// caller's visitor; errors and strings with escapes take non-inlined cold paths. Byte values
// are written as hex in switches so they compile to jump tables.

/// One parse: the input's bounds and location, the limits, the parser's buffers.
@usableFromInline
struct _JSONScanner {
    @usableFromInline let start: UnsafePointer<UInt8>
    @usableFromInline let end: UnsafePointer<UInt8>
    @usableFromInline let baseOffset: Int
    @usableFromInline let baseLine: Int
    @usableFromInline let baseColumn: Int
    @usableFromInline let maxDepth: Int
    @usableFromInline let maxStringBytes: Int
    @usableFromInline let maxNumberBytes: Int
    @usableFromInline let storage: _JSONParserStorage

    @inlinable
    init(
        bytes: UnsafeRawBufferPointer, baseOffset: Int, baseLine: Int, baseColumn: Int,
        limits: JSONLimits, storage: _JSONParserStorage
    ) {
        // An empty buffer may have no base address; any valid pointer with count 0 will do.
        let base = bytes.baseAddress ?? UnsafeRawPointer(storage.scratch)
        start = base.assumingMemoryBound(to: UInt8.self)
        end = start + bytes.count
        self.baseOffset = baseOffset
        self.baseLine = baseLine
        self.baseColumn = baseColumn
        maxDepth = limits.maxDepth
        maxStringBytes = limits.maxStringBytes
        maxNumberBytes = limits.maxNumberBytes
        self.storage = storage
    }

    // MARK: Errors (cold)

    @usableFromInline
    @inline(never)
    func error(_ code: JSONError.Code, _ reason: String, at p: UnsafePointer<UInt8>) -> JSONError {
        JSONError.located(
            code, reason, at: p - start, in: UnsafeRawBufferPointer(start: start, count: end - start),
            baseOffset: baseOffset, baseLine: baseLine, baseColumn: baseColumn)
    }

    /// "expected X, found Y" at `p`, `.truncated` when `p` is the end of the input.
    @usableFromInline
    @inline(never)
    func unexpected(_ expected: String, at p: UnsafePointer<UInt8>) -> JSONError {
        let found: UInt8? = p < end ? p.pointee : nil
        let reason = "expected \(expected), found \(JSONError.describe(found: found))"
        return error(found == nil ? .truncated : .syntax, reason, at: p)
    }

    /// What is wrong with the value that should start at `p`.
    @usableFromInline
    @inline(never)
    func badValue(at p: UnsafePointer<UInt8>, inArray: Bool, inObject: Bool) -> JSONError {
        guard p < end else { return unexpected("a value", at: p) }
        let literals: [(UInt8, [UInt8])] = [(0x74, Array("true".utf8)), (0x66, Array("false".utf8)), (0x6E, Array("null".utf8))]
        for (first, literal) in literals where p.pointee == first {
            let available = min(end - p, literal.count)
            if available < literal.count, UnsafeBufferPointer(start: p, count: available).elementsEqual(literal.prefix(available)) {
                return error(.truncated, "input ends inside the literal '\(String(decoding: literal, as: UTF8.self))'", at: end)
            }
            return error(.syntax, "invalid literal (expected 'true', 'false' or 'null')", at: p)
        }
        switch p.pointee {
        case 0x5D where inArray: return error(.syntax, "expected a value, found ']' (trailing comma?)", at: p)
        case 0x7D where inObject: return error(.syntax, "expected a value, found '}'", at: p)
        case 0x27: return error(.syntax, "expected a value, found ''' (strings take double quotes)", at: p)
        case 0x2B, 0x2E: return error(.invalidNumber, "invalid number (must start with '-' or a digit)", at: p)
        case 0x49, 0x4E: return error(.syntax, "expected a value (Infinity and NaN are not JSON)", at: p)
        default: return unexpected("a value", at: p)
        }
    }

    // MARK: Bytes

    @inlinable @inline(__always)
    static func isWhitespace(_ b: UInt8) -> Bool {
        // space 0x20, \t 0x09, \n 0x0A, \r 0x0D as bits of one mask
        b <= 0x20 && (UInt64(0x1_0000_2600) &>> UInt64(b)) & 1 != 0
    }

    @inlinable @inline(__always)
    static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }

    @inlinable @inline(__always)
    func skipWhitespace(_ p: inout UnsafePointer<UInt8>) {
        while p < end {
            let b = p.pointee
            guard _JSONScanner.isWhitespace(b) else { return }
            p += 1
            if b == 0x0A && end - p >= 8 {
                // Indentation after a line break: skip its spaces 8 at a time.
                let w = UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)) ^ 0x2020_2020_2020_2020
                p += w == 0 ? 8 : w.trailingZeroBitCount &>> 3
            }
        }
    }

    /// High bit set in each byte of `w` (little endian) that is '"', '\\', a control character
    /// or non-ASCII. Borrows can only flag bytes above a truly flagged one, so the lowest flag
    /// is exact.
    @inlinable @inline(__always)
    static func stringStops(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let q = w ^ 0x2222_2222_2222_2222
        let b = w ^ 0x5C5C_5C5C_5C5C_5C5C
        let quote = (q &- ones) & ~q
        let backslash = (b &- ones) & ~b
        let control = (w &- 0x2020_2020_2020_2020) & ~w
        return (quote | backslash | control | w) & highs
    }

    /// Skips to the first byte at or after `q` that `stringStops` flags (or to the end).
    @inlinable @inline(__always)
    func skipPlainStringBytes(_ q: inout UnsafePointer<UInt8>) {
        while end - q >= 8 {
            let w = UInt64(littleEndian: UnsafeRawPointer(q).loadUnaligned(as: UInt64.self))
            let stops = _JSONScanner.stringStops(w)
            if stops != 0 {
                q += stops.trailingZeroBitCount &>> 3
                return
            }
            q += 8
        }
        while q < end {
            let b = q.pointee
            if b == 0x22 || b == 0x5C || b < 0x20 || b >= 0x80 { return }
            q += 1
        }
    }

    /// Checks the UTF-8 sequence starting at `q` (whose first byte is >= 0x80) and returns the
    /// position after it.
    @inlinable @inline(__always)
    func skipUTF8Sequence(_ q: UnsafePointer<UInt8>) throws -> UnsafePointer<UInt8> {
        let b0 = q.pointee
        let available = end - q
        if b0 < 0xE0 {
            if b0 >= 0xC2 && available >= 2 && q[1] & 0xC0 == 0x80 { return q + 2 }
        } else if b0 < 0xF0 {
            if available >= 3 {
                let b1 = q[1]
                if b1 & 0xC0 == 0x80 && q[2] & 0xC0 == 0x80
                    && (b0 != 0xE0 || b1 >= 0xA0) && (b0 != 0xED || b1 < 0xA0)
                {
                    return q + 3
                }
            }
        } else if b0 <= 0xF4 && available >= 4 {
            let b1 = q[1]
            if b1 & 0xC0 == 0x80 && q[2] & 0xC0 == 0x80 && q[3] & 0xC0 == 0x80
                && (b0 != 0xF0 || b1 >= 0x90) && (b0 != 0xF4 || b1 < 0x90)
            {
                return q + 4
            }
        }
        throw invalidUTF8(at: q)
    }

    /// Names the problem with the UTF-8 sequence at `q`.
    @usableFromInline
    @inline(never)
    func invalidUTF8(at q: UnsafePointer<UInt8>) -> JSONError {
        let b0 = q.pointee
        let reason: String
        switch b0 {
        case 0x80...0xBF: reason = "invalid UTF-8: unexpected continuation byte"
        case 0xC0, 0xC1: reason = "invalid UTF-8: overlong encoding"
        case 0xF5...0xFF: reason = "invalid UTF-8: byte never valid in UTF-8 (above U+10FFFF)"
        default:
            let length = b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4
            var i = 1
            while i < length && q + i < end && q[i] & 0xC0 == 0x80 { i += 1 }
            if i < length {
                reason = "invalid UTF-8: truncated multi-byte sequence"
            } else if b0 == 0xED {
                reason = "invalid UTF-8: encoded UTF-16 surrogate (U+D800...U+DFFF)"
            } else if b0 == 0xF4 {
                reason = "invalid UTF-8: code point above U+10FFFF"
            } else {
                reason = "invalid UTF-8: overlong encoding"
            }
        }
        return error(.invalidUTF8, reason, at: q)
    }

    // MARK: Strings

    /// Scans the string whose opening quote is at `p`, leaving `p` after the closing quote.
    /// Returns its unescaped bytes: a slice of the input when it has no escapes, else the
    /// scratch space.
    @inlinable @inline(__always)
    func scanString(_ p: inout UnsafePointer<UInt8>) throws -> UnsafeRawBufferPointer {
        let s = p + 1
        var q = s
        while true {
            skipPlainStringBytes(&q)
            guard q < end else { throw unterminatedString(at: p) }
            let b = q.pointee
            if b == 0x22 {
                let count = q - s
                if count > maxStringBytes { throw stringTooLong(at: p) }
                p = q + 1
                return UnsafeRawBufferPointer(start: s, count: count)
            }
            if b >= 0x80 {
                q = try skipUTF8Sequence(q)
            } else if b == 0x5C {
                return try unescapeString(from: &p, firstEscape: q)
            } else {
                throw controlCharacter(at: q)
            }
        }
    }

    @usableFromInline
    @inline(never)
    func unterminatedString(at p: UnsafePointer<UInt8>) -> JSONError {
        error(.truncated, "unterminated string (the input ends before its closing quote)", at: p)
    }

    @usableFromInline
    @inline(never)
    func stringTooLong(at p: UnsafePointer<UInt8>) -> JSONError {
        error(.limitExceeded, "string longer than the limit of \(maxStringBytes) bytes", at: p)
    }

    @usableFromInline
    @inline(never)
    func controlCharacter(at q: UnsafePointer<UInt8>) -> JSONError {
        let name = q.pointee == 0x0A ? "a raw newline" : q.pointee == 0x09 ? "a raw tab" : "a raw control character"
        return error(.syntax, "\(name) in a string (control characters must be escaped)", at: q)
    }

    /// The slow path of `scanString`: copies the string to the scratch space, decoding escapes.
    /// `p` is the opening quote, `firstEscape` the first backslash.
    @usableFromInline
    @inline(never)
    func unescapeString(
        from p: inout UnsafePointer<UInt8>, firstEscape: UnsafePointer<UInt8>
    ) throws -> UnsafeRawBufferPointer {
        let opening = p
        let s = p + 1
        var used = 0
        var q = firstEscape
        try append(s, count: firstEscape - s, used: &used, string: opening)
        while true {
            // q is at a byte that stops plain copying
            guard q < end else { throw unterminatedString(at: opening) }
            let b = q.pointee
            if b == 0x22 {
                p = q + 1
                return UnsafeRawBufferPointer(start: storage.scratch, count: used)
            } else if b == 0x5C {
                let (bytes, count) = try decodeEscape(&q)
                if used + count > maxStringBytes { throw stringTooLong(at: opening) }
                storage.reserveScratch(used + 4, keeping: used)
                (storage.scratch + used).storeBytes(of: UInt32(littleEndian: bytes), as: UInt32.self)
                used += count
            } else if b >= 0x80 {
                let next = try skipUTF8Sequence(q)
                try append(q, count: next - q, used: &used, string: opening)
                q = next
            } else {
                throw controlCharacter(at: q)
            }
            let run = q
            skipPlainStringBytes(&q)
            try append(run, count: q - run, used: &used, string: opening)
        }
    }

    /// Appends `count` bytes from `source` to the scratch space.
    @usableFromInline
    func append(
        _ source: UnsafePointer<UInt8>, count: Int, used: inout Int, string: UnsafePointer<UInt8>
    ) throws {
        guard count > 0 else { return }
        if used + count > maxStringBytes { throw stringTooLong(at: string) }
        storage.reserveScratch(used + count, keeping: used)
        (storage.scratch + used).copyMemory(from: source, byteCount: count)
        used += count
    }

    /// Decodes the escape at `q` (a backslash), moving `q` past it: the UTF-8 bytes (first in
    /// the low byte) and their count.
    @usableFromInline
    func decodeEscape(_ q: inout UnsafePointer<UInt8>) throws -> (UInt32, Int) {
        guard end - q >= 2 else {
            throw error(.truncated, "the input ends inside an escape sequence", at: q)
        }
        let decoded: UInt32
        switch q[1] {
        case 0x22: decoded = 0x22  // \"
        case 0x5C: decoded = 0x5C  // \\
        case 0x2F: decoded = 0x2F  // \/
        case 0x62: decoded = 0x08  // \b
        case 0x66: decoded = 0x0C  // \f
        case 0x6E: decoded = 0x0A  // \n
        case 0x72: decoded = 0x0D  // \r
        case 0x74: decoded = 0x09  // \t
        case 0x75:  // \uXXXX
            var scalar = try hex4(q)
            var length = 6
            if scalar & 0xFC00 == 0xD800 {
                guard end - q >= 12, q[6] == 0x5C, q[7] == 0x75 else {
                    if end - q < 12 && (end - q < 7 || q[6] == 0x5C) && (end - q < 8 || q[7] == 0x75) {
                        throw error(.truncated, "the input ends inside a UTF-16 surrogate pair escape", at: q)
                    }
                    throw error(
                        .invalidEscape,
                        "lone UTF-16 high surrogate escape (\\uD800...\\uDBFF must be followed by a \\uDC00...\\uDFFF escape)",
                        at: q)
                }
                let low = try hex4(q + 6)
                guard low & 0xFC00 == 0xDC00 else {
                    throw error(
                        .invalidEscape,
                        "lone UTF-16 high surrogate escape (followed by an escape that is not a low surrogate)",
                        at: q)
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                length = 12
            } else if scalar & 0xFC00 == 0xDC00 {
                throw error(
                    .invalidEscape, "lone UTF-16 low surrogate escape (\\uDC00...\\uDFFF without a high surrogate before it)", at: q)
            }
            q += length
            if scalar < 0x80 {
                return (scalar, 1)
            } else if scalar < 0x800 {
                return ((0xC0 | scalar >> 6) | (0x80 | scalar & 0x3F) << 8, 2)
            } else if scalar < 0x10000 {
                return ((0xE0 | scalar >> 12) | (0x80 | scalar >> 6 & 0x3F) << 8 | (0x80 | scalar & 0x3F) << 16, 3)
            } else {
                return (
                    (0xF0 | scalar >> 18) | (0x80 | scalar >> 12 & 0x3F) << 8 | (0x80 | scalar >> 6 & 0x3F) << 16
                        | (0x80 | scalar & 0x3F) << 24, 4
                )
            }
        default:
            let what = q[1] < 0x20 ? "a raw control character" : q[1] >= 0x80 ? "a non-ASCII byte" : "this character"
            throw error(.invalidEscape, "invalid escape: '\\' followed by \(what) (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)", at: q)
        }
        q += 2
        return (decoded, 1)
    }

    /// The 4 hex digits after the `\u` at `q`.
    @usableFromInline
    func hex4(_ q: UnsafePointer<UInt8>) throws -> UInt32 {
        var value: UInt32 = 0
        for i in 2..<6 {
            guard q + i < end else {
                throw error(.truncated, "the input ends inside a \\u escape", at: q)
            }
            let b = q[i]
            let digit: UInt8
            if b &- 0x30 < 10 {
                digit = b &- 0x30
            } else if (b | 0x20) &- 0x61 < 6 {
                digit = (b | 0x20) &- 0x61 + 10
            } else {
                throw error(.invalidEscape, "invalid \\u escape (expected 4 hex digits)", at: q)
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    // MARK: Numbers

    /// Scans the number starting at `p` ('-' or a digit), leaving `p` after it.
    @inlinable @inline(__always)
    func scanNumber(_ p: inout UnsafePointer<UInt8>) throws -> JSONNumberKind {
        let s = p
        var q = p
        if q.pointee == 0x2D { q += 1 }  // '-'
        guard q < end else { throw badNumber(s, at: q) }
        if q.pointee == 0x30 {
            q += 1
        } else if q.pointee &- 0x31 < 9 {
            q += 1
            while q < end && _JSONScanner.isDigit(q.pointee) { q += 1 }
        } else {
            throw badNumber(s, at: q)
        }
        var kind = JSONNumberKind.integer
        if q < end && q.pointee == 0x2E {  // '.'
            q += 1
            guard q < end && _JSONScanner.isDigit(q.pointee) else { throw badNumber(s, at: q) }
            q += 1
            while q < end && _JSONScanner.isDigit(q.pointee) { q += 1 }
            kind = .decimal
        }
        if q < end && q.pointee | 0x20 == 0x65 {  // 'e' or 'E'
            q += 1
            if q < end && (q.pointee == 0x2B || q.pointee == 0x2D) { q += 1 }
            guard q < end && _JSONScanner.isDigit(q.pointee) else { throw badNumber(s, at: q) }
            q += 1
            while q < end && _JSONScanner.isDigit(q.pointee) { q += 1 }
            kind = .decimal
        }
        if q < end {
            // After a number comes whitespace, ',', ']' or '}'; digits, letters, '.', '+' or
            // '-' mean the literal itself is wrong (`01`, `1.0.`, `1e5e`, `-Infinity`).
            let b = q.pointee
            if b > 0x20 && b != 0x2C && b != 0x5D && b != 0x7D {
                if let error = numberContinues(s, at: q) { throw error }
            }
        }
        if q - s > maxNumberBytes { throw numberTooLong(at: s) }
        p = q
        return kind
    }

    @usableFromInline
    @inline(never)
    func numberContinues(_ s: UnsafePointer<UInt8>, at q: UnsafePointer<UInt8>) -> JSONError? {
        let b = q.pointee
        let letter = (b | 0x20) &- 0x61 < 26
        guard _JSONScanner.isDigit(b) || letter || b == 0x2E || b == 0x2B || b == 0x2D else { return nil }
        return badNumber(s, at: q)
    }

    @usableFromInline
    @inline(never)
    func badNumber(_ s: UnsafePointer<UInt8>, at q: UnsafePointer<UInt8>) -> JSONError {
        guard q < end else {
            return error(.truncated, "the input ends inside a number", at: q)
        }
        let b = q.pointee
        var digits = s
        if digits.pointee == 0x2D { digits += 1 }
        let reason: String
        if digits == q {
            reason = "invalid number: expected a digit after '-'"
        } else if digits.pointee == 0x30 && _JSONScanner.isDigit(b) && q == digits + 1 {
            reason = "invalid number: leading zeros are not allowed"
        } else if q[-1] == 0x2E {
            reason = "invalid number: expected a digit after the decimal point"
        } else if q[-1] | 0x20 == 0x65 || q[-1] == 0x2B || q[-1] == 0x2D {
            reason = "invalid number: expected a digit in the exponent"
        } else {
            reason = "invalid number: unexpected \(JSONError.describe(found: b)) after the number"
        }
        return error(.invalidNumber, reason, at: q)
    }

    @usableFromInline
    @inline(never)
    func numberTooLong(at s: UnsafePointer<UInt8>) -> JSONError {
        error(.limitExceeded, "number longer than the limit of \(maxNumberBytes) bytes", at: s)
    }

    @usableFromInline
    @inline(never)
    func trailingData(at p: UnsafePointer<UInt8>) -> JSONError {
        error(.syntax, "unexpected data after the value (found \(JSONError.describe(found: p.pointee)))", at: p)
    }

    @usableFromInline
    @inline(never)
    func tooDeep(at p: UnsafePointer<UInt8>) -> JSONError {
        error(.depthExceeded, "nesting deeper than the limit of \(maxDepth) objects and arrays", at: p)
    }

    // MARK: The value loop

    /// Parses the one value filling the input, calling `visitor`.
    @inlinable
    func parseValue<V: JSONVisitor>(into visitor: inout V) throws {
        var p = start
        var stack = storage.stack
        var stackCapacity = storage.stackCapacity
        var depth = 0
        var inObject = false

        values: while true {
            // A value starts at p (after whitespace).
            skipWhitespace(&p)
            guard p < end else { throw badValue(at: p, inArray: false, inObject: false) }
            switch p.pointee {
            case 0x7B:  // '{'
                guard depth < maxDepth else { throw tooDeep(at: p) }
                try visitor.beginObject()
                p += 1
                skipWhitespace(&p)
                if p < end && p.pointee == 0x7D {
                    p += 1
                    try visitor.endObject()
                } else {
                    if depth == stackCapacity {
                        stack = storage.growStack(limit: maxDepth)
                        stackCapacity = storage.stackCapacity
                    }
                    stack[depth] = 1
                    depth += 1
                    inObject = true
                    guard p < end && p.pointee == 0x22 else {
                        throw unexpected("a string key or '}'", at: p)
                    }
                    try parseKey(&p, into: &visitor)
                    continue values
                }
            case 0x5B:  // '['
                guard depth < maxDepth else { throw tooDeep(at: p) }
                try visitor.beginArray()
                p += 1
                skipWhitespace(&p)
                if p < end && p.pointee == 0x5D {
                    p += 1
                    try visitor.endArray()
                } else {
                    if depth == stackCapacity {
                        stack = storage.growStack(limit: maxDepth)
                        stackCapacity = storage.stackCapacity
                    }
                    stack[depth] = 0
                    depth += 1
                    inObject = false
                    continue values
                }
            case 0x22:  // '"'
                let string = try scanString(&p)
                try visitor.string(string)
            case 0x2D, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39:  // '-', 0-9
                let s = p
                let kind = try scanNumber(&p)
                try visitor.number(UnsafeRawBufferPointer(start: s, count: p - s), kind: kind)
            case 0x74:  // 't'
                guard end - p >= 4, UnsafeRawPointer(p).loadUnaligned(as: UInt32.self) == UInt32(littleEndian: 0x6575_7274) else {
                    throw badValue(at: p, inArray: false, inObject: false)
                }
                p += 4
                try visitor.bool(true)
            case 0x66:  // 'f'
                guard end - p >= 5, UnsafeRawPointer(p + 1).loadUnaligned(as: UInt32.self) == UInt32(littleEndian: 0x6573_6C61) else {
                    throw badValue(at: p, inArray: false, inObject: false)
                }
                p += 5
                try visitor.bool(false)
            case 0x6E:  // 'n'
                guard end - p >= 4, UnsafeRawPointer(p).loadUnaligned(as: UInt32.self) == UInt32(littleEndian: 0x6C6C_756E) else {
                    throw badValue(at: p, inArray: false, inObject: false)
                }
                p += 4
                try visitor.null()
            default:
                throw badValue(at: p, inArray: depth > 0 && !inObject, inObject: depth > 0 && inObject)
            }

            // After a value: close containers or move to the next member or element.
            while depth > 0 {
                skipWhitespace(&p)
                guard p < end else {
                    throw error(
                        .truncated,
                        inObject ? "the input ends inside an object (expected ',' or '}')" : "the input ends inside an array (expected ',' or ']')",
                        at: p)
                }
                let c = p.pointee
                if inObject {
                    if c == 0x2C {  // ','
                        p += 1
                        skipWhitespace(&p)
                        guard p < end && p.pointee == 0x22 else {
                            throw unexpected("a string key after ','", at: p)
                        }
                        try parseKey(&p, into: &visitor)
                        continue values
                    }
                    guard c == 0x7D else { throw unexpected("',' or '}' after an object member", at: p) }
                    p += 1
                    try visitor.endObject()
                } else {
                    if c == 0x2C {
                        p += 1
                        continue values
                    }
                    guard c == 0x5D else { throw unexpected("',' or ']' after an array element", at: p) }
                    p += 1
                    try visitor.endArray()
                }
                depth -= 1
                inObject = depth > 0 && stack[depth - 1] != 0
            }
            break values
        }
        skipWhitespace(&p)
        guard p == end else {
            throw trailingData(at: p)
        }
    }

    /// Parses the key at `p` (a '"'), reports it, and consumes the ':' after it.
    @inlinable @inline(__always)
    func parseKey<V: JSONVisitor>(_ p: inout UnsafePointer<UInt8>, into visitor: inout V) throws {
        let key = try scanString(&p)
        try visitor.key(key)
        skipWhitespace(&p)
        guard p < end && p.pointee == 0x3A else { throw unexpected("':' after an object key", at: p) }
        p += 1
    }
}
