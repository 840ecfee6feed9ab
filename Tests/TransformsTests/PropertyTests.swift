import Columnar
import Testing

@testable import Transforms

/// A slow evaluator that interprets the typed plan one row at a time over `Value`s, written
/// independently of the kernels: the column-wise evaluation must agree with it on every row.
/// It covers the operations the generator below produces.
struct ReferenceEvaluator {
    struct Failure: Error { let code: TransformError.Code }

    func evaluate(_ e: TypedExpression, _ row: [Value]) throws -> Value {
        switch e.node {
        case .column(let index, _):
            return row[index]
        case .literal(let value):
            switch value {
            case .null: return .null
            case .boolean(let b): return .bool(b)
            case .int64(let v): return .int(v)
            case .float64(let v): return .double(v)
            case .decimal(let v):
                guard case .decimal(_, let s) = e.type else { return .null }
                return .decimal(v, scale: s)
            case .string(let bytes): return .string(String(decoding: bytes, as: UTF8.self))
            case .date(let d): return .date(Int64(d))
            case .timestamp(let v):
                guard case .timestamp(let unit, let utc) = e.type else { return .null }
                return .timestamp(v, unit, utc: utc)
            }
        case .convert(let x):
            let v = try evaluate(x, row)
            if v == .null { return .null }
            switch (v, e.type) {
            case (.int(let i), .int64): return .int(i)
            case (.int(let i), .float64): return .double(Double(i))
            case (.double(let d), .float64): return .double(d)
            case (.null, _): return .null
            default: throw Failure(code: .overflow)
            }
        case .cast(let x, let isTry):
            let v = try evaluate(x, row)
            if v == .null { return .null }
            if let converted = cast(v, to: e.type) { return converted }
            if isTry { return .null }
            throw Failure(code: .castFailed)
        case .negate(let x):
            switch try evaluate(x, row) {
            case .int(let i):
                guard i != .min else { throw Failure(code: .overflow) }
                return .int(-i)
            case .double(let d): return .double(-d)
            default: return .null
            }
        case .arithmetic(let op, let l, let r):
            let a = try evaluate(l, row)
            let b = try evaluate(r, row)
            switch (a, b) {
            case (.int(let x), .int(let y)):
                let result: (Int64, Bool)
                switch op {
                case .add: result = x.addingReportingOverflow(y)
                case .subtract: result = x.subtractingReportingOverflow(y)
                case .multiply: result = x.multipliedReportingOverflow(by: y)
                case .divide:
                    if y == 0 { return .null }
                    result = x.dividedReportingOverflow(by: y)
                default:
                    if y == 0 { return .null }
                    result = (y == -1 ? 0 : x % y, false)
                }
                if result.1 { throw Failure(code: .overflow) }
                return .int(result.0)
            case (.double(let x), .double(let y)):
                switch op {
                case .add: return .double(x + y)
                case .subtract: return .double(x - y)
                case .multiply: return .double(x * y)
                case .divide: return y == 0 ? .null : .double(x / y)
                default: return y == 0 ? .null : .double(x.truncatingRemainder(dividingBy: y))
                }
            default:
                return .null
            }
        case .compare(let op, let l, let r):
            let a = try evaluate(l, row)
            let b = try evaluate(r, row)
            guard let order = order(a, b) else { return .null }
            return .bool(op.holds(order))
        case .and(let l, let r), .or(let l, let r):
            let isAnd: Bool
            if case .and = e.node { isAnd = true } else { isAnd = false }
            let a = try evaluate(l, row)
            let b = try evaluate(r, row)
            if a == .bool(!isAnd) || b == .bool(!isAnd) { return .bool(!isAnd) }
            if a == .null || b == .null { return .null }
            return .bool(isAnd)
        case .not(let x):
            guard case .bool(let b) = try evaluate(x, row) else { return .null }
            return .bool(!b)
        case .isNull(let x, let negated):
            return .bool((try evaluate(x, row) == .null) != negated)
        case .inList(let subject, let items, let negated):
            let s = try evaluate(subject, row)
            var sawNull = false
            var found = false
            for item in items {
                let v = try evaluate(item, row)
                if let o = order(s, v) { found = found || o == 0 } else { sawNull = true }
            }
            if found { return .bool(!negated) }
            return sawNull ? .null : .bool(negated)
        case .concat(let l, let r):
            let a = try evaluate(l, row)
            let b = try evaluate(r, row)
            guard case .string(let x) = a, case .string(let y) = b else { return .null }
            return .string(x + y)
        case .coalesce(let items):
            for item in items {
                let v = try evaluate(item, row)
                if v != .null { return v }
            }
            return .null
        case .ifThen(let c, let a, let b):
            return try evaluate(try evaluate(c, row) == .bool(true) ? a : b, row)
        case .function(let function, let arguments):
            var values: [Value] = []
            for argument in arguments { values.append(try evaluate(argument, row)) }
            if values.contains(.null) { return .null }
            switch (function, values[0]) {
            case (.lower, .string(let s)): return .string(s.lowercased())
            case (.upper, .string(let s)): return .string(s.uppercased())
            case (.length, .string(let s)): return .int(Int64(s.unicodeScalars.count))
            case (.abs, .int(let i)):
                guard i != .min else { throw Failure(code: .overflow) }
                return .int(Swift.abs(i))
            case (.abs, .double(let d)): return .double(Swift.abs(d))
            case (.round, .double(let d)): return .double(d.rounded(.toNearestOrAwayFromZero))
            case (.floor, .double(let d)): return .double(d.rounded(.down))
            case (.substr, .string(let s)):
                guard case .int(let start) = values[1] else { return .null }
                let chars = Array(s.unicodeScalars)
                var end = Int64.max
                if values.count > 2, case .int(let count) = values[2] {
                    if count < 0 { return .string("") }
                    end = start + count
                }
                let first = max(start, 1)
                guard end > first else { return .string("") }
                let lo = Int(min(first - 1, Int64(chars.count)))
                let hi = Int(min(end - 1, Int64(chars.count)))
                guard lo < hi else { return .string("") }
                var out = String.UnicodeScalarView()
                out.append(contentsOf: chars[lo..<hi])
                return .string(String(out))
            default:
                return .null
            }
        }
    }

    private func order(_ a: Value, _ b: Value) -> Int? {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.double(let x), .double(let y)):
            if x.isNaN || y.isNaN { return x.isNaN && y.isNaN ? 0 : (x.isNaN ? 1 : -1) }
            return x < y ? -1 : (x > y ? 1 : 0)
        case (.string(let x), .string(let y)):
            let (p, q) = (Array(x.utf8), Array(y.utf8))
            return p == q ? 0 : (p.lexicographicallyPrecedes(q) ? -1 : 1)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (!x ? -1 : 1)
        default: return nil
        }
    }

    private func cast(_ v: Value, to type: DataType) -> Value? {
        switch (v, type) {
        case (.int(let i), .string): return .string(String(i))
        case (.int(let i), .float64): return .double(Double(i))
        case (.int(let i), .int8): return Int8(exactly: i).map { .int(Int64($0)) }
        case (.double(let d), .int64): return Int64(exactly: d.rounded(.toNearestOrAwayFromZero)).map { .int($0) }
        case (.bool(let b), .int64): return .int(b ? 1 : 0)
        case (.string(let s), .int64):
            let trimmed = s.trimmingCharacters(in: " \t\r\n")
            return Int64(trimmed).map { .int($0) }
        default: return nil
        }
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var slice = Substring(self)
        while let c = slice.first, set.contains(c) { slice.removeFirst() }
        while let c = slice.last, set.contains(c) { slice.removeLast() }
        return String(slice)
    }
}

/// Random expressions over the columns i (int64), j (int32, small), f (float64), b (bool), s (string).
struct ExpressionGenerator {
    var random: SeededGenerator

    mutating func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
    mutating func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }

    mutating func int(_ depth: Int) -> String {
        if depth == 0 || chance(25) {
            return pick(["i", "j", "i", "j", "0", "1", "-1", "2", "7", "9223372036854775807", "-9223372036854775808", "null"])
        }
        switch random.next() % 14 {
        case 0: return "(\(int(depth - 1)) + \(int(depth - 1)))"
        case 1: return "(\(int(depth - 1)) - \(int(depth - 1)))"
        case 2: return "(\(int(depth - 1)) * \(int(depth - 1)))"
        case 3: return "(\(int(depth - 1)) / \(int(depth - 1)))"
        case 4: return "(\(int(depth - 1)) % \(int(depth - 1)))"
        case 5: return "(-\(int(depth - 1)))"
        case 6: return "abs(\(int(depth - 1)))"
        case 7: return "coalesce(\(int(depth - 1)), \(int(depth - 1)))"
        case 8: return "if(\(bool(depth - 1)), \(int(depth - 1)), \(int(depth - 1)))"
        case 9: return "length(\(string(depth - 1)))"
        case 10: return pick(["CAST", "TRY_CAST"]) + "(\(string(depth - 1)) AS int64)"
        case 11: return "TRY_CAST(\(float(depth - 1)) AS int64)"
        case 12: return "CAST(\(bool(depth - 1)) AS int64)"
        default: return "TRY_CAST(\(int(depth - 1)) AS int8)"
        }
    }

    mutating func float(_ depth: Int) -> String {
        if depth == 0 || chance(25) { return pick(["f", "f", "1.5e0", "0e0", "-2.5e0", "1e300"]) }
        switch random.next() % 9 {
        case 0: return "(\(float(depth - 1)) + \(pick([float(depth - 1), int(depth - 1)])))"
        case 1: return "(\(int(depth - 1)) - \(float(depth - 1)))"
        case 2: return "(\(float(depth - 1)) * \(float(depth - 1)))"
        case 3: return "(\(float(depth - 1)) / \(pick([float(depth - 1), int(depth - 1)])))"
        case 4: return "(\(float(depth - 1)) % \(float(depth - 1)))"
        case 5: return "CAST(\(int(depth - 1)) AS float64)"
        case 6: return pick(["round", "floor", "abs"]) + "(\(float(depth - 1)))"
        case 7: return "coalesce(\(float(depth - 1)), \(float(depth - 1)))"
        default: return "(-\(float(depth - 1)))"
        }
    }

    mutating func bool(_ depth: Int) -> String {
        if depth == 0 || chance(20) { return pick(["b", "b", "true", "false", "null"]) }
        let comparison = pick(["=", "!=", "<", "<=", ">", ">="])
        switch random.next() % 11 {
        case 0: return "(\(int(depth - 1)) \(comparison) \(int(depth - 1)))"
        case 1: return "(\(float(depth - 1)) \(comparison) \(pick([float(depth - 1), int(depth - 1)])))"
        case 2: return "(\(string(depth - 1)) \(comparison) \(string(depth - 1)))"
        case 3: return "(\(bool(depth - 1)) AND \(bool(depth - 1)))"
        case 4: return "(\(bool(depth - 1)) OR \(bool(depth - 1)))"
        case 5: return "(NOT \(bool(depth - 1)))"
        case 6: return "(\(pick([int(depth - 1), string(depth - 1)])) IS \(pick(["", "NOT "]))NULL)"
        case 7: return "(\(int(depth - 1)) \(pick(["", "NOT "]))IN (\(int(depth - 1)), \(int(0)), \(int(0))))"
        case 8: return "(\(string(depth - 1)) IN ('a', \(string(0))))"
        case 9: return "(\(bool(depth - 1)) = \(bool(depth - 1)))"
        default: return "coalesce(\(bool(depth - 1)), \(bool(depth - 1)))"
        }
    }

    mutating func string(_ depth: Int) -> String {
        if depth == 0 || chance(25) { return pick(["s", "s", "'x'", "'É'", "''", "null"]) }
        switch random.next() % 8 {
        case 0: return "lower(\(string(depth - 1)))"
        case 1: return "upper(\(string(depth - 1)))"
        case 2: return "(\(string(depth - 1)) || \(string(depth - 1)))"
        case 3: return "substr(\(string(depth - 1)), \(pick(["j", "0", "1", "2", "-1"])), \(pick(["j", "0", "2", "5", "-1"])))"
        case 4: return "substr(\(string(depth - 1)), \(pick(["j", "2", "-3"])))"
        case 5: return "CAST(\(int(depth - 1)) AS string)"
        case 6: return "coalesce(\(string(depth - 1)), \(string(depth - 1)))"
        default: return "if(\(bool(depth - 1)), \(string(depth - 1)), \(string(depth - 1)))"
        }
    }
}

@Suite struct PropertyTests {
    func randomBatch(_ random: inout SeededGenerator, rows: Int) throws -> RecordBatch {
        func pick<T>(_ items: [T], _ random: inout SeededGenerator) -> T { items[Int(random.next() % UInt64(items.count))] }
        func isNull(_ random: inout SeededGenerator) -> Bool { random.next() % 100 < 15 }
        var i: [Value] = [], j: [Value] = [], f: [Value] = [], b: [Value] = [], s: [Value] = []
        for _ in 0..<rows {
            let small = Int64(random.next() % 1000) - 500
            i.append(isNull(&random) ? .null : .int(pick([0, 1, -1, 2, 3, 10, -7, 1 << 32, .max, .min, .max - 1, small], &random)))
            j.append(isNull(&random) ? .null : .int(Int64(random.next() % 14) - 3))
            let eighths = Double(random.next() % 100) / 8
            f.append(isNull(&random) ? .null : .double(pick([0, -0.0, 1.5, -2.5, 0.1, 1e300, -1e300, .nan, .infinity, eighths], &random)))
            b.append(isNull(&random) ? .null : .bool(random.next() % 2 == 0))
            s.append(isNull(&random) ? .null : .string(pick(["", "a", "B", "héllo", "Éa", "12", " -3 ", "x y", "ß", "9223372036854775808", "a"], &random)))
        }
        return try makeBatch([("i", .int64, i), ("j", .int32, j), ("f", .float64, f), ("b", .boolean, b), ("s", .string, s)])
    }

    static func same(_ a: Value, _ b: Value) -> Bool {
        if case .double(let x) = a, case .double(let y) = b { return x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN) }
        return a == b
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func columnWiseMatchesTheReference(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        var generator = ExpressionGenerator(random: SeededGenerator(seed: seed &* 7919))
        let reference = ReferenceEvaluator()
        var errors = 0
        for round in 0..<60 {
            let batch = try randomBatch(&random, rows: Int(random.next() % 40) + 1)
            let text: String
            switch round % 4 {
            case 0: text = generator.int(4)
            case 1: text = generator.float(4)
            case 2: text = generator.bool(4)
            default: text = generator.string(4)
            }
            let parsed = try ParsedExpression(parsing: text)
            let typed = try TypeChecker(schema: batch.schema).check(parsed.root)
            var expected: [Value] = []
            var expectedFailure: ReferenceEvaluator.Failure?
            for row in 0..<batch.rowCount {
                do {
                    expected.append(try reference.evaluate(typed, batch.row(row)))
                } catch let failure as ReferenceEvaluator.Failure {
                    expectedFailure = failure
                    break
                }
            }
            let evaluator = Evaluator(columns: batch.columns, rows: batch.rowCount, target: "out")
            do {
                let column = try evaluator.evaluate(typed, active: nil).materialized(count: batch.rowCount)
                try column.validate()
                #expect(expectedFailure == nil, "seed \(seed): \(text) should fail")
                guard expectedFailure == nil else { continue }
                #expect(column.type == typed.type)
                for row in 0..<batch.rowCount where !Self.same(column.value(at: row), expected[row]) {
                    Issue.record("seed \(seed) row \(row): \(text) = \(column.value(at: row)), reference \(expected[row]); row \(batch.row(row))")
                    break
                }
            } catch let error as TransformError {
                errors += 1
                #expect(expectedFailure != nil, "seed \(seed): \(text) failed: \(error)")
            }
        }
        // Most expressions evaluate; some overflow or fail a strict cast, and both sides must agree on which.
        #expect(errors < 30, "seed \(seed): \(errors) of 60 expressions failed")
    }
}

/// Random expressions over decimals, dates and timestamps, for the slice property below.
struct CalendarDecimalGenerator {
    var random: SeededGenerator

    mutating func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }

    mutating func decimal(_ depth: Int) -> String {
        if depth <= 0 || random.next() % 4 == 0 { return pick(["d", "d", "1.50", "-0.05", "0.00", "d"]) }
        switch random.next() % 11 {
        case 0: return "(\(decimal(depth - 1)) + \(decimal(depth - 1)))"
        case 1: return "(\(decimal(depth - 1)) - \(pick(["j", "3", decimal(depth - 1)])))"
        case 2: return "(\(decimal(depth - 1)) * \(pick(["2", "d", "0.5"])))"
        case 3: return "(\(decimal(depth - 1)) / \(pick(["d", "3", "0.07", "j"])))"
        case 4: return "(\(decimal(depth - 1)) % \(pick(["d", "0.3", "j"])))"
        case 5: return "round(\(decimal(depth - 1)), \(pick(["0", "1", "-1"])))"
        case 6: return pick(["floor", "ceil", "abs"]) + "(\(decimal(depth - 1)))"
        case 7: return "coalesce(\(decimal(depth - 1)), 0)"
        case 8: return "if(\(bool(depth - 1)), \(decimal(depth - 1)), 1.5)"
        case 9: return "TRY_CAST(\(string(depth - 1)) AS decimal(9,2))"
        default: return "(-\(decimal(depth - 1)))"
        }
    }

    mutating func date(_ depth: Int) -> String {
        if depth <= 0 || random.next() % 3 == 0 { return pick(["day", "DATE '2025-01-05'", "date(ts)"]) }
        return pick(["(\(date(depth - 1)) + j)", "(\(date(depth - 1)) - 1)", "TRY_CAST(\(string(depth - 1)) AS date)"])
    }

    mutating func bool(_ depth: Int) -> String {
        if depth <= 0 { return "(d IS NULL)" }
        switch random.next() % 6 {
        case 0: return "(\(decimal(depth - 1)) > \(decimal(depth - 1)))"
        case 1: return "(\(date(depth - 1)) <= '2025-01-01')"
        case 2: return "(ts > day)"
        case 3: return "(\(decimal(depth - 1)) IN (1.50, d, null))"
        case 4: return "(hour(ts) \(pick(["=", "<", ">="])) 12)"
        default: return "(\(date(depth - 1)) IS NULL)"
        }
    }

    mutating func string(_ depth: Int) -> String {
        if depth <= 0 { return pick(["s", "'12.345'", "'2024-02-29'"]) }
        return pick([
            "CAST(\(decimal(depth - 1)) AS string)", "CAST(\(date(depth - 1)) AS string)", "CAST(ts AS string)",
            "CAST(CAST(ts AS timestamp[ms, UTC]) AS string)", "s",
        ])
    }

    mutating func any(_ depth: Int) -> String {
        switch random.next() % 6 {
        case 0, 1: return decimal(depth)
        case 2: return date(depth)
        case 3: return bool(depth)
        case 4: return string(depth)
        default: return pick(["year(ts)", "(day - DATE '2024-12-31')", "month(\(date(depth - 1)))", "day(ts)", "CAST(d AS int32)"])
        }
    }
}

extension PropertyTests {
    /// Evaluating a whole batch must give, row by row, what evaluating each row alone gives
    /// (constants broadcast against columns, nulls, errors reported for the rows that have them).
    @Test(arguments: [UInt64(11), 12, 13, 14])
    func wholeBatchMatchesRowByRow(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        var generator = CalendarDecimalGenerator(random: SeededGenerator(seed: seed &* 104_729))
        var evaluated = 0
        for _ in 0..<40 {
            var d: [Value] = [], day: [Value] = [], ts: [Value] = [], j: [Value] = [], s: [Value] = []
            let rows = Int(random.next() % 30) + 1
            for _ in 0..<rows {
                let isNull = random.next() % 100 < 15
                d.append(isNull ? .null : .decimal(Int128(Int64(random.next() % 2_000_001) - 1_000_000), scale: 2))
                day.append(random.next() % 100 < 10 ? .null : .date(Int64(random.next() % 40_000) - 10_000))
                let micros = Int64(bitPattern: random.next() % 4_000_000_000_000_000) - 1_000_000_000_000_000
                ts.append(random.next() % 100 < 10 ? .null : .timestamp(micros, .microsecond, utc: true))
                j.append(random.next() % 100 < 10 ? .null : .int(Int64(random.next() % 9) - 4))
                s.append(.string(["12.5", "x", "2025-03-01", " -0.004 ", "99999999.999"][Int(random.next() % 5)]))
            }
            let batch = try makeBatch([
                ("d", .decimal(precision: 9, scale: 2), d), ("day", .date, day), ("ts", .timestamp(.microsecond, utc: true), ts),
                ("j", .int64, j), ("s", .string, s),
            ])
            let text = generator.any(3)
            let compiled = try TransformPipeline([try .parseDerive(column: "out", expression: text)]).compile(for: batch.schema)
            let whole = Result { try compiled.apply(batch) }
            var singles: [Result<RecordBatch, any Error>] = []
            for row in 0..<rows { singles.append(Result { try compiled.apply(batch.slice(row..<(row + 1))) }) }
            switch whole {
            case .success(let output):
                evaluated += 1
                let column = try #require(output.column(named: "out"))
                try column.validate()
                for (row, single) in singles.enumerated() {
                    let one = try single.get().column(named: "out")
                    #expect(one.map { ReferenceCheck.same($0.value(at: 0), column.value(at: row)) } == true, "seed \(seed) row \(row): \(text)")
                }
            case .failure:
                #expect(singles.contains { if case .failure = $0 { true } else { false } }, "seed \(seed): \(text) failed as a batch only")
            }
        }
        #expect(evaluated > 20, "seed \(seed): only \(evaluated) of 40 evaluated")
    }
}

enum ReferenceCheck {
    static func same(_ a: Value, _ b: Value) -> Bool { PropertyTests.same(a, b) }
}
