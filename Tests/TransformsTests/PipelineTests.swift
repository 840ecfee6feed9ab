import Columnar
import Testing

@testable import Transforms

/// Whether two arrays share one buffer (a column passed through without a copy).
private func sameBuffer<T>(_ a: [T], _ b: [T]) -> Bool {
    a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in x.baseAddress == y.baseAddress } }
}

@Suite struct PipelineTests {
    @Test func metricIsValueTimesFiveOnInt64AndFloat64() throws {
        let pipeline = TransformPipeline([try .parseDerive(column: "metric", expression: "value * 5")])
        let ints = try makeBatch([("id", .string, [.string("a"), .string("b"), .string("c")]),
                                  ("value", .int64, [.int(1), .null, .int(-4)])])
        let compiledInts = try pipeline.compile(for: ints.schema)
        #expect(compiledInts.outputSchema.fields.map(\.name) == ["id", "value", "metric"])
        #expect(compiledInts.outputSchema["metric"]?.type == .int64)
        let outInts = try compiledInts.apply(ints)
        #expect(outInts.rowCount == 3)
        #expect((0..<3).map { outInts.columns[2].value(at: $0) } == [.int(5), .null, .int(-20)])
        #expect(sameBuffer(outInts.columns[0].values, ints.columns[0].values))
        #expect(sameBuffer(outInts.columns[1].values, ints.columns[1].values))

        let floats = try makeBatch([("value", .float64, [.double(1.5), .double(-0.2), .null])])
        let compiledFloats = try pipeline.compile(for: floats.schema)
        #expect(compiledFloats.outputSchema["metric"]?.type == .float64)
        let outFloats = try compiledFloats.apply(floats)
        #expect((0..<3).map { outFloats.columns[1].value(at: $0) } == [.double(7.5), .double(-0.2 * 5), .null])
    }

    @Test func theExampleTableTransforms() throws {
        let pipeline = TransformPipeline([
            try .parseDerive(column: "metric", expression: "value * 5"),
            try .parseRename(from: "old_name", to: "new_name"),
            try .parseCast(column: "amount", type: "decimal(18,2)"),
            try .parseDrop(["debug"]),
            try .parseFilter("status != 'test'"),
        ])
        let batch = try makeBatch([
            ("value", .int64, [.int(1), .int(2), .int(3), .int(4)]),
            ("old_name", .string, [.string("w"), .string("x"), .string("y"), .string("z")]),
            ("amount", .string, [.string("1.5"), .string("2"), .string("-0.125"), .null]),
            ("debug", .boolean, [.bool(true), .bool(false), .bool(true), .bool(false)]),
            ("status", .string, [.string("ok"), .string("test"), .null, .string("late")]),
        ])
        let compiled = try pipeline.compile(for: batch.schema)
        #expect(compiled.outputSchema.fields.map(\.name) == ["value", "new_name", "amount", "status", "metric"])
        #expect(compiled.outputSchema["amount"]?.type == .decimal(precision: 18, scale: 2))
        let out = try compiled.apply(batch)
        // 'test' goes, and so does the null status (a null predicate is not true).
        #expect(out.rowCount == 2)
        #expect(out.row(0) == [.int(1), .string("w"), dec(150, 2), .string("ok"), .int(5)])
        #expect(out.row(1) == [.int(4), .string("z"), .null, .string("late"), .int(20)])
        for column in out.columns { try column.validate() }
    }

    @Test func filtersKeepNoneAllOrSome() throws {
        let batch = try makeBatch([
            ("n", .int64, [.int(1), .int(2), .int(3), .null]),
            ("s", .string, [.string("a"), .null, .string("ccc"), .string("dd")]),
            ("tags", .list(Field("element", .int32)), [.list([.int(1)]), .null, .list([]), .list([.int(2), .null])]),
            ("d", .decimal(precision: 5, scale: 1), [dec(1, 1), dec(2, 1), .null, dec(4, 1)]),
        ])
        func filtered(_ predicate: String) throws -> RecordBatch {
            try TransformPipeline([try .parseFilter(predicate)]).compile(for: batch.schema).apply(batch)
        }
        let none = try filtered("n > 100")
        #expect(none.rowCount == 0)
        #expect(none.schema == batch.schema)
        for column in none.columns { try column.validate() }

        let all = try filtered("n > 0 OR n IS NULL")
        #expect(all.rowCount == 4)
        for (a, b) in zip(all.columns, batch.columns) { #expect(sameBuffer(a.values, b.values)) }

        let some = try filtered("n = 2 OR s = 'dd'")
        #expect(some.rowCount == 2)
        #expect(some.row(0) == [.int(2), .null, .null, dec(2, 1)])
        #expect(some.row(1) == [.null, .string("dd"), .list([.int(2), .null]), dec(4, 1)])
        for column in some.columns { try column.validate() }

        #expect(try filtered("true").rowCount == 4)
        #expect(try filtered("false").rowCount == 0)
        #expect(try filtered("null").rowCount == 0)
        let last = try filtered("tags IS NOT NULL AND n IS NULL")
        #expect(last.rowCount == 1)
        #expect(last.row(0) == [.null, .string("dd"), .list([.int(2), .null]), dec(4, 1)])
    }

    @Test func runtimeErrorsCarryStepRowAndColumn() throws {
        let batch = try makeBatch([("s", .string, [.string("1"), .string("2"), .string("three")]), ("x", .int64, [.int(1), .int(2), .int(3)])])
        let pipeline = TransformPipeline([
            try .parseDerive(column: "y", expression: "x + 1"),
            try .parseCast(column: "s", type: "int64"),
        ])
        let compiled = try pipeline.compile(for: batch.schema)
        let error = try #require(transformError { _ = try compiled.apply(batch) })
        #expect(error.code == .castFailed)
        #expect(error.stepIndex == 1)
        #expect(error.row == 2)
        #expect(error.column == "s")
        #expect(error.expression == nil)
        #expect(error.description == "transform step 1: cannot cast a string value to int64 (row 2, column s)")
        #expect(!error.isRetryable)
        // Rows are those of the batch the step sees: after a filter, of the filtered batch.
        let afterFilter = try TransformPipeline([
            try .parseFilter("x > 1"), try .parseDerive(column: "n", expression: "CAST(s AS int64)"),
        ]).compile(for: batch.schema)
        #expect(transformError { _ = try afterFilter.apply(batch) }?.row == 1)
    }

    @Test func applyChecksTheSchema() throws {
        let compiled = try TransformPipeline([try .parseDerive(column: "y", expression: "x + 1")])
            .compile(for: Schema([Field("x", .int64)]))
        let other = try makeBatch([("x", .int32, [.int(1)])])
        #expect(transformError { _ = try compiled.apply(other) }?.code == .schemaMismatch)
        // Buffers shorter than the rows they claim are refused before any kernel reads them.
        let short = try RecordBatch(
            schema: Schema([Field("x", .int64)]), columns: [Column(unchecked: .int64, count: 3, values: [UInt8](repeating: 0, count: 16))])
        #expect(transformError { _ = try compiled.apply(short) }?.code == .schemaMismatch)
        let empty = try makeBatch([("x", .int64, [])])
        let out = try compiled.apply(empty)
        #expect(out.rowCount == 0)
        #expect(out.schema.fields.map(\.name) == ["x", "y"])
        for column in out.columns { try column.validate() }
    }

    @Test func stepsSeeEachOther() throws {
        let batch = try makeBatch([("a", .int64, [.int(1), .int(2), .int(3)]), ("b", .string, [.string("x"), .string("y"), .string("z")])])
        let pipeline = TransformPipeline([
            try .parseDerive(column: "a", expression: "a * 10"),  // replaces in place
            try .parseRename(from: "b", to: "label"),
            try .parseDerive(column: "c", expression: "label || CAST(a AS string)"),
            try .parseFilter("a >= 20"),
            try .parseDrop(["label"]),
            try .parseCast(column: "a", type: "float32"),
        ])
        let compiled = try pipeline.compile(for: batch.schema)
        #expect(compiled.outputSchema == Schema([Field("a", .float32), Field("c", .string)]))
        let out = try compiled.apply(batch)
        #expect(out.rowCount == 2)
        #expect(out.row(0) == [.double(20), .string("y20")])
        #expect(out.row(1) == [.double(30), .string("z30")])
        #expect(try TransformPipeline().compile(for: batch.schema).isIdentity)
        #expect(try TransformPipeline([.rename(from: "b", to: "b")]).compile(for: batch.schema).apply(batch).rowCount == 3)
    }

    @Test func derivedNullAndConstantColumns() throws {
        let batch = try makeBatch([("a", .int64, [.int(1), .int(2)])])
        let out = try TransformPipeline([
            try .parseDerive(column: "nothing", expression: "null"),
            try .parseDerive(column: "k", expression: "'const'"),
            try .parseDerive(column: "copy", expression: "a"),
        ]).compile(for: batch.schema).apply(batch)
        #expect(out.schema["nothing"]?.type == .null)
        #expect(out.row(1) == [.int(2), .null, .string("const"), .int(2)])
        #expect(sameBuffer(out.columns[3].values, batch.columns[0].values))
        for column in out.columns { try column.validate() }
    }
}
