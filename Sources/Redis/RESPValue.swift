// A RESP client of our own on SwiftNIO, for the job queue's Redis Streams.
//
//   RESPValue        one reply (RESP2 types, and RESP3's when a server sends them)
//   RESPParser       an incremental parser: a pure state machine over bytes, with limits
//   RESPEncoder      commands as arrays of bulk strings (and any value, for tests)
//   RedisError       the module's one error type; never holds a password or arguments
//   RedisConfiguration  redis://[user:password@]host:port[/db], timeouts, limits
//   RedisConnection  one TCP connection: pipelined requests answered in order, a command timeout
//   RedisClient      what callers hold: a shared connection opened again on the next command after
//                    a loss, and a lane of dedicated connections for blocking commands
//   RedisClient+Commands  the commands the queue needs (streams, sorted sets), typed replies

/// One RESP value. Bulk strings are bytes (Redis strings are binary-safe); `string` reads them as
/// UTF-8. A nil bulk string or array is RESP2's null; RESP3's null is `.null`.
public enum RESPValue: Sendable, Hashable {
    case simpleString(String)
    /// An error reply ("ERR …", "WRONGTYPE …"): its first word is the error code.
    case error(String)
    case integer(Int64)
    case bulkString([UInt8]?)
    case array([RESPValue]?)
    // RESP3.
    case null
    case boolean(Bool)
    case double(Double)
    /// A big number, kept as its decimal text.
    case bigNumber(String)
    /// A verbatim string without its three-letter format prefix.
    case verbatimString(String)
    case map([RESPPair])
    case set([RESPValue])
    /// An out-of-band push (pub/sub, client tracking); never an answer to a command.
    case push([RESPValue])

    /// A bulk string from text.
    public static func bulk(_ text: String) -> RESPValue { .bulkString(Array(text.utf8)) }

    /// Simple, bulk and verbatim strings as text (invalid UTF-8 is replaced); nil for other kinds.
    public var string: String? {
        switch self {
        case .simpleString(let text), .verbatimString(let text): text
        case .bulkString(let bytes?): String(decoding: bytes, as: UTF8.self)
        default: nil
        }
    }

    public var int: Int? {
        switch self {
        case .integer(let value): Int(exactly: value)
        case .bulkString(let bytes?): Int(String(decoding: bytes, as: UTF8.self))
        case .simpleString(let text): Int(text)
        default: nil
        }
    }

    /// The items of an array, set or push; nil for a null array and other kinds.
    public var array: [RESPValue]? {
        switch self {
        case .array(let items?), .set(let items), .push(let items): items
        default: nil
        }
    }

    /// RESP2's null bulk string and null array, and RESP3's null.
    public var isNull: Bool {
        switch self {
        case .null, .bulkString(nil), .array(nil): true
        default: false
        }
    }

    /// The kind's name, for error messages (never the value: it may be user data).
    public var kindName: String {
        switch self {
        case .simpleString: "simple string"
        case .error: "error"
        case .integer: "integer"
        case .bulkString(nil): "null bulk string"
        case .bulkString: "bulk string"
        case .array(nil): "null array"
        case .array: "array"
        case .null: "null"
        case .boolean: "boolean"
        case .double: "double"
        case .bigNumber: "big number"
        case .verbatimString: "verbatim string"
        case .map: "map"
        case .set: "set"
        case .push: "push"
        }
    }
}

/// One key and value of a RESP3 map.
public struct RESPPair: Sendable, Hashable {
    public var key: RESPValue
    public var value: RESPValue

    public init(key: RESPValue, value: RESPValue) {
        self.key = key
        self.value = value
    }
}
