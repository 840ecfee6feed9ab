/// A strict RFC 8259 parser over bytes that reports one value's events to a `JSONVisitor`.
///
/// ```swift
/// var parser = JSONParser()
/// try bytes.withUnsafeBytes { try parser.parse($0, into: &visitor) }
/// ```
///
/// What it accepts is exactly RFC 8259's grammar:
/// - whitespace is space, tab, `\n`, `\r`; a byte order mark is not whitespace (the framer
///   skips one at the very start of the input);
/// - strings must be valid UTF-8 (no overlong forms, no encoded surrogates, nothing above
///   U+10FFFF) with control characters escaped; escapes are the nine of RFC 8259, and `\u`
///   escapes of UTF-16 surrogates must form a high-low pair (a lone surrogate is
///   `.invalidEscape`, since it has no UTF-8 form);
/// - numbers follow the grammar (`-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`) and
///   are passed on as text, whatever their size;
/// - duplicate keys are passed on as they come.
///
/// It allocates nothing per value and keeps its scratch buffers (the nesting stack, the buffer
/// for unescaped strings) between calls; reuse one parser for many records. Copies share
/// nothing once used (the buffers are copied on write).
public struct JSONParser {
    public var limits: JSONLimits
    @usableFromInline var storage: _JSONParserStorage

    public init(limits: JSONLimits = .init()) {
        self.limits = limits
        self.storage = _JSONParserStorage()
    }

    /// Parses exactly one JSON value filling `bytes` (whitespace around it allowed), calling
    /// `visitor` with its events in document order.
    ///
    /// `baseOffset`, `baseLine` and `baseColumn` locate `bytes[0]` in the whole input, so that
    /// errors tell where the problem is in the input rather than in `bytes`.
    ///
    /// - Throws: an error thrown by `visitor`, unchanged; otherwise a `JSONError`. Events
    ///   already delivered before an error are not taken back.
    @inlinable
    public mutating func parse<V: JSONVisitor>(
        _ bytes: UnsafeRawBufferPointer, baseOffset: Int = 0, baseLine: Int = 1,
        baseColumn: Int = 1, into visitor: inout V
    ) throws {
        if !isKnownUniquelyReferenced(&storage) { storage = _JSONParserStorage() }
        let scanner = _JSONScanner(
            bytes: bytes, baseOffset: baseOffset, baseLine: baseLine, baseColumn: baseColumn,
            limits: limits, storage: storage)
        try scanner.parseValue(into: &visitor)
    }

    /// Parses a record cut by `JSONRecordFramer`, locating errors in the whole input.
    @inlinable
    public mutating func parse<V: JSONVisitor>(_ record: JSONRecord, into visitor: inout V) throws {
        try parse(
            record.bytes, baseOffset: record.offset, baseLine: record.line,
            baseColumn: record.column, into: &visitor)
    }
}

// Swift's copy-on-write check in `parse` makes a copy that is used independently allocate its
// own buffers, so parsers may be sent across isolation domains like arrays.
extension JSONParser: @unchecked Sendable {}

/// The parser's reusable buffers: the stack of open containers (1 = object, 0 = array) and the
/// scratch space that receives strings holding escapes.
@usableFromInline
final class _JSONParserStorage {
    @usableFromInline var stack: UnsafeMutablePointer<UInt8>
    @usableFromInline var stackCapacity: Int
    @usableFromInline var scratch: UnsafeMutableRawPointer
    @usableFromInline var scratchCapacity: Int

    @usableFromInline
    init() {
        stackCapacity = 64
        stack = .allocate(capacity: stackCapacity)
        scratchCapacity = 4096
        scratch = .allocate(byteCount: scratchCapacity, alignment: 16)
    }

    deinit {
        stack.deallocate()
        scratch.deallocate()
    }

    /// Doubles the container stack (kept at most `limit` + 1 entries).
    @usableFromInline
    @inline(never)
    func growStack(limit: Int) -> UnsafeMutablePointer<UInt8> {
        let newCapacity = min(max(stackCapacity * 2, 64), limit + 1)
        let new = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        new.update(from: stack, count: stackCapacity)
        stack.deallocate()
        stack = new
        stackCapacity = newCapacity
        return new
    }

    /// Makes the scratch space hold at least `needed` bytes, keeping the first `used`.
    @usableFromInline
    func reserveScratch(_ needed: Int, keeping used: Int) {
        guard needed > scratchCapacity else { return }
        var newCapacity = scratchCapacity
        while newCapacity < needed { newCapacity *= 2 }
        let new = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        new.copyMemory(from: scratch, byteCount: used)
        scratch.deallocate()
        scratch = new
        scratchCapacity = newCapacity
    }
}
