import Columnar

/// A type-checked expression: every node knows its result type, and operands have been
/// converted to the types their operation computes in (`convert` nodes), so evaluation never
/// decides anything about types.
///
/// The types that operations compute in are few: boolean, int64, float64, decimal(p, s),
/// string, binary, date, timestamp(unit, utc) and null. A column of another width (int32,
/// float32, uint16, …) is read as it is and converted where an operation uses it; columns of
/// other types (lists, structs, time, uuid, …) can be referenced, tested with IS NULL, and
/// passed through `coalesce` and `if`.
struct TypedExpression: Sendable {
    indirect enum Node: Sendable {
        case column(index: Int, name: String)
        case literal(ScalarValue)
        /// The operand converted to this node's type (widening, int to decimal, date to timestamp, …).
        case convert(TypedExpression)
        case negate(TypedExpression)
        case arithmetic(ArithmeticOperator, TypedExpression, TypedExpression)
        /// Both operands have the same type (see `ComparisonKind` for decimals of other scales).
        case compare(ComparisonOperator, TypedExpression, TypedExpression)
        case and(TypedExpression, TypedExpression)
        case or(TypedExpression, TypedExpression)
        case not(TypedExpression)
        case isNull(TypedExpression, negated: Bool)
        /// The subject and every item share one type.
        case inList(TypedExpression, [TypedExpression], negated: Bool)
        case concat(TypedExpression, TypedExpression)
        case cast(TypedExpression, isTry: Bool)
        case coalesce([TypedExpression])
        case ifThen(TypedExpression, TypedExpression, TypedExpression)
        case function(Function, [TypedExpression])
    }

    var type: DataType
    var offset: Int
    var node: Node

    init(_ node: Node, _ type: DataType, offset: Int) {
        self.node = node
        self.type = type
        self.offset = offset
    }
}

enum ArithmeticOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
    /// date ± integer days, date - date.
    case addDays, subtractDays, daysBetween
}

enum ComparisonOperator: String, Sendable {
    case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="

    @inline(__always)
    func holds(_ order: Int) -> Bool {
        switch self {
        case .equal: order == 0
        case .notEqual: order != 0
        case .less: order < 0
        case .lessOrEqual: order <= 0
        case .greater: order > 0
        case .greaterOrEqual: order >= 0
        }
    }
}

enum Function: String, Sendable, CaseIterable {
    case lower, upper, trim, length, substr, abs, round, floor, ceil, year, month, day, hour, date
}

/// A constant of one of the computing types, in the form its column stores it.
enum ScalarValue: Sendable, Hashable {
    case null
    case boolean(Bool)
    case int64(Int64)
    case float64(Double)
    case decimal(Int128)
    case string([UInt8])
    case date(Int32)
    case timestamp(Int64)
}

/// How evaluation sees a type: the family of kernels that serve it.
enum TypeFamily: Equatable {
    case null, boolean, integer, float, decimal, string, binary, date, timestamp, other

    init(_ type: DataType) {
        switch type {
        case .null: self = .null
        case .boolean: self = .boolean
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64: self = .integer
        case .float16, .float32, .float64: self = .float
        case .decimal: self = .decimal
        case .string: self = .string
        case .binary: self = .binary
        case .date: self = .date
        case .timestamp: self = .timestamp
        default: self = .other
        }
    }

    var isNumeric: Bool { self == .integer || self == .float || self == .decimal }
}
