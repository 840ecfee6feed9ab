/// The one error type of the ThriftCompact module: input that is not valid compact protocol,
/// or that goes past a configured limit.
///
/// `offset` is where the problem was found, counted like `ThriftCompactReader.position`
/// (the reader's `baseOffset` plus the bytes consumed), so it is a file offset when the caller
/// gave one. Messages never quote decoded data.
public struct ThriftError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The input ended before a value was complete (a longer input may decode).
        case truncated
        /// A type code that the compact protocol does not define.
        case invalidType
        /// Bytes that break the protocol's rules (an over-long varint, an out-of-range integer).
        case invalidData
        /// A count or length beyond what `ThriftCompactReader.Limits` allows.
        case limitExceeded
        /// Structs and collections nested deeper than `ThriftCompactReader.Limits.maxDepth`.
        case depthExceeded
    }

    public var code: Code
    public var offset: Int
    public var message: String

    public init(_ code: Code, _ message: String, offset: Int) {
        self.code = code
        self.message = message
        self.offset = offset
    }

    public var description: String {
        "thrift \(code.rawValue): \(message) at offset \(offset)"
    }
}
