import Columnar

/// Recursive descent over the grammar, lowest precedence first:
///
/// ```
/// or         := and (OR and)*
/// and        := not (AND not)*
/// not        := NOT not | comparison
/// comparison := concat [ (= | != | <> | < | <= | > | >=) concat
///                      | IS [NOT] NULL | [NOT] IN ( expr, … ) ]      (comparisons do not chain)
/// concat     := additive (|| additive)*
/// additive   := term ((+ | -) term)*
/// term       := unary ((* | / | %) unary)*
/// unary      := - unary | + unary | primary
/// primary    := literal | column | name ( args ) | ( expr ) | CAST ( expr AS type ) | TRY_CAST ( … )
/// ```
///
/// `||` binds tighter than comparisons and looser than `+` (as in PostgreSQL).
struct Parser {
    /// Nesting deeper than this is refused: the parser recurses, and configuration text is input.
    static let maxDepth = 128

    var lexer: Lexer
    var current: Lexer.Token
    var depth = 0
    var pendingError: TransformError?

    init(_ text: String) {
        lexer = Lexer(text)
        current = Lexer.Token(kind: .end, offset: 0)
        if lexer.scalars.count > Lexer.maxLength {
            pendingError = TransformError(
                .limitExceeded, "expression longer than \(Lexer.maxLength) characters", offset: Lexer.maxLength)
            return
        }
        do throws(TransformError) {
            current = try lexer.next()
        } catch {
            pendingError = error
        }
    }

    mutating func parseExpression() throws(TransformError) -> Expression {
        if let pendingError { throw pendingError }
        if current.kind == .end { throw TransformError(.syntax, "empty expression", offset: 0) }
        let expression = try parseOr()
        guard current.kind == .end else {
            throw TransformError(.syntax, "unexpected \(describe(current)) after the expression", offset: current.offset)
        }
        return expression
    }

    // MARK: Tokens

    private mutating func advance() throws(TransformError) {
        current = try lexer.next()
    }

    private func isSymbol(_ symbol: Lexer.Symbol) -> Bool { current.kind == .symbol(symbol) }
    private func isKeyword(_ keyword: Lexer.Keyword) -> Bool { current.kind == .keyword(keyword) }

    private mutating func expect(_ symbol: Lexer.Symbol, _ context: String) throws(TransformError) {
        guard isSymbol(symbol) else {
            throw TransformError(
                .syntax, "expected '\(symbol.rawValue)' \(context), found \(describe(current))", offset: current.offset)
        }
        try advance()
    }

    private func describe(_ token: Lexer.Token) -> String {
        switch token.kind {
        case .identifier(let name): return "'\(name)'"
        case .quotedIdentifier(let name): return "\"\(name)\""
        case .integer(let text), .decimal(let text), .float(let text): return "number \(text)"
        case .string: return "a string"
        case .symbol(let symbol): return "'\(symbol.rawValue)'"
        case .keyword(let keyword): return keyword.rawValue.uppercased()
        case .end: return "the end of the expression"
        }
    }

    private mutating func nested<T>(_ body: (inout Parser) throws(TransformError) -> T) throws(TransformError) -> T {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else {
            throw TransformError(.limitExceeded, "expression nested deeper than \(Self.maxDepth) levels", offset: current.offset)
        }
        return try body(&self)
    }

    // MARK: Precedence levels

    private mutating func parseOr() throws(TransformError) -> Expression {
        try nested { (p: inout Parser) throws(TransformError) -> Expression in
            var left = try p.parseAnd()
            while p.isKeyword(.or) {
                let offset = p.current.offset
                try p.advance()
                let right = try p.parseAnd()
                left = Expression(.binary(.or, left, right), offset: offset)
            }
            return left
        }
    }

    private mutating func parseAnd() throws(TransformError) -> Expression {
        var left = try parseNot()
        while isKeyword(.and) {
            let offset = current.offset
            try advance()
            let right = try parseNot()
            left = Expression(.binary(.and, left, right), offset: offset)
        }
        return left
    }

    private mutating func parseNot() throws(TransformError) -> Expression {
        guard isKeyword(.not) else { return try parseComparison() }
        let offset = current.offset
        try advance()
        let operand = try nested { (p: inout Parser) throws(TransformError) -> Expression in try p.parseNot() }
        return Expression(.not(operand), offset: offset)
    }

    private func comparisonOperator() -> BinaryOperator? {
        guard case .symbol(let symbol) = current.kind else { return nil }
        switch symbol {
        case .equal: return .equal
        case .notEqual, .lessGreater: return .notEqual
        case .less: return .less
        case .lessOrEqual: return .lessOrEqual
        case .greater: return .greater
        case .greaterOrEqual: return .greaterOrEqual
        default: return nil
        }
    }

    private mutating func parseComparison() throws(TransformError) -> Expression {
        let left = try parseConcat()
        let result: Expression
        if let op = comparisonOperator() {
            let offset = current.offset
            try advance()
            let right = try parseConcat()
            result = Expression(.binary(op, left, right), offset: offset)
        } else if isKeyword(.is) {
            let offset = current.offset
            try advance()
            var negated = false
            if isKeyword(.not) {
                negated = true
                try advance()
            }
            guard isKeyword(.null) else {
                throw TransformError(.syntax, "expected NULL after IS, found \(describe(current))", offset: current.offset)
            }
            try advance()
            result = Expression(.isNull(left, negated: negated), offset: offset)
        } else if isKeyword(.in) || isKeyword(.not) {
            let offset = current.offset
            let negated = isKeyword(.not)
            try advance()
            if negated, !isKeyword(.in) {
                throw TransformError(.syntax, "expected IN after NOT, found \(describe(current))", offset: current.offset)
            }
            if negated { try advance() }
            try expect(.openParen, "after IN")
            var items: [Expression] = []
            repeat {
                if !items.isEmpty { try advance() }
                items.append(try parseOr())
            } while isSymbol(.comma)
            try expect(.closeParen, "to close the IN list")
            result = Expression(.inList(left, items, negated: negated), offset: offset)
        } else {
            return left
        }
        if comparisonOperator() != nil || isKeyword(.is) || isKeyword(.in) {
            throw TransformError(
                .syntax, "comparisons do not chain: combine them with AND, or add parentheses", offset: current.offset)
        }
        return result
    }

    private mutating func parseConcat() throws(TransformError) -> Expression {
        var left = try parseAdditive()
        while isSymbol(.concat) {
            let offset = current.offset
            try advance()
            let right = try parseAdditive()
            left = Expression(.binary(.concat, left, right), offset: offset)
        }
        return left
    }

    private mutating func parseAdditive() throws(TransformError) -> Expression {
        var left = try parseTerm()
        while true {
            let op: BinaryOperator
            if isSymbol(.plus) {
                op = .add
            } else if isSymbol(.minus) {
                op = .subtract
            } else {
                return left
            }
            let offset = current.offset
            try advance()
            let right = try parseTerm()
            left = Expression(.binary(op, left, right), offset: offset)
        }
    }

    private mutating func parseTerm() throws(TransformError) -> Expression {
        var left = try parseUnary()
        while true {
            let op: BinaryOperator
            if isSymbol(.star) {
                op = .multiply
            } else if isSymbol(.slash) {
                op = .divide
            } else if isSymbol(.percent) {
                op = .remainder
            } else {
                return left
            }
            let offset = current.offset
            try advance()
            let right = try parseUnary()
            left = Expression(.binary(op, left, right), offset: offset)
        }
    }

    private mutating func parseUnary() throws(TransformError) -> Expression {
        let offset = current.offset
        if isSymbol(.plus) {
            try advance()
            return try nested { (p: inout Parser) throws(TransformError) -> Expression in try p.parseUnary() }
        }
        guard isSymbol(.minus) else { return try parsePrimary() }
        try advance()
        // A minus directly before a number is part of the literal, so -9223372036854775808 fits.
        switch current.kind {
        case .integer(let digits), .decimal(let digits), .float(let digits):
            let literal = try numberLiteral(current.kind, text: "-" + digits, offset: current.offset)
            try advance()
            return Expression(.literal(literal), offset: offset)
        default:
            let operand = try nested { (p: inout Parser) throws(TransformError) -> Expression in try p.parseUnary() }
            return Expression(.negate(operand), offset: offset)
        }
    }

    private mutating func parsePrimary() throws(TransformError) -> Expression {
        let token = current
        switch token.kind {
        case .integer(let text), .decimal(let text), .float(let text):
            let literal = try numberLiteral(token.kind, text: text, offset: token.offset)
            try advance()
            return Expression(.literal(literal), offset: token.offset)
        case .string(let text):
            try advance()
            return Expression(.literal(.string(text)), offset: token.offset)
        case .keyword(.null):
            try advance()
            return Expression(.literal(.null), offset: token.offset)
        case .keyword(.true), .keyword(.false):
            try advance()
            return Expression(.literal(.boolean(token.kind == .keyword(.true))), offset: token.offset)
        case .keyword(.cast), .keyword(.try_cast):
            return try parseCast(isTry: token.kind == .keyword(.try_cast))
        case .quotedIdentifier(let name):
            try advance()
            return Expression(.column(name), offset: token.offset)
        case .identifier(let name):
            try advance()
            let lowered = name.lowercased()
            if lowered == "date" || lowered == "timestamp", case .string(let text) = current.kind {
                let literalOffset = current.offset
                try advance()
                return Expression(.literal(try typedLiteral(lowered, text, offset: literalOffset)), offset: token.offset)
            }
            guard isSymbol(.openParen) else { return Expression(.column(name), offset: token.offset) }
            try advance()
            var arguments: [Expression] = []
            if !isSymbol(.closeParen) {
                repeat {
                    if !arguments.isEmpty { try advance() }
                    arguments.append(try parseOr())
                } while isSymbol(.comma)
            }
            try expect(.closeParen, "to close the arguments of \(name)")
            return Expression(.call(lowered, arguments), offset: token.offset)
        case .symbol(.openParen):
            try advance()
            let inner = try parseOr()
            try expect(.closeParen, "to close the parenthesis")
            return inner
        case .end:
            throw TransformError(.syntax, "expected an operand, found the end of the expression", offset: token.offset)
        default:
            throw TransformError(.syntax, "expected an operand, found \(describe(token))", offset: token.offset)
        }
    }

    private mutating func parseCast(isTry: Bool) throws(TransformError) -> Expression {
        let offset = current.offset
        let name = isTry ? "TRY_CAST" : "CAST"
        try advance()
        try expect(.openParen, "after \(name)")
        let operand = try parseOr()
        guard isKeyword(.as) else {
            throw TransformError(.syntax, "expected AS in \(name), found \(describe(current))", offset: current.offset)
        }
        // The lexer stands right after AS: read the type name as raw text (it has its own syntax).
        let (text, typeOffset) = lexer.typeText()
        guard !text.isEmpty else { throw TransformError(.syntax, "expected a type after AS", offset: typeOffset) }
        guard let type = DataType(parsing: text) else {
            throw TransformError(.syntax, "unknown type '\(text)'", offset: typeOffset)
        }
        try advance()
        try expect(.closeParen, "to close \(name)")
        return Expression(.cast(operand, type, isTry: isTry), offset: offset)
    }

    // MARK: Literals

    private func numberLiteral(_ kind: Lexer.Kind, text: String, offset: Int) throws(TransformError) -> Literal {
        switch kind {
        case .integer:
            guard let value = Int64(text) else {
                throw TransformError(
                    .syntax, "integer literal out of the int64 range (write it with a point for a decimal)", offset: offset)
            }
            return .integer(value)
        case .decimal:
            let bytes = Array(text.utf8)
            guard let parsed = DecimalText.parse(bytes[...], maxDigits: 38) else {
                throw TransformError(.syntax, "decimal literal with more than 38 digits", offset: offset)
            }
            return .decimal(parsed.unscaled, precision: max(parsed.digits, parsed.scale, 1), scale: parsed.scale)
        default:
            guard let value = Double(text), value.isFinite else {
                throw TransformError(.syntax, "floating-point literal out of range", offset: offset)
            }
            return .float(value)
        }
    }

    private func typedLiteral(_ kind: String, _ text: String, offset: Int) throws(TransformError) -> Literal {
        let bytes = Array(text.utf8)
        if kind == "date" {
            guard let days = CalendarText.parseDate(bytes[...]) else {
                throw TransformError(.syntax, "'\(text)' is not a date (YYYY-MM-DD)", offset: offset)
            }
            return .date(days)
        }
        guard let parsed = CalendarText.parseTimestamp(bytes[...]) else {
            throw TransformError(
                .syntax, "'\(text)' is not a timestamp (YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM])", offset: offset)
        }
        let unit: TimeUnit = parsed.fractionDigits > 6 ? .nanosecond : .microsecond
        guard let value = parsed.value(in: unit) else {
            throw TransformError(.syntax, "timestamp out of range", offset: offset)
        }
        return .timestamp(value, unit, utc: parsed.hasZone)
    }
}
