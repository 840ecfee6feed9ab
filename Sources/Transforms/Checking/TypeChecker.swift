import LakegateCore
import Columnar

/// Checks an expression against the columns it will see and produces the typed plan.
///
/// Numeric rules: integers of any width compute as int64 (overflow is a run-time error); any
/// float makes the result float64; a decimal with an integer stays decimal (the integer counts
/// as decimal(19, 0), an integer literal as just its digits). Decimal result types, with
/// (p1, s1) and (p2, s2) the operands:
///
/// | operation | scale | precision (at most 38) |
/// |---|---|---|
/// | `+` `-` | max(s1, s2) | max(p1 - s1, p2 - s2) + scale + 1 |
/// | `*` | s1 + s2 (at most 38) | p1 + p2 + 1 |
/// | `/` | max(6, s1, s2), less when the integer digits (p1 - s1 + s2) need the room | integer digits + scale |
/// | `%` | max(s1, s2) | min(p1 - s1, p2 - s2) + scale |
///
/// Results are rounded half away from zero; a result that needs more digits than its
/// precision is an overflow error.
struct TypeChecker {
    let schema: Schema

    func check(_ expression: Expression) throws(TransformError) -> TypedExpression {
        let offset = expression.offset
        switch expression.kind {
        case .column(let name):
            guard let index = schema.index(of: name) else {
                var message = "unknown column '\(name)'"
                if let hint = Spelling.closest(to: name, among: schema.fields.map(\.name)) { message += " (did you mean '\(hint)'?)" }
                throw TransformError(.unknownColumn, message, offset: offset)
            }
            return TypedExpression(.column(index: index, name: name), schema.fields[index].type, offset: offset)
        case .literal(let literal):
            return Self.literal(literal, offset: offset)
        case .negate(let operand):
            let typed = try check(operand)
            let family = TypeFamily(typed.type)
            guard family.isNumeric || family == .null else {
                throw TransformError(.typeMismatch, "cannot negate \(name(typed.type))", offset: operand.offset)
            }
            if family == .null { return typed }
            let type = computingType(typed.type)
            return TypedExpression(.negate(convert(typed, to: type)), type, offset: offset)
        case .not(let operand):
            let typed = try booleanOperand(operand, what: "NOT")
            return TypedExpression(.not(typed), .boolean, offset: offset)
        case .binary(let op, let left, let right):
            return try binary(op, left, right, offset: offset)
        case .isNull(let operand, let negated):
            return TypedExpression(.isNull(try check(operand), negated: negated), .boolean, offset: offset)
        case .inList(let subject, let items, let negated):
            let typedSubject = try check(subject)
            var typedItems: [TypedExpression] = []
            typedItems.reserveCapacity(items.count)
            for item in items {
                var typed = try check(item)
                typed = try coerceStringLiteral(typed, toward: typedSubject.type)
                guard comparable(typedSubject, typed) != nil else {
                    throw TransformError(
                        .typeMismatch, "cannot compare \(name(typedSubject.type)) with \(name(typed.type)) in IN",
                        offset: item.offset)
                }
                typedItems.append(typed)
            }
            var common = typedSubject.type
            for item in typedItems {
                let accumulated = TypedExpression(.literal(.null), common, offset: 0)
                guard let next = TypeFamily(common) == .null ? comparable(item, item) : comparable(accumulated, item) else {
                    throw TransformError(
                        .typeMismatch, "IN list mixes \(name(common)) and \(name(item.type))", offset: item.offset)
                }
                common = next
            }
            return TypedExpression(
                .inList(convert(typedSubject, to: common), typedItems.map { convert($0, to: common) }, negated: negated),
                .boolean, offset: offset)
        case .cast(let operand, let target, let isTry):
            let typed = try check(operand)
            try checkCast(from: typed.type, to: target, offset: offset)
            if typed.type == target { return typed }
            let source = canCastDirectly(typed.type) ? typed : convert(typed, to: computingType(typed.type))
            if source.type == target { return source }
            return TypedExpression(.cast(source, isTry: isTry), target, offset: offset)
        case .call(let name, let arguments):
            return try call(name, arguments, offset: offset)
        }
    }

    // MARK: Literals

    static func literal(_ literal: Literal, offset: Int) -> TypedExpression {
        switch literal {
        case .null: return TypedExpression(.literal(.null), .null, offset: offset)
        case .boolean(let b): return TypedExpression(.literal(.boolean(b)), .boolean, offset: offset)
        case .integer(let v): return TypedExpression(.literal(.int64(v)), .int64, offset: offset)
        case .decimal(let unscaled, let precision, let scale):
            return TypedExpression(.literal(.decimal(unscaled)), .decimal(precision: precision, scale: scale), offset: offset)
        case .float(let v): return TypedExpression(.literal(.float64(v)), .float64, offset: offset)
        case .string(let s): return TypedExpression(.literal(.string(Array(s.utf8))), .string, offset: offset)
        case .date(let d): return TypedExpression(.literal(.date(d)), .date, offset: offset)
        case .timestamp(let v, let unit, let utc):
            return TypedExpression(.literal(.timestamp(v)), .timestamp(unit, utc: utc), offset: offset)
        }
    }

    // MARK: Operators

    private func booleanOperand(_ expression: Expression, what: String) throws(TransformError) -> TypedExpression {
        let typed = try check(expression)
        switch typed.type {
        case .boolean: return typed
        case .null: return convert(typed, to: .boolean)
        default:
            let message: String
            switch what {
            case "NOT": message = "NOT needs a boolean operand, not \(name(typed.type))"
            case "if": message = "if needs a boolean condition, not \(name(typed.type))"
            default: message = "\(what) needs boolean operands, not \(name(typed.type))"
            }
            throw TransformError(.typeMismatch, message, offset: expression.offset)
        }
    }

    private func binary(_ op: BinaryOperator, _ left: Expression, _ right: Expression, offset: Int) throws(TransformError) -> TypedExpression {
        switch op {
        case .and, .or:
            let l = try booleanOperand(left, what: op.rawValue)
            let r = try booleanOperand(right, what: op.rawValue)
            return TypedExpression(op == .and ? .and(l, r) : .or(l, r), .boolean, offset: offset)
        case .concat:
            let l = try check(left)
            let r = try check(right)
            for (typed, source) in [(l, left), (r, right)] where typed.type != .string && typed.type != .null {
                throw TransformError(
                    .typeMismatch, "cannot concatenate \(name(typed.type)) (use CAST(… AS string))", offset: source.offset)
            }
            return TypedExpression(.concat(convert(l, to: .string), convert(r, to: .string)), .string, offset: offset)
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual:
            var l = try check(left)
            var r = try check(right)
            l = try coerceStringLiteral(l, toward: r.type)
            r = try coerceStringLiteral(r, toward: l.type)
            guard let common = comparable(l, r) else {
                throw TransformError(
                    .typeMismatch, "cannot compare \(name(l.type)) with \(name(r.type))",
                    offset: TypeFamily(l.type) == .other ? left.offset : right.offset)
            }
            let comparison = ComparisonOperator(rawValue: op.rawValue)!
            return TypedExpression(
                .compare(comparison, convert(l, to: common), convert(r, to: common)), .boolean, offset: offset)
        case .add, .subtract, .multiply, .divide, .remainder:
            return try arithmetic(op, left, right, offset: offset)
        }
    }

    private func arithmetic(_ op: BinaryOperator, _ left: Expression, _ right: Expression, offset: Int) throws(TransformError) -> TypedExpression {
        let l = try check(left)
        let r = try check(right)
        let lf = TypeFamily(l.type)
        let rf = TypeFamily(r.type)
        let arithmeticOp = ArithmeticOperator(rawValue: op.rawValue)!
        // Dates: date ± days, date - date.
        if lf == .date || (rf == .date && op == .add) {
            let (date, days) = lf == .date ? (l, r) : (r, l)
            let daysFamily = TypeFamily(days.type)
            if daysFamily == .integer || daysFamily == .null, op == .add || op == .subtract {
                return TypedExpression(
                    .arithmetic(op == .add ? .addDays : .subtractDays, date, convert(days, to: .int64)), .date, offset: offset)
            }
            if op == .subtract, rf == .date {
                return TypedExpression(.arithmetic(.daysBetween, l, r), .int64, offset: offset)
            }
        }
        let acceptable: (TypeFamily) -> Bool = { $0.isNumeric || $0 == .null }
        guard acceptable(lf), acceptable(rf) else {
            let message: String
            let (a, b) = (name(l.type), name(r.type))
            switch op {
            case .add: message = "cannot add \(a) and \(b)"
            case .subtract: message = "cannot subtract \(b) from \(a)"
            case .multiply: message = "cannot multiply \(a) by \(b)"
            case .divide: message = "cannot divide \(a) by \(b)"
            default: message = "cannot take the remainder of \(a) by \(b)"
            }
            throw TransformError(.typeMismatch, message, offset: acceptable(lf) ? right.offset : left.offset)
        }
        if lf == .null && rf == .null { return TypedExpression(.literal(.null), .null, offset: offset) }
        let type: DataType
        if lf == .float || rf == .float {
            type = .float64
        } else if lf == .decimal || rf == .decimal {
            let (p1, s1) = decimalShape(l)
            let (p2, s2) = decimalShape(r)
            type = try decimalResult(op, p1, s1, p2, s2, offset: offset)
            let lt = lf == .decimal ? l.type : DataType.decimal(precision: p1, scale: s1)
            let rt = rf == .decimal ? r.type : DataType.decimal(precision: p2, scale: s2)
            return TypedExpression(
                .arithmetic(arithmeticOp, convert(l, to: lf == .null ? type : lt), convert(r, to: rf == .null ? type : rt)),
                type, offset: offset)
        } else {
            type = .int64
        }
        return TypedExpression(.arithmetic(arithmeticOp, convert(l, to: type), convert(r, to: type)), type, offset: offset)
    }

    /// Precision and scale of a decimal operand; integers count as decimals of their digits.
    private func decimalShape(_ typed: TypedExpression) -> (Int, Int) {
        switch typed.type {
        case .decimal(let p, let s): return (p, s)
        case .int8, .uint8: return (3, 0)
        case .int16, .uint16: return (5, 0)
        case .int32, .uint32: return (10, 0)
        case .uint64: return (20, 0)
        default:
            if case .literal(.int64(let v)) = typed.node { return (max(1, String(v.magnitude).count), 0) }
            return (19, 0)
        }
    }

    private func decimalResult(_ op: BinaryOperator, _ p1: Int, _ s1: Int, _ p2: Int, _ s2: Int, offset: Int) throws(TransformError) -> DataType {
        let scale: Int
        let precision: Int
        switch op {
        case .add, .subtract:
            scale = max(s1, s2)
            precision = max(p1 - s1, p2 - s2) + scale + 1
        case .multiply:
            scale = s1 + s2
            guard scale <= 38 else {
                throw TransformError(
                    .typeMismatch, "decimal product would have scale \(scale) (at most 38); round an operand first",
                    offset: offset)
            }
            precision = max(p1 + p2 + 1, scale)
        case .divide:
            let integerDigits = p1 - s1 + s2
            scale = max(0, min(max(6, s1, s2), 38 - integerDigits))
            precision = max(integerDigits + scale, 1)
        default:
            scale = max(s1, s2)
            precision = max(min(p1 - s1, p2 - s2) + scale, 1)
        }
        return .decimal(precision: min(precision, 38), scale: scale)
    }

    /// The type two values are compared in, nil when they cannot be compared.
    func comparable(_ x: TypedExpression, _ y: TypedExpression) -> DataType? {
        let (a, b) = (x.type, y.type)
        let fa = TypeFamily(a)
        let fb = TypeFamily(b)
        if fa == .null { return fb == .other ? nil : (fb == .null ? .null : computingType(b)) }
        if fb == .null { return fa == .other ? nil : computingType(a) }
        return unify(x, y, allowOther: false)
    }

    /// The common type of two values (for comparisons, IN, coalesce and if). An integer
    /// literal beside a decimal counts as just its digits (`coalesce(amount, 0)` stays decimal(10, 2)).
    func unify(_ x: TypedExpression, _ y: TypedExpression, allowOther: Bool) -> DataType? {
        let (a, b) = (x.type, y.type)
        let fa = TypeFamily(a)
        let fb = TypeFamily(b)
        if fa == .null { return b }
        if fb == .null { return a }
        if fa == .other || fb == .other { return allowOther && a == b ? a : nil }
        if fa.isNumeric && fb.isNumeric {
            if fa == .float || fb == .float { return .float64 }
            if fa == .integer && fb == .integer { return .int64 }
            let (p1, s1) = decimalShape(x)
            let (p2, s2) = decimalShape(y)
            let scale = max(s1, s2)
            return .decimal(precision: min(38, max(p1 - s1, p2 - s2) + scale), scale: scale)
        }
        switch (a, b) {
        case (.timestamp(let u1, let utc1), .timestamp(let u2, let utc2)):
            guard utc1 == utc2 else { return nil }
            return .timestamp(finer(u1, u2), utc: utc1)
        case (.date, .timestamp(let unit, let utc)), (.timestamp(let unit, let utc), .date):
            return .timestamp(unit, utc: utc)
        default:
            return fa == fb ? computingType(a) : nil
        }
    }

    private func finer(_ a: TimeUnit, _ b: TimeUnit) -> TimeUnit { a.perSecond >= b.perSecond ? a : b }

    /// A string literal beside a date or timestamp is read as one (`day >= '2025-01-01'`).
    private func coerceStringLiteral(_ typed: TypedExpression, toward other: DataType) throws(TransformError) -> TypedExpression {
        guard case .literal(.string(let bytes)) = typed.node else { return typed }
        let text = String(decoding: bytes, as: UTF8.self)
        switch other {
        case .date:
            guard let days = CalendarText.parseDate(bytes[...]) else {
                throw TransformError(.typeMismatch, "'\(text)' is not a date (YYYY-MM-DD)", offset: typed.offset)
            }
            return TypedExpression(.literal(.date(days)), .date, offset: typed.offset)
        case .timestamp(let unit, let utc):
            guard let parsed = CalendarText.parseTimestamp(bytes[...]), let value = parsed.value(in: unit) else {
                throw TransformError(.typeMismatch, "'\(text)' is not a timestamp", offset: typed.offset)
            }
            return TypedExpression(.literal(.timestamp(value)), .timestamp(unit, utc: utc), offset: typed.offset)
        default:
            return typed
        }
    }

    // MARK: Conversions

    /// The type a value computes in: int64 for every integer, float64 for every float.
    func computingType(_ type: DataType) -> DataType {
        switch TypeFamily(type) {
        case .integer: return .int64
        case .float: return .float64
        default: return type
        }
    }

    /// `typed` as `type`: the same node when it already is, a folded literal when it is a
    /// constant that converts exactly, a `convert` node otherwise.
    func convert(_ typed: TypedExpression, to type: DataType) -> TypedExpression {
        if typed.type == type { return typed }
        if case .literal(let value) = typed.node, let folded = fold(value, from: typed.type, to: type) {
            return TypedExpression(.literal(folded), type, offset: typed.offset)
        }
        return TypedExpression(.convert(typed), type, offset: typed.offset)
    }

    private func fold(_ value: ScalarValue, from source: DataType, to target: DataType) -> ScalarValue? {
        switch (value, target) {
        case (.null, _): return .null
        case (.int64(let v), .float64): return .float64(Double(v))
        case (.int64(let v), .decimal(let p, let s)):
            guard s <= 38 else { return nil }
            let (scaled, overflow) = Int128(v).multipliedReportingOverflow(by: powersOfTen[s])
            guard !overflow, scaled.magnitude < powersOfTen[p].magnitude else { return nil }
            return .decimal(scaled)
        case (.decimal(let v), .decimal(let p, let s)):
            guard case .decimal(_, let s0) = source, s >= s0 else { return nil }
            let (scaled, overflow) = v.multipliedReportingOverflow(by: powersOfTen[s - s0])
            guard !overflow, scaled.magnitude < powersOfTen[p].magnitude else { return nil }
            return .decimal(scaled)
        case (.date(let d), .timestamp(let unit, _)):
            let (value, overflow) = (Int64(d) * 86_400).multipliedReportingOverflow(by: unit.perSecond)
            return overflow ? nil : .timestamp(value)
        default:
            return nil
        }
    }

    private func canCastDirectly(_ type: DataType) -> Bool {
        switch TypeFamily(type) {
        case .integer: return type == .int64
        case .float: return type == .float64
        default: return true
        }
    }

    private func checkCast(from source: DataType, to target: DataType, offset: Int) throws(TransformError) {
        let targetFamily = TypeFamily(target)
        switch target {
        case .float16, .time, .uuid, .fixedSizeBinary, .list, .structure, .map, .null:
            if source == target { return }
            throw TransformError(.typeMismatch, "CAST to \(name(target)) is not supported", offset: offset)
        default:
            break
        }
        let allowed: Bool
        switch TypeFamily(source) {
        case .null: allowed = true
        case .boolean: allowed = [.boolean, .integer, .string].contains(targetFamily)
        case .integer, .float, .decimal: allowed = targetFamily.isNumeric || targetFamily == .string
            || (targetFamily == .boolean && TypeFamily(source) == .integer)
        case .string: allowed = targetFamily != .other
        case .binary: allowed = targetFamily == .string || targetFamily == .binary
        case .date, .timestamp: allowed = [.date, .timestamp, .string].contains(targetFamily)
        case .other: allowed = source == target
        }
        guard allowed else {
            throw TransformError(.typeMismatch, "cannot cast \(name(source)) to \(name(target))", offset: offset)
        }
    }

    // MARK: Functions

    private func call(_ function: String, _ arguments: [Expression], offset: Int) throws(TransformError) -> TypedExpression {
        func arity(_ range: ClosedRange<Int>) throws(TransformError) {
            guard range.contains(arguments.count) else {
                let expected = range.lowerBound == range.upperBound
                    ? "\(range.lowerBound) argument\(range.lowerBound == 1 ? "" : "s")"
                    : "\(range.lowerBound) to \(range.upperBound) arguments"
                throw TransformError(
                    .typeMismatch, "\(function) takes \(expected), got \(arguments.count)", offset: offset)
            }
        }
        switch function {
        case "coalesce":
            guard !arguments.isEmpty else {
                throw TransformError(.typeMismatch, "coalesce takes at least 1 argument, got 0", offset: offset)
            }
            var typed: [TypedExpression] = []
            for argument in arguments { typed.append(try check(argument)) }
            let type = try common(typed, arguments, what: "coalesce")
            return TypedExpression(.coalesce(typed.map { convert($0, to: type) }), type, offset: offset)
        case "if":
            try arity(3...3)
            let condition = try booleanOperand(arguments[0], what: "if")
            let branches = [try check(arguments[1]), try check(arguments[2])]
            let type = try common(branches, Array(arguments[1...]), what: "if")
            return TypedExpression(
                .ifThen(condition, convert(branches[0], to: type), convert(branches[1], to: type)), type, offset: offset)
        case "now", "current_timestamp", "current_date", "today", "random", "rand", "uuid", "gen_random_uuid":
            throw TransformError(
                .unknownFunction,
                "\(function)() is not offered: transforms must be deterministic, so that a retried job writes the same rows",
                offset: offset)
        default:
            break
        }
        guard let known = Function(rawValue: function) else {
            var message = "unknown function '\(function)'"
            let names = ["coalesce", "if"] + Function.allCases.map(\.rawValue)
            if let hint = Spelling.closest(to: function, among: names) { message += " (did you mean '\(hint)'?)" }
            throw TransformError(.unknownFunction, message, offset: offset)
        }
        switch known {
        case .lower, .upper, .trim, .length:
            try arity(1...1)
            let argument = try stringArgument(arguments[0], of: function)
            return TypedExpression(.function(known, [argument]), known == .length ? .int64 : .string, offset: offset)
        case .substr:
            try arity(2...3)
            var typed = [try stringArgument(arguments[0], of: function)]
            for argument in arguments.dropFirst() { typed.append(try integerArgument(argument, of: function)) }
            return TypedExpression(.function(.substr, typed), .string, offset: offset)
        case .abs, .floor, .ceil:
            try arity(1...1)
            let argument = try numericArgument(arguments[0], of: function)
            var type = argument.type
            if known != .abs, case .decimal(let p, let s) = type, s > 0 {
                type = .decimal(precision: min(38, p - s + 1), scale: 0)
            }
            return TypedExpression(.function(known, [argument]), type, offset: offset)
        case .round:
            try arity(1...2)
            let argument = try numericArgument(arguments[0], of: function)
            var digits: Int64 = 0
            if arguments.count == 2 {
                guard case .literal(.integer(let n)) = arguments[1].kind, (-38...38).contains(n) else {
                    throw TransformError(
                        .typeMismatch, "round's second argument must be an integer literal from -38 to 38",
                        offset: arguments[1].offset)
                }
                digits = n
            }
            var type = argument.type
            if case .decimal(let p, let s) = type, digits < s {
                let scale = max(Int(digits), 0)
                type = .decimal(precision: min(38, p - s + scale + 1), scale: scale)
            }
            let digitsLiteral = TypedExpression(.literal(.int64(digits)), .int64, offset: offset)
            return TypedExpression(.function(.round, [argument, digitsLiteral]), type, offset: offset)
        case .year, .month, .day, .hour, .date:
            try arity(1...1)
            var argument = try check(arguments[0])
            switch TypeFamily(argument.type) {
            case .timestamp: break
            case .date where known != .hour: break
            case .null: argument = convert(argument, to: .timestamp(.microsecond, utc: true))
            default:
                let needs = known == .hour ? "a timestamp" : "a date or timestamp"
                throw TransformError(
                    .typeMismatch, "\(function) needs \(needs), not \(name(argument.type))", offset: arguments[0].offset)
            }
            if known == .date, argument.type == .date { return argument }
            return TypedExpression(.function(known, [argument]), known == .date ? .date : .int64, offset: offset)
        }
    }

    private func stringArgument(_ expression: Expression, of function: String) throws(TransformError) -> TypedExpression {
        let typed = try check(expression)
        guard typed.type == .string || typed.type == .null else {
            throw TransformError(
                .typeMismatch, "\(function) needs a string, not \(name(typed.type))", offset: expression.offset)
        }
        return convert(typed, to: .string)
    }

    private func integerArgument(_ expression: Expression, of function: String) throws(TransformError) -> TypedExpression {
        let typed = try check(expression)
        let family = TypeFamily(typed.type)
        guard family == .integer || family == .null else {
            throw TransformError(
                .typeMismatch, "\(function) needs an integer, not \(name(typed.type))", offset: expression.offset)
        }
        return convert(typed, to: .int64)
    }

    private func numericArgument(_ expression: Expression, of function: String) throws(TransformError) -> TypedExpression {
        let typed = try check(expression)
        let family = TypeFamily(typed.type)
        guard family.isNumeric || family == .null else {
            throw TransformError(
                .typeMismatch, "\(function) needs a number, not \(name(typed.type))", offset: expression.offset)
        }
        return convert(typed, to: family == .null ? .int64 : computingType(typed.type))
    }

    private func common(_ typed: [TypedExpression], _ sources: [Expression], what: String) throws(TransformError) -> DataType {
        var type = DataType.null
        var first: TypedExpression?
        for (value, source) in zip(typed, sources) {
            // The first typed value stands for the type so far, so a literal keeps its digits.
            let accumulated = first.map { TypedExpression($0.node, type, offset: $0.offset) }
                ?? TypedExpression(.literal(.null), type, offset: 0)
            guard let next = unify(accumulated, value, allowOther: true) else {
                throw TransformError(
                    .typeMismatch, "\(what) mixes \(name(type)) and \(name(value.type))", offset: source.offset)
            }
            if type == .null, next != .null { first = value }
            type = next
        }
        return type == .null ? .null : computingType(type)
    }
}

/// A type as messages spell it (`date` rather than `date32`).
func name(_ type: DataType) -> String {
    type == .date ? "date" : type.description
}
