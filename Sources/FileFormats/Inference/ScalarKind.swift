import Columnar

/// The type lattice of schema inference, for one scalar position (a JSON value or a CSV field).
///
/// ```
///                 string                    (top: anything can be kept as text)
///         /     |     \         \
///   boolean  double   timestamp    uuid      (timestamps zoned or not, never both)
///              |          |
///           integer      date
///         \    |    /    /
///                 null                      (bottom: no evidence yet)
/// ```
/// Joining two kinds gives the lowest kind above both: integer ⊔ double = double,
/// date ⊔ timestamp = timestamp, uuid ⊔ any other string = string, and any two kinds on different branches = string (or a
/// type conflict, when the policy rejects conflicts instead of widening).
public enum ScalarKind: UInt8, Sendable, Hashable, CustomStringConvertible {
    case null, boolean, integer, double, date, timestamp, timestampZoned, string
    /// Text in the canonical 8-4-4-4-12 hexadecimal form, stored as 16 bytes.
    case uuid

    /// The least upper bound, or nil when the two only meet at `string` through a conflict.
    public func joinedWithoutWidening(_ other: ScalarKind) -> ScalarKind? {
        if self == other { return self }
        switch (self, other) {
        case (.null, let kind), (let kind, .null): return kind
        case (.integer, .double), (.double, .integer): return .double
        case (.date, .timestamp), (.timestamp, .date): return .timestamp
        case (.date, .timestampZoned), (.timestampZoned, .date): return .timestampZoned
        case (.string, _), (_, .string): return .string
        default: return nil
        }
    }

    /// The least upper bound, widening conflicts to `string`.
    public func joined(_ other: ScalarKind) -> ScalarKind { joinedWithoutWidening(other) ?? .string }

    /// The column type that holds values of this kind (nulls alone become strings).
    public var dataType: DataType {
        switch self {
        case .null, .string: .string
        case .boolean: .boolean
        case .integer: .int64
        case .double: .float64
        case .date: .date
        case .timestamp: .timestamp(.microsecond, utc: false)
        case .timestampZoned: .timestamp(.microsecond, utc: true)
        case .uuid: .uuid
        }
    }

    public var description: String {
        switch self {
        case .null: "null"
        case .boolean: "boolean"
        case .integer: "integer"
        case .double: "double"
        case .date: "date"
        case .timestamp: "timestamp"
        case .timestampZoned: "timestamp with time zone"
        case .string: "string"
        case .uuid: "uuid"
        }
    }
}
