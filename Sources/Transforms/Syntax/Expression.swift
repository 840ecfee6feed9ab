public import Columnar

/// A parsed expression: a node and the offset (in characters from 0) where it starts in the text.
/// It knows nothing about column types; `TypeChecker` turns it into a typed plan against a schema.
public struct Expression: Sendable, Hashable {
    public indirect enum Kind: Sendable, Hashable {
        /// A column by name (`value`, `payload.value` for a flattened column, `"any name"`).
        case column(String)
        case literal(Literal)
        case negate(Expression)
        case not(Expression)
        case binary(BinaryOperator, Expression, Expression)
        /// `x IS NULL`, or `x IS NOT NULL` when negated.
        case isNull(Expression, negated: Bool)
        /// `x IN (a, b)`, or `x NOT IN (a, b)` when negated.
        case inList(Expression, [Expression], negated: Bool)
        /// `CAST(x AS type)`, or `TRY_CAST` (null when the value does not convert) when `isTry`.
        case cast(Expression, DataType, isTry: Bool)
        /// A function call; the name is lowercased.
        case call(String, [Expression])
    }

    public var kind: Kind
    public var offset: Int

    public init(_ kind: Kind, offset: Int) {
        self.kind = kind
        self.offset = offset
    }
}

public enum Literal: Sendable, Hashable {
    case null
    case boolean(Bool)
    case integer(Int64)
    /// An exact number written with a point (`12.50`): unscaled value, precision and scale.
    case decimal(Int128, precision: Int, scale: Int)
    /// A number written with an exponent (`1.5e3`).
    case float(Double)
    case string(String)
    /// `DATE '2025-01-05'`: days since 1970-01-01.
    case date(Int32)
    /// `TIMESTAMP '2025-01-05T13:00:00Z'`: units since the epoch; UTC when the text has `Z` or an offset.
    case timestamp(Int64, TimeUnit, utc: Bool)
}

public enum BinaryOperator: String, Sendable, Hashable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case remainder = "%"
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case and = "AND"
    case or = "OR"
    case concat = "||"

    var isArithmetic: Bool {
        switch self {
        case .add, .subtract, .multiply, .divide, .remainder: true
        default: false
        }
    }

    var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual: true
        default: false
        }
    }
}

/// A parsed expression together with the text it came from (errors quote the text and point
/// into it). Parsing needs no schema, so a configuration is checked for syntax when it loads.
public struct ParsedExpression: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    public let root: Expression

    /// Parses `text`; a syntax error carries the offset where the text stops making sense.
    public init(parsing text: String) throws(TransformError) {
        var parser = Parser(text)
        do throws(TransformError) {
            root = try parser.parseExpression()
        } catch {
            var error = error
            error.expression = text
            throw error
        }
        self.text = text
    }

    public var description: String { text }
}
