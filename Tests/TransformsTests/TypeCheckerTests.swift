import Columnar
import Testing

@testable import Transforms

let checkerSchema = Schema([
    Field("value", .int64), Field("small", .int32), Field("f", .float64), Field("f32", .float32),
    Field("name", .string), Field("flag", .boolean), Field("amount", .decimal(precision: 10, scale: 2)),
    Field("rate", .decimal(precision: 5, scale: 3)), Field("big", .decimal(precision: 38, scale: 20)),
    Field("day", .date), Field("ts", .timestamp(.microsecond, utc: true)),
    Field("local", .timestamp(.millisecond, utc: false)), Field("tags", .list(Field("element", .string))),
    Field("blob", .binary),
])

func resultType(_ expression: String) throws -> DataType {
    let compiled = try TransformPipeline([try .parseDerive(column: "out", expression: expression)]).compile(for: checkerSchema)
    return try #require(compiled.outputSchema["out"]).type
}

@Suite struct TypeCheckerTests {
    @Test func resultTypes() throws {
        #expect(try resultType("value * 5") == .int64)
        #expect(try resultType("small * 5") == .int64)
        #expect(try resultType("small") == .int32)  // a bare reference keeps its type
        #expect(try resultType("f32 + 1") == .float64)
        #expect(try resultType("value + f") == .float64)
        #expect(try resultType("value / 2") == .int64)
        #expect(try resultType("amount + 1") == .decimal(precision: 11, scale: 2))
        #expect(try resultType("amount - value") == .decimal(precision: 22, scale: 2))
        #expect(try resultType("amount * rate") == .decimal(precision: 16, scale: 5))
        #expect(try resultType("amount / rate") == .decimal(precision: 17, scale: 6))
        #expect(try resultType("amount / 3") == .decimal(precision: 14, scale: 6))
        #expect(try resultType("amount % rate") == .decimal(precision: 5, scale: 3))
        #expect(try resultType("1.5 * value") == .decimal(precision: 22, scale: 1))
        #expect(try resultType("amount * f") == .float64)
        #expect(try resultType("-amount") == .decimal(precision: 10, scale: 2))
        #expect(try resultType("value > 1 AND NOT flag") == .boolean)
        #expect(try resultType("name || 'x'") == .string)
        #expect(try resultType("CAST(value AS decimal(18,2))") == .decimal(precision: 18, scale: 2))
        #expect(try resultType("TRY_CAST(name AS int16)") == .int16)
        #expect(try resultType("coalesce(small, value)") == .int64)
        #expect(try resultType("coalesce(amount, 0)") == .decimal(precision: 10, scale: 2))
        #expect(try resultType("coalesce(tags, tags)") == .list(Field("element", .string)))
        #expect(try resultType("if(flag, day, ts)") == .timestamp(.microsecond, utc: true))
        #expect(try resultType("coalesce(null, null)") == .null)
        #expect(try resultType("null") == .null)
        #expect(try resultType("round(amount, 1)") == .decimal(precision: 10, scale: 1))
        #expect(try resultType("round(amount, -1)") == .decimal(precision: 9, scale: 0))
        #expect(try resultType("round(amount)") == .decimal(precision: 9, scale: 0))
        #expect(try resultType("round(amount, 5)") == .decimal(precision: 10, scale: 2))
        #expect(try resultType("floor(amount)") == .decimal(precision: 9, scale: 0))
        #expect(try resultType("ceil(f32)") == .float64)
        #expect(try resultType("abs(small)") == .int64)
        #expect(try resultType("length(name)") == .int64)
        #expect(try resultType("year(ts) + month(day) + hour(local)") == .int64)
        #expect(try resultType("date(ts)") == .date)
        #expect(try resultType("day + 1") == .date)
        #expect(try resultType("day - DATE '2025-01-01'") == .int64)
        #expect(try resultType("ts > '2025-01-01T00:00:00Z' AND day < '2025-02-01'") == .boolean)
        #expect(try resultType("value IN (1, 2.5, null)") == .boolean)
        #expect(try resultType("tags IS NULL") == .boolean)
        #expect(try resultType("lower(null)") == .string)
        #expect(try resultType("CAST(blob AS string)") == .string)
    }

    @Test func theExampleMessage() throws {
        let error = try #require(checkError("value * 'x'", checkerSchema))
        #expect(error.code == .typeMismatch)
        #expect(error.description == "transform step 0: `value * 'x'`: cannot multiply int64 by string at offset 8")
        #expect(error.stepIndex == 0)
        #expect(error.offset == 8)
    }

    @Test func everyErrorClass() throws {
        let cases: [(String, TransformError.Code, Int, String)] = [
            ("valeu * 5", .unknownColumn, 0, "unknown column 'valeu' (did you mean 'value'?)"),
            ("zzz", .unknownColumn, 0, "unknown column 'zzz'"),
            ("name + 1", .typeMismatch, 0, "cannot add string and int64"),
            ("1 - name", .typeMismatch, 4, "cannot subtract string from int64"),
            ("value / flag", .typeMismatch, 8, "cannot divide int64 by bool"),
            ("value % 'x'", .typeMismatch, 8, "cannot take the remainder of int64 by string"),
            ("ts + 1", .typeMismatch, 0, "cannot add timestamp[us, UTC] and int64"),
            ("value = 'x'", .typeMismatch, 8, "cannot compare int64 with string"),
            ("tags = tags", .typeMismatch, 0, "cannot compare list<string> with list<string>"),
            ("ts = local", .typeMismatch, 5, "cannot compare timestamp[us, UTC] with timestamp[ms]"),
            ("day = '2025-13-01'", .typeMismatch, 6, "'2025-13-01' is not a date (YYYY-MM-DD)"),
            ("ts < 'soon'", .typeMismatch, 5, "'soon' is not a timestamp"),
            ("value AND true", .typeMismatch, 0, "AND needs boolean operands, not int64"),
            ("flag OR name", .typeMismatch, 8, "OR needs boolean operands, not string"),
            ("NOT value", .typeMismatch, 4, "NOT needs a boolean operand, not int64"),
            ("name || value", .typeMismatch, 8, "cannot concatenate int64 (use CAST(… AS string))"),
            ("-name", .typeMismatch, 1, "cannot negate string"),
            ("CAST(flag AS date)", .typeMismatch, 0, "cannot cast bool to date"),
            ("CAST(f AS bool)", .typeMismatch, 0, "cannot cast float64 to bool"),
            ("CAST(tags AS string)", .typeMismatch, 0, "cannot cast list<string> to string"),
            ("CAST(value AS list<int64>)", .typeMismatch, 0, "CAST to list<int64> is not supported"),
            ("CAST(value AS time)", .typeMismatch, 0, "CAST to time[us] is not supported"),
            ("lowr(name)", .unknownFunction, 0, "unknown function 'lowr' (did you mean 'lower'?)"),
            ("frobnicate(name)", .unknownFunction, 0, "unknown function 'frobnicate'"),
            ("value + now()", .unknownFunction, 8,
             "now() is not offered: transforms must be deterministic, so that a retried job writes the same rows"),
            ("lower(name, name)", .typeMismatch, 0, "lower takes 1 argument, got 2"),
            ("substr(name)", .typeMismatch, 0, "substr takes 2 to 3 arguments, got 1"),
            ("if(flag, 1)", .typeMismatch, 0, "if takes 3 arguments, got 2"),
            ("coalesce()", .typeMismatch, 0, "coalesce takes at least 1 argument, got 0"),
            ("upper(value)", .typeMismatch, 6, "upper needs a string, not int64"),
            ("substr(name, 'a')", .typeMismatch, 13, "substr needs an integer, not string"),
            ("abs(name)", .typeMismatch, 4, "abs needs a number, not string"),
            ("round(f, value)", .typeMismatch, 9, "round's second argument must be an integer literal from -38 to 38"),
            ("round(f, 40)", .typeMismatch, 9, "round's second argument must be an integer literal from -38 to 38"),
            ("hour(day)", .typeMismatch, 5, "hour needs a timestamp, not date"),
            ("year(name)", .typeMismatch, 5, "year needs a date or timestamp, not string"),
            ("coalesce(value, name)", .typeMismatch, 16, "coalesce mixes int64 and string"),
            ("if(flag, tags, 1)", .typeMismatch, 15, "if mixes list<string> and int64"),
            ("if(value, 1, 2)", .typeMismatch, 3, "if needs a boolean condition, not int64"),
            ("value IN (1, 'a')", .typeMismatch, 13, "cannot compare int64 with string in IN"),
            ("big * big", .typeMismatch, 4, "decimal product would have scale 40 (at most 38); round an operand first"),
        ]
        for (text, code, offset, message) in cases {
            let error = try #require(checkError(text, checkerSchema), "\(text) checked")
            #expect(error.code == code, "\(text): \(error)")
            #expect(error.offset == offset, "\(text): \(error)")
            #expect(error.message == message, "\(text): \(error)")
            #expect(error.expression == text)
            #expect(error.stepIndex == 0)
        }
    }

    @Test func stepErrors() throws {
        let schema = Schema([Field("a", .int64), Field("b", .string), Field("status", .string)])
        func compile(_ steps: [TransformStep]) -> TransformError? {
            transformError { _ = try TransformPipeline(steps).compile(for: schema) }
        }
        var error = try #require(compile([try .parseFilter("a + 1")]))
        #expect(error.code == .typeMismatch)
        #expect(error.message == "a filter needs a boolean expression, not int64")
        error = try #require(compile([.rename(from: "a", to: "b")]))
        #expect(error.code == .invalidStep)
        #expect(error.message == "cannot rename 'a' to 'b': a column 'b' exists")
        error = try #require(compile([.rename(from: "stats", to: "x")]))
        #expect(error.message == "unknown column 'stats' (did you mean 'status'?)")
        error = try #require(compile([.drop(["a"]), .drop(["b", "status"])]))
        #expect(error.code == .invalidStep)
        #expect(error.stepIndex == 1)
        #expect(error.message == "drop would remove every column")
        error = try #require(compile([.drop(["c"])]))
        #expect(error.code == .unknownColumn)
        error = try #require(compile([try .parseCast(column: "x", type: "int32")]))
        #expect(error.code == .unknownColumn)
        error = try #require(compile([try .parseCast(column: "a", type: "date")]))
        #expect(error.message == "cannot cast int64 to date")
        // Later steps see earlier ones: the renamed column is gone, the derived one exists.
        error = try #require(compile([.rename(from: "a", to: "x"), try .parseDerive(column: "y", expression: "a + 1")]))
        #expect(error.stepIndex == 1)
        #expect(error.message == "unknown column 'a'")
        #expect(compile([try .parseDerive(column: "y", expression: "a + 1"), try .parseFilter("y > 2"), .drop(["a"])]) == nil)
        // Parsing alone (no schema) catches the rest.
        #expect(transformError { _ = try TransformStep.parseCast(column: "a", type: "decimal(50,2)") }?.code == .syntax)
        #expect(transformError { _ = try TransformStep.parseDerive(column: "", expression: "1") }?.code == .invalidStep)
        #expect(transformError { _ = try TransformStep.parseDrop([]) }?.code == .invalidStep)
    }
}
