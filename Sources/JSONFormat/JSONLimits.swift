/// Bounds on what the parser and the framer accept, so hostile input cannot exhaust memory or
/// the stack. Going past one is a `JSONError` with code `.depthExceeded` or `.limitExceeded`.
public struct JSONLimits: Sendable, Hashable {
    /// Objects and arrays nested deeper than this (counted within one record) are rejected.
    /// The parser uses an explicit stack, so a large value costs memory, not native stack.
    public var maxDepth: Int
    /// Longest string or key, in bytes after unescaping.
    public var maxStringBytes: Int
    /// Longest number literal, in bytes (numbers are passed on as text).
    public var maxNumberBytes: Int
    /// Largest record the framer buffers (an NDJSON line, an array element, a whole value in
    /// the `.singleValue` layout). The parser itself does not apply it.
    public var maxRecordBytes: Int

    public init(
        maxDepth: Int = 256, maxStringBytes: Int = 64 << 20, maxNumberBytes: Int = 1024,
        maxRecordBytes: Int = 256 << 20
    ) {
        self.maxDepth = maxDepth
        self.maxStringBytes = maxStringBytes
        self.maxNumberBytes = maxNumberBytes
        self.maxRecordBytes = maxRecordBytes
    }
}
