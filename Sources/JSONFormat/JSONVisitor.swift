/// What a number literal looks like; the literal itself is passed as text.
public enum JSONNumberKind: Sendable, Hashable {
    /// No fraction and no exponent: `-12`, `0`, `123456789012345678901234567890`.
    case integer
    /// Has a fraction or an exponent (or both): `1.5`, `1e3`, `-0.0E-7`.
    case decimal
}

/// Receives a value's events in document order.
///
/// Strings and keys arrive unescaped (escape sequences decoded, surrogate pairs joined) and
/// validated as UTF-8, in a buffer valid only during the call: copy what you keep. A buffer may
/// point into the input or into the parser's scratch space.
///
/// An error thrown by a visitor method stops the parse and propagates unchanged out of
/// `JSONParser.parse`, so a caller can tell its own errors from a bad record (`JSONError`).
public protocol JSONVisitor {
    mutating func beginObject() throws
    /// A member's key; the member's value follows as its own events.
    /// Duplicate keys are passed on as they come.
    mutating func key(_ utf8: UnsafeRawBufferPointer) throws
    mutating func endObject() throws
    mutating func beginArray() throws
    mutating func endArray() throws
    mutating func string(_ utf8: UnsafeRawBufferPointer) throws
    /// The literal's bytes exactly as written (validated against RFC 8259's grammar, at most
    /// `JSONLimits.maxNumberBytes` long); converting it, and deciding what to do with huge or
    /// very precise numbers, is the visitor's business.
    mutating func number(_ text: UnsafeRawBufferPointer, kind: JSONNumberKind) throws
    mutating func bool(_ value: Bool) throws
    mutating func null() throws
}
