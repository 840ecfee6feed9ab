#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How records sit in a JSON input.
public enum JSONLayout: Sendable, Hashable {
    /// One JSON value per line (`\n`, or `\r\n`); blank lines are skipped. A line may hold any
    /// JSON value.
    case ndjson
    /// A top-level array; each element is a record.
    case array
    /// The whole input is one value, and one record.
    case singleValue
    /// A top-level object holding the records as an array under a key:
    /// `{"vehicles_events": [ {...}, {...} ]}`. With a name, the array must be under that key
    /// (members before it are skipped, checked structurally only); with `nil`, it is the value
    /// of the object's first member, whatever its name. In both cases the object must close
    /// right after the array: a member after it is a `.layoutMismatch` error.
    case rootKey(String?)
}

/// One record cut out by `JSONRecordFramer`.
public struct JSONRecord {
    /// The record's bytes: a view into the framer's buffer, valid until the next call to
    /// `append`, `nextRecord` or `finish`. For NDJSON, the line without its `\n` or `\r\n`;
    /// otherwise exactly the value.
    public var bytes: UnsafeRawBufferPointer
    /// Byte offset of `bytes[0]` in the whole input (a skipped byte order mark counts).
    public var offset: Int
    /// 1-based line of `bytes[0]` in the whole input.
    public var line: Int
    /// 1-based column (in bytes) of `bytes[0]` in its line.
    public var column: Int

    public init(bytes: UnsafeRawBufferPointer, offset: Int, line: Int, column: Int) {
        self.bytes = bytes
        self.offset = offset
        self.line = line
        self.column = column
    }
}

/// Cuts a byte stream into records as it arrives, without building values.
///
/// ```swift
/// var framer = JSONRecordFramer(layout: .ndjson)
/// var parser = JSONParser()
/// func drain() throws {
///     while let record = try framer.nextRecord() {
///         try parser.parse(record, into: &visitor)  // errors located in the whole input
///     }
/// }
/// while let chunk = try source.next() { chunk.withUnsafeBytes { framer.append($0) }; try drain() }
/// try framer.finish()
/// try drain()   // the last NDJSON line may have no final newline
/// ```
///
/// Framing is structural only: it follows strings (with their escapes) and brackets exactly,
/// so it finds every record's end, checks that brackets match, the punctuation of the
/// enclosing array or object and the nesting limit, but it leaves the rest to `JSONParser`
/// (an NDJSON record is simply a line: a valid JSON value never holds a raw newline).
///
/// Memory is bounded: the framer keeps only the record in progress (at most
/// `limits.maxRecordBytes`, else a `.limitExceeded` error located at the record's start) and
/// the chunks not yet scanned. A UTF-8 byte order mark at the very start of the input is
/// skipped; anywhere else it is left to the parser, which rejects it.
///
/// After an error, every later call throws the same error.
public struct JSONRecordFramer {
    public let layout: JSONLayout
    public let limits: JSONLimits
    @usableFromInline var state: _FramerState

    public init(layout: JSONLayout, limits: JSONLimits = .init()) {
        self.layout = layout
        self.limits = limits
        self.state = _FramerState(layout: layout, limits: limits)
    }

    /// Appends the next chunk of input (copied). Invalidates the last record's bytes.
    public mutating func append(_ chunk: UnsafeRawBufferPointer) {
        unique()
        state.append(chunk)
    }

    /// The next complete record, or nil when more input is needed (or, after `finish()`, when
    /// the input is exhausted).
    ///
    /// - Throws: a `JSONError` when the input cannot be framed: bad structure around or in
    ///   a record (located exactly), the wrong shape for the layout, a record over
    ///   `limits.maxRecordBytes`, nesting over `limits.maxDepth`, or, after `finish()`, an
    ///   incomplete document.
    public mutating func nextRecord() throws -> JSONRecord? {
        unique()
        return try state.next()
    }

    /// Marks the end of the input. Call it once `nextRecord()` has returned nil, then call
    /// `nextRecord()` again until nil: a last record that ends at the end of the input (an
    /// NDJSON line without a final newline, a top-level number) is complete only now.
    ///
    /// - Throws: `.truncated` when the document is incomplete (an unterminated array or
    ///   string, a missing closing brace, an empty input where a value is needed), `.syntax`
    ///   for data after the document, `.layoutMismatch`. Errors that come after a record not
    ///   yet taken are thrown by `nextRecord()` instead, after that record.
    public mutating func finish() throws {
        unique()
        try state.finish()
    }

    /// Bytes of input appended so far.
    public var bytesAppended: Int { state.bufBase + state.tail }

    private mutating func unique() {
        if !isKnownUniquelyReferenced(&state) { state = state.copy() }
    }
}

// The state is copied on write, so a framer can be sent like any value.
extension JSONRecordFramer: @unchecked Sendable {}

/// Byte classes for scanning inside a container (outside strings).
nonisolated(unsafe) private let structuralClass: UnsafePointer<UInt8> = {
    let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
    table.initialize(repeating: 0, count: 256)
    table[0x22] = 1  // "
    table[0x7B] = 2; table[0x5B] = 2  // { [
    table[0x7D] = 3; table[0x5D] = 3  // } ]
    table[0x0A] = 4  // \n
    return UnsafePointer(table)
}()

/// Whether `b` can continue a number or literal (everything that ends one is excluded).
@inline(__always)
private func isScalarByte(_ b: UInt8) -> Bool {
    switch b {
    case 0x20, 0x09, 0x0A, 0x0D, 0x2C, 0x5D, 0x7D, 0x5B, 0x7B, 0x22, 0x3A: return false
    default: return true
    }
}

@inline(__always)
private func isWhitespace(_ b: UInt8) -> Bool { _JSONScanner.isWhitespace(b) }

@usableFromInline
final class _FramerState {
    enum Phase: Equatable {
        case start
        case beforeElement(first: Bool)
        case afterElement
        case afterArray
        case beforeKey(first: Bool)
        case afterKey
        case beforeMemberValue
        case afterMember
        case value
        case trailer
        case done
    }
    enum ValueKind { case container, string, scalar }
    enum Purpose { case record, skip, key }

    let layout: JSONLayout
    let limits: JSONLimits
    /// UTF-8 of the `.rootKey` name, if any.
    let keyName: [UInt8]?

    // The buffer: bytes [0, tail) are valid; buf[0] is at absolute offset bufBase.
    var buf: UnsafeMutableRawPointer
    var capacity: Int
    var tail = 0
    var bufBase = 0
    /// Scan position (index into buf); everything before it has been scanned.
    var pos = 0
    /// Line of `pos`, and absolute offset where that line starts.
    var line = 1
    var lineStart = 0

    var phase = Phase.start
    var eof = false
    var failure: JSONError?
    /// The final record found by `finish()`.
    var pending: (start: Int, count: Int, line: Int, column: Int)?

    /// Start (index) of the record, key or NDJSON line in progress, whose bytes are kept; -1
    /// when none.
    var recordStart = -1
    var recordLine = 1
    var recordColumn = 1

    // The value scanner.
    var kind = ValueKind.scalar
    var purpose = Purpose.record
    var depth = 0
    var openers: UnsafeMutablePointer<UInt8>
    var openersCapacity = 16
    var inString = false
    var afterBackslash = false

    // rootKey
    var memberSelected = false
    var keyParser: JSONParser

    init(layout: JSONLayout, limits: JSONLimits) {
        self.layout = layout
        self.limits = limits
        if case .rootKey(let name?) = layout { keyName = Array(name.utf8) } else { keyName = nil }
        capacity = 1 << 16
        buf = .allocate(byteCount: capacity, alignment: 16)
        openers = .allocate(capacity: openersCapacity)
        keyParser = JSONParser(limits: limits)
    }

    deinit {
        buf.deallocate()
        openers.deallocate()
    }

    func copy() -> _FramerState {
        let other = _FramerState(layout: layout, limits: limits)
        other.buf.deallocate()
        other.capacity = capacity
        other.buf = .allocate(byteCount: capacity, alignment: 16)
        other.buf.copyMemory(from: buf, byteCount: tail)
        other.openers.deallocate()
        other.openersCapacity = openersCapacity
        other.openers = .allocate(capacity: openersCapacity)
        other.openers.update(from: openers, count: openersCapacity)
        other.tail = tail; other.bufBase = bufBase; other.pos = pos
        other.line = line; other.lineStart = lineStart
        other.phase = phase; other.eof = eof; other.failure = failure; other.pending = pending
        other.recordStart = recordStart; other.recordLine = recordLine; other.recordColumn = recordColumn
        other.kind = kind; other.purpose = purpose; other.depth = depth
        other.inString = inString; other.afterBackslash = afterBackslash
        other.memberSelected = memberSelected
        return other
    }

    // MARK: Input

    func append(_ chunk: UnsafeRawBufferPointer) {
        precondition(!eof, "JSONRecordFramer.append after finish()")
        guard chunk.count > 0 else { return }
        if tail + chunk.count > capacity {
            // Drop what is no longer needed, then grow if that is not enough.
            let keep = recordStart >= 0 ? min(recordStart, pos) : pos
            if keep > 0 {
                buf.copyMemory(from: buf + keep, byteCount: tail - keep)
                tail -= keep
                pos -= keep
                bufBase += keep
                if recordStart >= 0 { recordStart -= keep }
            }
            if tail + chunk.count > capacity {
                var newCapacity = capacity * 2
                while newCapacity < tail + chunk.count { newCapacity *= 2 }
                let new = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
                new.copyMemory(from: buf, byteCount: tail)
                buf.deallocate()
                buf = new
                capacity = newCapacity
            }
        }
        (buf + tail).copyMemory(from: chunk.baseAddress!, byteCount: chunk.count)
        tail += chunk.count
    }

    func finish() throws {
        if let failure { throw failure }
        guard !eof else { return }
        eof = true
        do {
            if let record = try scan() {
                let start = record.bytes.baseAddress! - UnsafeRawPointer(buf)
                pending = (start, record.bytes.count, record.line, record.column)
            }
        } catch let error as JSONError {
            failure = error
            throw error
        }
    }

    func next() throws -> JSONRecord? {
        if let failure { throw failure }
        if let p = pending {
            pending = nil
            return JSONRecord(
                bytes: UnsafeRawBufferPointer(start: buf + p.start, count: p.count),
                offset: bufBase + p.start, line: p.line, column: p.column)
        }
        do {
            return try scan()
        } catch let error as JSONError {
            failure = error
            throw error
        }
    }

    // MARK: Errors

    /// An error at index `i` of the buffer, located with the current line counters (so `i`
    /// must be on the line of `pos`).
    func error(_ code: JSONError.Code, _ reason: String, at i: Int) -> JSONError {
        JSONError(code, reason, offset: bufBase + i, line: line, column: bufBase + i - lineStart + 1)
    }

    func unexpected(_ expected: String, at i: Int) -> JSONError {
        if i >= tail {
            return error(.truncated, "expected \(expected), found the end of the input", at: i)
        }
        return error(.syntax, "expected \(expected), found \(JSONError.describe(found: byte(i)))", at: i)
    }

    func recordTooLarge() -> JSONError {
        JSONError(
            .limitExceeded, "record longer than the limit of \(limits.maxRecordBytes) bytes",
            offset: bufBase + recordStart, line: recordLine, column: recordColumn)
    }

    @inline(__always)
    func byte(_ i: Int) -> UInt8 { buf.load(fromByteOffset: i, as: UInt8.self) }

    @inline(__always)
    func newline(at i: Int) {
        line += 1
        lineStart = bufBase + i + 1
    }

    // MARK: Scanning

    /// Skips whitespace from `pos`; true when a byte follows in the buffer.
    func skipWhitespace() -> Bool {
        while pos < tail {
            let b = byte(pos)
            guard isWhitespace(b) else { return true }
            if b == 0x0A { newline(at: pos) }
            pos += 1
        }
        return false
    }

    /// Skips a byte order mark at the very start of the input; false when more bytes are
    /// needed to tell.
    func skipByteOrderMark() -> Bool {
        guard bufBase + pos == 0 else { return true }
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let available = min(tail - pos, 3)
        for i in 0..<available where byte(pos + i) != bom[i] { return true }
        if available == 3 {
            pos += 3
            return true
        }
        return eof
    }

    /// Runs the state machine until a record is complete (returned) or the input is exhausted
    /// (nil; at the end of the input, checks the document is complete).
    func scan() throws -> JSONRecord? {
        if case .ndjson = layout { return try scanLines() }
        while true {
            switch phase {
            case .start:
                guard skipByteOrderMark() else { return nil }
                guard skipWhitespace() else {
                    if eof { throw error(.truncated, "the input holds no JSON value", at: pos) }
                    return nil
                }
                let b = byte(pos)
                switch layout {
                case .array:
                    guard b == 0x5B else {
                        throw error(.layoutMismatch, "expected '[' opening the top-level array, found \(JSONError.describe(found: b)) (the input is not one JSON array)", at: pos)
                    }
                    pos += 1
                    phase = .beforeElement(first: true)
                case .rootKey:
                    guard b == 0x7B else {
                        throw error(.layoutMismatch, "expected '{' opening the top-level object that holds the records, found \(JSONError.describe(found: b))", at: pos)
                    }
                    pos += 1
                    phase = .beforeKey(first: true)
                default:
                    try beginValue(.record, expected: "a JSON value")
                }

            case .beforeElement(let first):
                guard skipWhitespace() else { return try needMore("the input ends inside the top-level array (expected a value or ']')") }
                if byte(pos) == 0x5D && first {
                    pos += 1
                    phase = .afterArray
                } else if byte(pos) == 0x5D {
                    throw error(.syntax, "expected a value, found ']' (trailing comma?)", at: pos)
                } else {
                    try beginValue(.record, expected: "an array element")
                }

            case .afterElement:
                guard skipWhitespace() else { return try needMore("the input ends inside the top-level array (expected ',' or ']')") }
                switch byte(pos) {
                case 0x2C: pos += 1; phase = .beforeElement(first: false)
                case 0x5D: pos += 1; phase = .afterArray
                default: throw unexpected("',' or ']' after an array element", at: pos)
                }

            case .afterArray:
                guard case .rootKey = layout else { phase = .trailer; continue }
                guard skipWhitespace() else { return try needMore("the input ends before the '}' closing the top-level object") }
                switch byte(pos) {
                case 0x7D: pos += 1; phase = .trailer
                case 0x2C:
                    throw error(.layoutMismatch, "the top-level object has another member after the records array; use --format json to read the whole document as one record", at: pos)
                default: throw unexpected("'}' closing the top-level object after the records array", at: pos)
                }

            case .beforeKey(let first):
                guard skipWhitespace() else { return try needMore("the input ends inside the top-level object (expected a key)") }
                let b = byte(pos)
                if b == 0x22 {
                    try beginValue(.key, expected: "a key")
                } else if b == 0x7D && first {
                    throw error(.layoutMismatch, "the top-level object is empty: no array of records in it", at: pos)
                } else {
                    throw unexpected(first ? "a string key or '}'" : "a string key after ','", at: pos)
                }

            case .afterKey:
                guard skipWhitespace() else { return try needMore("the input ends inside the top-level object (expected ':')") }
                guard byte(pos) == 0x3A else { throw unexpected("':' after an object key", at: pos) }
                pos += 1
                phase = .beforeMemberValue

            case .beforeMemberValue:
                guard skipWhitespace() else { return try needMore("the input ends inside the top-level object (expected a value)") }
                if memberSelected {
                    guard byte(pos) == 0x5B else {
                        if byte(pos) == 0x2C || byte(pos) == 0x7D { throw unexpected("a value", at: pos) }
                        let which = keyName.map { "the value of \"\(String(decoding: $0, as: UTF8.self))\"" } ?? "the value of the first member"
                        throw error(.layoutMismatch, "\(which) is not an array of records; use --format json to read the whole document as one record", at: pos)
                    }
                    pos += 1
                    phase = .beforeElement(first: true)
                } else {
                    try beginValue(.skip, expected: "a value")
                }

            case .afterMember:
                guard skipWhitespace() else { return try needMore("the input ends inside the top-level object (expected ',' or '}')") }
                switch byte(pos) {
                case 0x2C: pos += 1; phase = .beforeKey(first: false)
                case 0x7D:
                    let name = String(decoding: keyName ?? [], as: UTF8.self)
                    throw error(.layoutMismatch, "the top-level object has no member \"\(name)\" holding the records", at: pos)
                default: throw unexpected("',' or '}' after an object member", at: pos)
                }

            case .value:
                let complete = try scanValue()
                if purpose != .skip && pos - recordStart > limits.maxRecordBytes { throw recordTooLarge() }
                guard complete else {
                    if eof {
                        let what = purpose == .key ? "a key" : purpose == .skip ? "a member's value" : "a record"
                        throw error(.truncated, inString ? "the input ends inside a string in \(what)" : "the input ends inside \(what)", at: pos)
                    }
                    return nil
                }
                switch purpose {
                case .record:
                    let start = recordStart
                    recordStart = -1
                    if case .singleValue = layout { phase = .trailer } else { phase = .afterElement }
                    return JSONRecord(
                        bytes: UnsafeRawBufferPointer(start: buf + start, count: pos - start),
                        offset: bufBase + start, line: recordLine, column: recordColumn)
                case .skip:
                    phase = .afterMember
                case .key:
                    memberSelected = try keySelected()
                    recordStart = -1
                    phase = .afterKey
                }

            case .trailer:
                guard skipWhitespace() else {
                    if eof { phase = .done }
                    return nil
                }
                let hint: String
                switch layout {
                case .singleValue: hint = " (several values? NDJSON has one per line)"
                default: hint = ""
                }
                throw error(.syntax, "unexpected data after the top-level value\(hint)", at: pos)

            case .done:
                return nil
            }
        }
    }

    /// At the end of the buffer in the middle of the document: nil, or the truncation error at
    /// the end of the input.
    func needMore(_ reason: String) throws -> JSONRecord? {
        if eof { throw error(.truncated, reason, at: pos) }
        return nil
    }

    /// Starts scanning the value at `pos`.
    func beginValue(_ purpose: Purpose, expected: String) throws {
        let b = byte(pos)
        self.purpose = purpose
        recordStart = purpose == .skip ? -1 : pos
        recordLine = line
        recordColumn = bufBase + pos - lineStart + 1
        switch b {
        case 0x7B, 0x5B:
            guard limits.maxDepth >= 1 else { throw tooDeep() }
            kind = .container
            depth = 1
            openers[0] = b
            inString = false
        case 0x22:
            kind = .string
            depth = 0
            inString = true
            afterBackslash = false
            pos += 1
        case 0x2C, 0x5D, 0x7D, 0x3A:
            recordStart = -1
            throw unexpected(expected, at: pos)
        default:
            kind = .scalar
        }
        if kind == .container { pos += 1 }
        phase = .value
    }

    func tooDeep() -> JSONError {
        error(.depthExceeded, "nesting deeper than the limit of \(limits.maxDepth) objects and arrays", at: pos)
    }

    /// Scans the value in progress from `pos`; true when it is complete (`pos` after it).
    func scanValue() throws -> Bool {
        if kind == .scalar {
            while pos < tail && isScalarByte(byte(pos)) { pos += 1 }
            return pos < tail || eof
        }
        let table = structuralClass
        var p = pos
        let end = tail
        let base = UnsafePointer<UInt8>(buf.assumingMemoryBound(to: UInt8.self))
        defer { pos = p }
        while true {
            if inString {
                if afterBackslash {
                    guard p < end else { return false }
                    if base[p] == 0x0A { newline(at: p) }
                    p += 1
                    afterBackslash = false
                }
                // Find '"', '\\' or '\n'.
                while end - p >= 8 {
                    let w = UInt64(littleEndian: UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self))
                    let ones: UInt64 = 0x0101_0101_0101_0101
                    let q = w ^ 0x2222_2222_2222_2222
                    let s = w ^ 0x5C5C_5C5C_5C5C_5C5C
                    let n = w ^ 0x0A0A_0A0A_0A0A_0A0A
                    let stops = ((q &- ones) & ~q | (s &- ones) & ~s | (n &- ones) & ~n) & 0x8080_8080_8080_8080
                    if stops != 0 {
                        p += stops.trailingZeroBitCount &>> 3
                        break
                    }
                    p += 8
                }
                while p < end {
                    let b = base[p]
                    if b == 0x22 || b == 0x5C || b == 0x0A { break }
                    p += 1
                }
                guard p < end else { return false }
                let b = base[p]
                p += 1
                if b == 0x22 {
                    inString = false
                    if depth == 0 { return true }
                } else if b == 0x5C {
                    afterBackslash = true
                } else {
                    newline(at: p - 1)
                }
                continue
            }
            // Inside a container, outside strings.
            while true {
                // Skip 8 bytes at a time while none can be structural. OR-ing 0x20 folds
                // '[' onto '{', ']' onto '}', '\n' onto '*' (a false alarm is harmless).
                while end - p >= 8 {
                    let w = UInt64(littleEndian: UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self)) | 0x2020_2020_2020_2020
                    let ones: UInt64 = 0x0101_0101_0101_0101
                    let open = w ^ 0x7B7B_7B7B_7B7B_7B7B
                    let close = w ^ 0x7D7D_7D7D_7D7D_7D7D
                    let quote = w ^ 0x2222_2222_2222_2222
                    let newline = w ^ 0x2A2A_2A2A_2A2A_2A2A
                    let stops = ((open &- ones) & ~open | (close &- ones) & ~close | (quote &- ones) & ~quote
                        | (newline &- ones) & ~newline) & 0x8080_8080_8080_8080
                    if stops != 0 {
                        p += stops.trailingZeroBitCount &>> 3
                        break
                    }
                    p += 8
                }
                guard p < end else { return false }
                let b = base[p]
                let c = table[Int(b)]
                p += 1
                if c == 0 { continue }
                switch c {
                case 1:
                    inString = true
                case 2:
                    if depth == limits.maxDepth { p -= 1; pos = p; throw tooDeep() }
                    if depth == openersCapacity { growOpeners() }
                    openers[depth] = b
                    depth += 1
                case 3:
                    let opener = openers[depth - 1]
                    if (opener == 0x7B) != (b == 0x7D) {
                        let reason = opener == 0x7B ? "found ']' where '}' closes an object" : "found '}' where ']' closes an array"
                        throw error(.syntax, reason, at: p - 1)
                    }
                    depth -= 1
                    if depth == 0 { return true }
                default:
                    newline(at: p - 1)
                }
                if inString { break }
            }
        }
    }

    func growOpeners() {
        let new = UnsafeMutablePointer<UInt8>.allocate(capacity: openersCapacity * 2)
        new.update(from: openers, count: openersCapacity)
        openers.deallocate()
        openers = new
        openersCapacity *= 2
    }

    /// Whether the key just scanned (bytes [recordStart, pos)) selects the member holding the
    /// records; checks the key is a valid JSON string.
    func keySelected() throws -> Bool {
        var matcher = _KeyMatcher(expected: keyName ?? [])
        try keyParser.parse(
            UnsafeRawBufferPointer(start: buf + recordStart, count: pos - recordStart),
            baseOffset: bufBase + recordStart, baseLine: recordLine, baseColumn: recordColumn,
            into: &matcher)
        return keyName == nil ? true : matcher.matched
    }

    // MARK: NDJSON

    func scanLines() throws -> JSONRecord? {
        if phase == .start {
            guard skipByteOrderMark() else { return nil }
            phase = .value
            recordStart = pos
        }
        while true {
            if phase == .done { return nil }
            let searched = pos
            let found = searched < tail ? memchr(buf + searched, 0x0A, tail - searched) : nil
            guard let found else {
                pos = tail
                if pos - recordStart > limits.maxRecordBytes {
                    recordLine = line
                    recordColumn = bufBase + recordStart - lineStart + 1
                    throw recordTooLarge()
                }
                guard eof else { return nil }
                phase = .done
                return lineRecord(end: tail)
            }
            let newlineIndex = found - UnsafeMutableRawPointer(buf)
            let record = lineRecord(end: newlineIndex)
            newline(at: newlineIndex)
            pos = newlineIndex + 1
            recordStart = pos
            if let record {
                if record.bytes.count > limits.maxRecordBytes { throw recordTooLarge(record) }
                return record
            }
        }
    }

    /// The line from `recordStart` to `end` (a newline or the end of input) without a final
    /// '\r', or nil when it is blank.
    @inline(__always)
    func lineRecord(end: Int) -> JSONRecord? {
        var i = recordStart
        while i < end && isWhitespace(byte(i)) { i += 1 }
        guard i < end else { return nil }
        var last = end
        if byte(last - 1) == 0x0D { last -= 1 }
        return JSONRecord(
            bytes: UnsafeRawBufferPointer(start: buf + recordStart, count: last - recordStart),
            offset: bufBase + recordStart, line: line, column: bufBase + recordStart - lineStart + 1)
    }

    func recordTooLarge(_ record: JSONRecord) -> JSONError {
        JSONError(
            .limitExceeded, "record longer than the limit of \(limits.maxRecordBytes) bytes",
            offset: record.offset, line: record.line, column: record.column)
    }
}

/// Compares a decoded key with the expected name.
struct _KeyMatcher: JSONVisitor {
    let expected: [UInt8]
    var matched = false
    mutating func string(_ utf8: UnsafeRawBufferPointer) { matched = utf8.elementsEqual(expected) }
    mutating func beginObject() {}
    mutating func key(_ utf8: UnsafeRawBufferPointer) {}
    mutating func endObject() {}
    mutating func beginArray() {}
    mutating func endArray() {}
    mutating func number(_ text: UnsafeRawBufferPointer, kind: JSONNumberKind) {}
    mutating func bool(_ value: Bool) {}
    mutating func null() {}
}
