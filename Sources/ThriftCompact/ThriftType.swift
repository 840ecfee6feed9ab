/// The wire type codes of the Thrift compact protocol (the low nibble of a field header,
/// or of a list, set or map header).
///
/// A bool *field* carries its value in the type: `boolTrue` (1) or `boolFalse` (2). Inside a
/// collection, the element type of bools is reported as `boolTrue` and each value is a byte.
public enum ThriftType: UInt8, Sendable, Hashable, CustomStringConvertible {
    case boolTrue = 1
    case boolFalse = 2
    case i8 = 3
    case i16 = 4
    case i32 = 5
    case i64 = 6
    case double = 7
    case binary = 8
    case list = 9
    case set = 10
    case map = 11
    case `struct` = 12

    /// True for both bool codes.
    @inlinable
    public var isBool: Bool { self == .boolTrue || self == .boolFalse }

    /// The fewest bytes one value of this type takes inside a collection.
    @inlinable
    public var minimumElementSize: Int { self == .double ? 8 : 1 }

    public var description: String {
        switch self {
        case .boolTrue, .boolFalse: "bool"
        case .i8: "i8"
        case .i16: "i16"
        case .i32: "i32"
        case .i64: "i64"
        case .double: "double"
        case .binary: "binary"
        case .list: "list"
        case .set: "set"
        case .map: "map"
        case .struct: "struct"
        }
    }
}
