import Columnar
import Testing

@testable import Transforms

/// The tree fully parenthesized, so precedence shows.
func render(_ e: Expression) -> String {
    switch e.kind {
    case .column(let name): return name
    case .literal(let literal):
        switch literal {
        case .null: return "NULL"
        case .boolean(let b): return b ? "TRUE" : "FALSE"
        case .integer(let v): return "\(v)"
        case .decimal(let v, let p, let s): return "dec(\(v),\(p),\(s))"
        case .float(let v): return "float(\(v))"
        case .string(let s): return "'\(s)'"
        case .date(let d): return "date(\(d))"
        case .timestamp(let v, let unit, let utc): return "ts(\(v),\(unit.rawValue)\(utc ? ",utc" : ""))"
        }
    case .negate(let x): return "(-\(render(x)))"
    case .not(let x): return "(NOT \(render(x)))"
    case .binary(let op, let l, let r): return "(\(render(l)) \(op.rawValue) \(render(r)))"
    case .isNull(let x, let negated): return "(\(render(x)) IS \(negated ? "NOT " : "")NULL)"
    case .inList(let x, let items, let negated):
        return "(\(render(x)) \(negated ? "NOT " : "")IN (\(items.map(render).joined(separator: ", "))))"
    case .cast(let x, let type, let isTry): return "\(isTry ? "TRY_CAST" : "CAST")(\(render(x)) AS \(type))"
    case .call(let name, let args): return "\(name)(\(args.map(render).joined(separator: ", ")))"
    }
}

func parse(_ text: String) throws -> String { render(try ParsedExpression(parsing: text).root) }

func syntaxError(_ text: String) -> TransformError? {
    transformError { _ = try ParsedExpression(parsing: text) }
}

@Suite struct ParserTests {
    @Test func precedenceFollowsSQL() throws {
        #expect(try parse("1 + 2 * 3") == "(1 + (2 * 3))")
        #expect(try parse("(1 + 2) * 3") == "((1 + 2) * 3)")
        #expect(try parse("a - b - c") == "((a - b) - c)")
        #expect(try parse("a / b % c * d") == "(((a / b) % c) * d)")
        #expect(try parse("a OR b AND c") == "(a OR (b AND c))")
        #expect(try parse("a AND b OR c AND d") == "((a AND b) OR (c AND d))")
        #expect(try parse("NOT a = b") == "(NOT (a = b))")
        #expect(try parse("NOT NOT a") == "(NOT (NOT a))")
        #expect(try parse("a || b + 1") == "(a || (b + 1))")
        #expect(try parse("a || b = c") == "((a || b) = c)")
        #expect(try parse("-x * 2") == "((-x) * 2)")
        #expect(try parse("- 2 * 3") == "(-2 * 3)")
        #expect(try parse("a - -5") == "(a - -5)")
        #expect(try parse("a = 1 AND b IS NOT NULL") == "((a = 1) AND (b IS NOT NULL))")
        #expect(try parse("x NOT IN (1, 2) OR x IN (3)") == "((x NOT IN (1, 2)) OR (x IN (3)))")
        #expect(try parse("a + 1 IS NULL") == "((a + 1) IS NULL)")
        #expect(try parse("a <> b") == "(a != b)")
        #expect(try parse("a == b") == "(a = b)")
        #expect(try parse("a >= 1 and b <= 2") == "((a >= 1) AND (b <= 2))")
    }

    @Test func namesFunctionsAndCasts() throws {
        #expect(try parse("payload.value * 5") == "(payload.value * 5)")
        #expect(try parse("\"my col\" + \"say \"\"hi\"\"\"") == "(my col + say \"hi\")")
        #expect(try parse("COALESCE(a, Lower(b), 1)") == "coalesce(a, lower(b), 1)")
        #expect(try parse("if(a > 0, 'pos', 'neg')") == "if((a > 0), 'pos', 'neg')")
        #expect(try parse("f()") == "f()")
        #expect(try parse("CAST(a AS decimal(18, 2))") == "CAST(a AS decimal(18, 2))")
        #expect(try parse("try_cast(s AS timestamp[ms, UTC])") == "TRY_CAST(s AS timestamp[ms, UTC])")
        #expect(try parse("CAST(CAST(a AS int32) + 1 AS string)") == "CAST((CAST(a AS int32) + 1) AS string)")
        #expect(try parse("CAST(m AS map<string, list<int64>>)") == "CAST(m AS map<string, list<int64>>)")
        // `date` and `timestamp` are names unless a string follows.
        #expect(try parse("date(ts) = date") == "(date(ts) = date)")
    }

    @Test func literals() throws {
        #expect(try parse("'it''s'") == "'it's'")
        #expect(try parse("1.50") == "dec(150,3,2)")
        #expect(try parse("0.05") == "dec(5,2,2)")
        #expect(try parse("-12.5") == "dec(-125,3,1)")
        #expect(try parse("1e3") == "float(1000.0)")
        #expect(try parse("2.5E-1") == "float(0.25)")
        #expect(try parse("true OR FALSE OR null") == "((TRUE OR FALSE) OR NULL)")
        #expect(try parse("-9223372036854775808") == "-9223372036854775808")
        #expect(try parse("DATE '2025-01-05'") == "date(20093)")
        #expect(try parse("date '1969-12-31'") == "date(-1)")
        let instant = (Int64(20093) * 86_400 + 13 * 3600) * 1_000_000
        #expect(try parse("TIMESTAMP '2025-01-05T13:00:00Z'") == "ts(\(instant),us,utc)")
        #expect(try parse("TIMESTAMP '2025-01-05T15:00:00+02:00'") == "ts(\(instant),us,utc)")
        #expect(try parse("TIMESTAMP '2025-01-05 13:00:00'") == "ts(\(instant),us)")
        #expect(try parse("TIMESTAMP '2025-01-05T13:00:00.123456789Z'") == "ts(\(instant * 1000 + 123_456_789),ns,utc)")
    }

    @Test func syntaxErrorsPointAtTheirOffset() throws {
        let cases: [(String, Int, String)] = [
            ("value *", 7, "expected an operand, found the end of the expression"),
            ("a + (b", 6, "expected ')' to close the parenthesis, found the end of the expression"),
            ("'abc", 0, "unterminated string"),
            ("a + \"b", 4, "unterminated quoted column name"),
            ("a = b = c", 6, "comparisons do not chain: combine them with AND, or add parentheses"),
            ("a $ b", 2, "unexpected character '$'"),
            ("a ! b", 2, "unexpected '!' (use != or NOT)"),
            ("a | b", 2, "unexpected '|' (use || to concatenate)"),
            ("CAST(a AS decimol(1,2))", 10, "unknown type 'decimol(1,2)'"),
            ("CAST(a decimal)", 7, "expected AS in CAST, found 'decimal'"),
            ("CAST(a AS )", 10, "expected a type after AS"),
            ("99999999999999999999", 0, "integer literal out of the int64 range (write it with a point for a decimal)"),
            ("DATE '2025-13-01'", 5, "'2025-13-01' is not a date (YYYY-MM-DD)"),
            ("TIMESTAMP '2025-01-01T25:00'", 10, "'2025-01-01T25:00' is not a timestamp (YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM])"),
            ("", 0, "empty expression"),
            ("   ", 0, "empty expression"),
            ("f(a,)", 4, "expected an operand, found ')'"),
            ("1.", 2, "expected digits after the decimal point"),
            ("1e", 2, "expected digits in the exponent"),
            ("5abc", 1, "unexpected 'a' after a number"),
            ("a b", 2, "unexpected 'b' after the expression"),
            ("x IS 1", 5, "expected NULL after IS, found number 1"),
            ("x NOT 1", 6, "expected IN after NOT, found number 1"),
            ("x IN 1", 5, "expected '(' after IN, found number 1"),
            ("\"\" + 1", 0, "empty quoted column name"),
            ("é + 1", 0, "unexpected character 'é'"),
            ("'ü' + ü", 6, "unexpected character 'ü'"),
        ]
        for (text, offset, message) in cases {
            let error = try #require(syntaxError(text), "\(text) parsed")
            #expect(error.code == .syntax, "\(text)")
            #expect(error.offset == offset, "\(text): \(error)")
            #expect(error.message == message, "\(text): \(error)")
            #expect(error.expression == text)
        }
    }

    @Test func errorDescriptionQuotesTheExpression() throws {
        let error = try #require(transformError { _ = try TransformStep.parseDerive(column: "m", expression: "value *") })
        #expect(error.description == "`value *`: expected an operand, found the end of the expression at offset 7")
        #expect(error.shortDescription == "expected an operand, found the end of the expression at offset 7")
    }

    @Test func limitsOnLengthAndDepth() throws {
        let deep = String(repeating: "(", count: 200) + "1" + String(repeating: ")", count: 200)
        #expect(syntaxError(deep)?.code == .limitExceeded)
        let notNot = String(repeating: "NOT ", count: 300) + "a"
        #expect(syntaxError(notNot)?.code == .limitExceeded)
        let minus = String(repeating: "- ", count: 300) + "a"
        #expect(syntaxError(minus)?.code == .limitExceeded)
        let long = "a" + String(repeating: " + a", count: 20_000)
        #expect(syntaxError(long)?.code == .limitExceeded)
        // A long flat chain is fine: only nesting recurses.
        let flat = "a" + String(repeating: " + a", count: 5_000)
        #expect(throws: Never.self) { _ = try ParsedExpression(parsing: flat) }
        let nested = String(repeating: "(", count: 100) + "1" + String(repeating: ")", count: 100)
        #expect(throws: Never.self) { _ = try ParsedExpression(parsing: nested) }
    }
}
