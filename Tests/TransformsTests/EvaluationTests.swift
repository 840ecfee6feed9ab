import Columnar
import Testing

@testable import Transforms

private func run(_ expression: String, _ batch: RecordBatch) throws -> [Value] {
    try evaluate(expression, over: batch).values
}

private func runtimeError(_ expression: String, _ batch: RecordBatch) -> TransformError? {
    transformError { _ = try evaluate(expression, over: batch) }
}

/// Micros since the epoch of a UTC wall time.
private func micros(_ days: Int64, _ h: Int64, _ m: Int64, _ s: Int64 = 0) -> Int64 {
    ((days * 86_400) + h * 3600 + m * 60 + s) * 1_000_000
}

private let jan5: Int64 = 20093  // 2025-01-05

@Suite struct IntegerEvaluationTests {
    let batch = try! makeBatch([
        ("a", .int64, [.int(7), .int(-7), .null, .int(0)]),
        ("b", .int64, [.int(2), .int(2), .int(3), .int(0)]),
        ("c", .int32, [.int(1), .int(2), .int(3), .null]),
    ])

    @Test func arithmeticWithNulls() throws {
        #expect(try run("a + b", batch) == [.int(9), .int(-5), .null, .int(0)])
        #expect(try run("a - b", batch) == [.int(5), .int(-9), .null, .int(0)])
        #expect(try run("a * b", batch) == [.int(14), .int(-14), .null, .int(0)])
        #expect(try run("a * c + 1", batch) == [.int(8), .int(-13), .null, .null])
        #expect(try run("-a", batch) == [.int(-7), .int(7), .null, .int(0)])
        #expect(try run("abs(a)", batch) == [.int(7), .int(7), .null, .int(0)])
        #expect(try run("1 + 2", batch) == [.int(3), .int(3), .int(3), .int(3)])
        #expect(try run("a + null", batch) == [.null, .null, .null, .null])
    }

    @Test func divisionTruncatesAndByZeroIsNull() throws {
        #expect(try run("a / b", batch) == [.int(3), .int(-3), .null, .null])
        #expect(try run("a % b", batch) == [.int(1), .int(-1), .null, .null])
        #expect(try run("a % -2", batch) == [.int(1), .int(-1), .null, .int(0)])
        #expect(try run("a / 0", batch) == [.null, .null, .null, .null])
        #expect(try run("coalesce(a / b, -1)", batch) == [.int(3), .int(-3), .int(-1), .int(-1)])
    }

    @Test func overflowIsAnErrorWithRowAndColumn() throws {
        let big = try makeBatch([
            ("a", .int64, [.int(1), .int(.max), .int(.min)]),
            ("small", .int64, [.int(5), .null, .int(7)]),
        ])
        var error = try #require(runtimeError("a + 1", big))
        #expect(error.code == .overflow)
        #expect(error.row == 1)
        #expect(error.column == "out")
        #expect(error.stepIndex == 0)
        #expect(error.description == "transform step 0: `a + 1`: int64 overflow in + (row 1, column out)")
        #expect(runtimeError("a - 1", big)?.row == 2)
        #expect(runtimeError("a * 2", big)?.row == 1)
        #expect(runtimeError("a / -1", big)?.row == 2)
        #expect(runtimeError("-a", big)?.row == 2)
        #expect(runtimeError("abs(a)", big)?.row == 2)
        error = try #require(runtimeError("9223372036854775807 + 1", big))
        #expect(error.row == 0)
        #expect(try run("a % -1", big) == [.int(0), .int(0), .int(0)])
        // Rows a branch does not serve do not fail.
        #expect(try run("if(a < 100 AND a > 0, a * 2, 0)", big) == [.int(2), .int(0), .int(0)])
        #expect(runtimeError("coalesce(small, a * 2)", big)?.row == 1)
        let fill = try makeBatch([("a", .int64, [.int(.max), .int(3)]), ("b", .int64, [.int(5), .null])])
        #expect(try run("coalesce(b, a * 2)", fill) == [.int(5), .int(6)])
        #expect(runtimeError("coalesce(a * 2, b)", fill)?.row == 0)
    }

    @Test func nullSlotsAreNeverChecked() throws {
        // A decoder may leave anything in a null slot: no overflow is reported for it.
        var validity = Bitmap(repeating: true, count: 2)
        validity[1] = false
        let column = Column(
            unchecked: .int64, count: 2, validity: validity, values: bytes(of: Int64(1)) + bytes(of: Int64.max))
        let batch = try RecordBatch(schema: Schema([Field("a", .int64)]), columns: [column])
        #expect(try run("a + 1", batch) == [.int(2), .null])
        #expect(try run("a * a", batch) == [.int(1), .null])
        let output = try evaluate("a * 3", over: batch)
        #expect(output.values == [.int(3), .null])
    }
}

@Suite struct FloatAndDecimalEvaluationTests {
    let batch = try! makeBatch([
        ("f", .float64, [.double(1.5), .null, .double(-2.25), .double(0)]),
        ("amount", .decimal(precision: 10, scale: 2), [dec(1250, 2), dec(10, 2), .null, dec(-5, 2)]),
        ("v", .int64, [.int(1234), .int(1250), .int(-1250), .int(7)]),
    ])

    @Test func floats() throws {
        #expect(try run("f * 2", batch) == [.double(3), .null, .double(-4.5), .double(0)])
        #expect(try run("f / 0.5e0", batch) == [.double(3), .null, .double(-4.5), .double(0)])
        #expect(try run("1 / f", batch) == [.double(1 / 1.5), .null, .double(1 / -2.25), .null])
        #expect(try run("f % 2", batch) == [.double(1.5), .null, .double(-0.25), .double(0)])
        #expect(try run("v + f", batch) == [.double(1235.5), .null, .double(-1252.25), .double(7)])
        #expect(try run("round(f)", batch) == [.double(2), .null, .double(-2), .double(0)])
        #expect(try run("round(f, 1)", batch) == [.double(1.5), .null, .double(-2.3), .double(0)])
        #expect(try run("floor(f)", batch) == [.double(1), .null, .double(-3), .double(0)])
        #expect(try run("ceil(f)", batch) == [.double(2), .null, .double(-2), .double(0)])
        #expect(try run("abs(f)", batch) == [.double(1.5), .null, .double(2.25), .double(0)])
    }

    @Test func decimals() throws {
        var result = try evaluate("amount + 1", over: batch)
        #expect(result.type == .decimal(precision: 11, scale: 2))
        #expect(result.values == [dec(1350, 2), dec(110, 2), .null, dec(95, 2)])
        result = try evaluate("amount * amount", over: batch)
        #expect(result.type == .decimal(precision: 21, scale: 4))
        #expect(result.values == [dec(1_562_500, 4), dec(100, 4), .null, dec(25, 4)])
        result = try evaluate("amount / 3", over: batch)
        #expect(result.type == .decimal(precision: 14, scale: 6))
        #expect(result.values == [dec(4_166_667, 6), dec(33_333, 6), .null, dec(-16_667, 6)])
        #expect(try run("amount / 0", batch) == [.null, .null, .null, .null])
        #expect(try run("amount % 0.03", batch) == [dec(2, 2), dec(1, 2), .null, dec(-2, 2)])
        #expect(try run("amount * 1.5", batch) == [dec(18_750, 3), dec(150, 3), .null, dec(-75, 3)])
        #expect(try run("-amount", batch) == [dec(-1250, 2), dec(-10, 2), .null, dec(5, 2)])
        #expect(try run("abs(amount)", batch) == [dec(1250, 2), dec(10, 2), .null, dec(5, 2)])
        #expect(try run("amount > 1", batch) == [.bool(true), .bool(false), .null, .bool(false)])
        #expect(try run("amount = 0.1", batch) == [.bool(false), .bool(true), .null, .bool(false)])
        #expect(try run("amount + f", batch) == [.double(14), .null, .null, .double(-0.05)])
        #expect(try run("round(amount, 1)", batch) == [dec(125, 1), dec(1, 1), .null, dec(-1, 1)])
        #expect(try run("floor(amount)", batch) == [dec(12, 0), dec(0, 0), .null, dec(-1, 0)])
        #expect(try run("ceil(amount)", batch) == [dec(13, 0), dec(1, 0), .null, dec(0, 0)])
        #expect(try run("round(v, -2)", batch) == [.int(1200), .int(1300), .int(-1300), .int(0)])
        #expect(try run("coalesce(amount, 0)", batch) == [dec(1250, 2), dec(10, 2), dec(0, 2), dec(-5, 2)])
    }

    @Test func decimalOverflow() throws {
        let nines = Int128(10).power(38) - 1
        let wide = try makeBatch([("d", .decimal(precision: 38, scale: 0), [.decimal(1, scale: 0), .decimal(nines, scale: 0)])])
        let error = try #require(runtimeError("d + 1", wide))
        #expect(error.code == .overflow)
        #expect(error.row == 1)
        #expect(try run("d - 1", wide) == [.decimal(0, scale: 0), .decimal(nines - 1, scale: 0)])
    }

    @Test func nanComparesAsPostgreSQLSortsIt() throws {
        let nan = try makeBatch([("f", .float64, [.double(.nan), .double(1)])])
        #expect(try run("f = f", nan) == [.bool(true), .bool(true)])
        #expect(try run("f > 1e300", nan) == [.bool(true), .bool(false)])
        #expect(try run("f < 2.0e0", nan) == [.bool(false), .bool(true)])
    }
}

extension Int128 {
    func power(_ n: Int) -> Int128 { (0..<n).reduce(1) { r, _ in r * self } }
}

@Suite struct LogicEvaluationTests {
    let batch = try! makeBatch([
        ("p", .boolean, [.bool(true), .bool(true), .bool(true), .bool(false), .bool(false), .bool(false), .null, .null, .null]),
        ("q", .boolean, [.bool(true), .bool(false), .null, .bool(true), .bool(false), .null, .bool(true), .bool(false), .null]),
    ])

    private func bools(_ text: String) -> [Value] {
        text.map { $0 == "T" ? .bool(true) : ($0 == "F" ? .bool(false) : .null) }
    }

    @Test func threeValuedLogic() throws {
        #expect(try run("p AND q", batch) == bools("TFNFFFNFN"))
        #expect(try run("p OR q", batch) == bools("TTTTFNTNN"))
        #expect(try run("NOT p", batch) == bools("FFFTTTNNN"))
        #expect(try run("p AND null", batch) == bools("NNNFFFNNN"))
        #expect(try run("p OR null", batch) == bools("TTTNNNNNN"))
        #expect(try run("p IS NULL", batch) == bools("FFFFFFTTT"))
        #expect(try run("q IS NOT NULL", batch) == bools("TTFTTFTTF"))
        #expect(try run("NOT (p AND q) = (NOT p OR NOT q)", batch) == bools("TTNTTTNTN"))
        #expect(try run("p = q", batch) == bools("TFNFTNNNN"))
    }

    @Test func inLists() throws {
        let x = try makeBatch([("x", .int64, [.int(1), .int(3), .null]), ("s", .string, [.string("a"), .string("c"), .null])])
        #expect(try run("x IN (1, 2)", x) == bools("TFN"))
        #expect(try run("x NOT IN (1, 2)", x) == bools("FTN"))
        #expect(try run("x IN (1, null)", x) == bools("TNN"))
        #expect(try run("x NOT IN (1, null)", x) == bools("FNN"))
        #expect(try run("x IN (1.0, 3)", x) == bools("TTN"))
        #expect(try run("s IN ('a', 'b')", x) == bools("TFN"))
        #expect(try run("x + 1 IN (x, 4)", x) == bools("FTN"))
    }

    @Test func comparisonsOfEveryKind() throws {
        let b = try makeBatch([
            ("s", .string, [.string("a"), .string("b"), .string(""), .null]),
            ("i", .int32, [.int(1), .int(2), .int(3), .int(4)]),
            ("day", .date, [.date(jan5), .date(jan5 - 10), .null, .date(0)]),
            ("ts", .timestamp(.microsecond, utc: true),
             [.timestamp(micros(jan5, 0, 0), .microsecond, utc: true), .timestamp(micros(jan5, 1, 0), .microsecond, utc: true),
              .null, .timestamp(0, .microsecond, utc: true)]),
        ])
        #expect(try run("s < 'b'", b) == bools("TFTN"))
        #expect(try run("s >= 'a'", b) == bools("TTFN"))
        #expect(try run("s != ''", b) == bools("TTFN"))
        #expect(try run("i <= 2.5e0", b) == bools("TTFF"))
        #expect(try run("i > 1.5", b) == bools("FTTT"))
        #expect(try run("day >= '2025-01-01'", b) == bools("TFNF"))
        #expect(try run("day = DATE '1970-01-01'", b) == bools("FFNT"))
        #expect(try run("ts = day", b) == bools("TFNT"))
        #expect(try run("ts > TIMESTAMP '2025-01-05T00:30:00Z'", b) == bools("FTNF"))
        #expect(try run("ts <= '2025-01-05T00:00:00Z'", b) == bools("TFNT"))
    }
}

@Suite struct StringEvaluationTests {
    let batch = try! makeBatch([
        ("s", .string, [.string("Hello"), .string("  x "), .null, .string("Éa"), .string("héllo")]),
        ("n", .int64, [.int(1), .int(2), .int(3), .null, .int(5)]),
    ])

    private func strings(_ items: [String?]) -> [Value] { items.map { $0.map(Value.string) ?? .null } }

    @Test func functions() throws {
        #expect(try run("lower(s)", batch) == strings(["hello", "  x ", nil, "éa", "héllo"]))
        #expect(try run("upper(s)", batch) == strings(["HELLO", "  X ", nil, "ÉA", "HÉLLO"]))
        #expect(try run("trim(s)", batch) == strings(["Hello", "x", nil, "Éa", "héllo"]))
        #expect(try run("length(s)", batch) == [.int(5), .int(4), .null, .int(2), .int(5)])
        #expect(try run("s || '!'", batch) == strings(["Hello!", "  x !", nil, "Éa!", "héllo!"]))
        #expect(try run("'<' || s || '>'", batch) == strings(["<Hello>", "<  x >", nil, "<Éa>", "<héllo>"]))
        #expect(try run("substr(s, 2, 3)", batch) == strings(["ell", " x ", nil, "a", "éll"]))
        #expect(try run("substr(s, 0, 2)", batch) == strings(["H", " ", nil, "É", "h"]))
        #expect(try run("substr(s, 4)", batch) == strings(["lo", " ", nil, "", "lo"]))
        #expect(try run("substr(s, 2, -1)", batch) == strings(["", "", nil, "", ""]))
        #expect(try run("substr(s, n)", batch) == strings(["Hello", " x ", nil, nil, "o"]))
        #expect(try run("substr('abc', 2)", batch) == strings(["bc", "bc", "bc", "bc", "bc"]))
        #expect(try run("coalesce(s, 'none')", batch) == strings(["Hello", "  x ", "none", "Éa", "héllo"]))
        #expect(try run("if(n > 2, s, 'small')", batch) == strings(["small", "small", nil, "small", "héllo"]))
        #expect(try run("if(n > 2, upper(s), lower(s))", batch) == strings(["hello", "  x ", nil, "éa", "HÉLLO"]))
    }
}

@Suite struct CastEvaluationTests {
    let batch = try! makeBatch([
        ("s", .string, [.string("12"), .string(" -7 "), .null, .string("x")]),
        ("v", .int64, [.int(300), .int(-128), .int(127), .int(-42)]),
        ("f", .float64, [.double(2.5), .double(-2.5), .double(1e300), .null]),
        ("amount", .decimal(precision: 10, scale: 2), [dec(1250, 2), dec(10, 2), .null, dec(-5, 2)]),
        ("flag", .boolean, [.bool(true), .bool(false), .null, .bool(true)]),
        ("ts", .timestamp(.microsecond, utc: true),
         [.timestamp(micros(jan5, 13, 45), .microsecond, utc: true), .timestamp(micros(-1, 23, 0), .microsecond, utc: true), .null,
          .timestamp(0, .microsecond, utc: true)]),
    ])

    @Test func strictCastFailsWithRowAndNoValue() throws {
        let error = try #require(runtimeError("CAST(s AS int64)", batch))
        #expect(error.code == .castFailed)
        #expect(error.row == 3)
        #expect(error.message == "cannot cast a string value to int64")
        #expect(!error.description.contains("'x'"))
        #expect(runtimeError("CAST(v AS int8)", batch)?.row == 0)
        #expect(runtimeError("CAST(f AS int64)", batch)?.row == 2)
        #expect(runtimeError("CAST('maybe' AS bool)", batch)?.row == 0)
        #expect(runtimeError("CAST(1234 AS decimal(3,1))", batch)?.code == .castFailed)
    }

    @Test func tryCastGivesNull() throws {
        #expect(try run("TRY_CAST(s AS int64)", batch) == [.int(12), .int(-7), .null, .null])
        #expect(try run("TRY_CAST(v AS int8)", batch) == [.null, .int(-128), .int(127), .int(-42)])
        #expect(try run("TRY_CAST(f AS int64)", batch) == [.int(3), .int(-3), .null, .null])
        #expect(try run("TRY_CAST(s AS decimal(3,1))", batch) == [dec(120, 1), dec(-70, 1), .null, .null])
        #expect(try run("TRY_CAST(v AS uint8)", batch) == [.null, .null, .uint(127), .null])
    }

    @Test func conversions() throws {
        let result = try evaluate("CAST(s AS int32)", over: try makeBatch([("s", .string, [.string("12"), .string(" -7 "), .null])]))
        #expect(result.type == .int32)
        #expect(result.values == [.int(12), .int(-7), .null])
        #expect(try run("CAST('1.005' AS decimal(5,2))", batch)[0] == dec(101, 2))
        #expect(try run("CAST('-1.2e2' AS decimal(6,1))", batch)[0] == dec(-1200, 1))
        #expect(try run("CAST(12 AS decimal(3,1))", batch)[0] == dec(120, 1))
        #expect(try run("CAST(amount AS string)", batch) == [.string("12.50"), .string("0.10"), .null, .string("-0.05")])
        #expect(try run("CAST(amount AS int64)", batch) == [.int(13), .int(0), .null, .int(0)])
        #expect(try run("CAST(amount AS float64)", batch) == [.double(12.5), .double(0.1), .null, .double(-0.05)])
        #expect(try run("CAST(amount AS decimal(4,1))", batch) == [dec(125, 1), dec(1, 1), .null, dec(-1, 1)])
        #expect(try run("CAST(v AS string)", batch) == [.string("300"), .string("-128"), .string("127"), .string("-42")])
        #expect(try run("CAST(f AS string)", batch) == [.string("2.5"), .string("-2.5"), .string("1e+300"), .null])
        #expect(try run("CAST(flag AS string)", batch) == [.string("true"), .string("false"), .null, .string("true")])
        #expect(try run("CAST(flag AS int64)", batch) == [.int(1), .int(0), .null, .int(1)])
        #expect(try run("CAST(v AS bool)", batch) == [.bool(true), .bool(true), .bool(true), .bool(true)])
        #expect(try run("CAST('yes' AS bool)", batch)[0] == .bool(true))
        #expect(try run("CAST(' off ' AS boolean)", batch)[0] == .bool(false))
        #expect(try run("CAST(DATE '2025-01-05' AS string)", batch)[0] == .string("2025-01-05"))
        #expect(try run("CAST('2025-01-05' AS date)", batch)[0] == .date(jan5))
        #expect(try run("CAST('2025-01-05T13:00:00+02:00' AS timestamptz)", batch)[0]
            == .timestamp(micros(jan5, 11, 0), .microsecond, utc: true))
        #expect(try run("CAST('2025-01-05 13:00' AS timestamp[ms])", batch)[0]
            == .timestamp(micros(jan5, 13, 0) / 1000, .millisecond, utc: false))
        #expect(try run("CAST(ts AS string)", batch) == [
            .string("2025-01-05T13:45:00.000000Z"), .string("1969-12-31T23:00:00.000000Z"), .null,
            .string("1970-01-01T00:00:00.000000Z"),
        ])
        #expect(try run("CAST(ts AS date)", batch) == [.date(jan5), .date(-1), .null, .date(0)])
        #expect(try run("CAST(ts AS timestamp[ms, UTC])", batch)[1] == .timestamp(micros(-1, 23, 0) / 1000, .millisecond, utc: true))
        #expect(try run("CAST(DATE '2025-01-05' AS timestamp)", batch)[0] == .timestamp(micros(jan5, 0, 0), .microsecond, utc: false))
        #expect(try run("CAST('1.5' AS float64) + CAST('1e3' AS float32)", batch)[0] == .double(1001.5))
        #expect(try run("CAST(CAST('héllo' AS binary) AS string)", batch)[0] == .string("héllo"))
        #expect(try run("CAST(null AS int64)", batch) == [.null, .null, .null, .null])
        #expect(try run("TRY_CAST(CAST(v AS int16) AS int8)", batch) == [.null, .int(-128), .int(127), .int(-42)])
    }

    @Test func calendarParts() throws {
        #expect(try run("year(ts)", batch) == [.int(2025), .int(1969), .null, .int(1970)])
        #expect(try run("month(ts)", batch) == [.int(1), .int(12), .null, .int(1)])
        #expect(try run("day(ts)", batch) == [.int(5), .int(31), .null, .int(1)])
        #expect(try run("hour(ts)", batch) == [.int(13), .int(23), .null, .int(0)])
        #expect(try run("date(ts)", batch) == [.date(jan5), .date(-1), .null, .date(0)])
        let days = try makeBatch([("d", .date, [.date(jan5), .date(19782), .null])])
        #expect(try run("d + 1", days) == [.date(jan5 + 1), .date(19783), .null])
        #expect(try run("2 + d", days) == [.date(jan5 + 2), .date(19784), .null])
        #expect(try run("d - 1", days) == [.date(jan5 - 1), .date(19781), .null])
        #expect(try run("d - DATE '2025-01-01'", days) == [.int(4), .int(-307), .null])
        #expect(try run("year(d) * 100 + month(d)", days) == [.int(202501), .int(202402), .null])
        #expect(try run("day(d)", days) == [.int(5), .int(29), .null])
    }
}
