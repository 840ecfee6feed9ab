import Columnar
import Testing

@testable import Transforms

/// A batch from columns of values (the slow, readable form).
func makeBatch(_ columns: [(String, DataType, [Value])]) throws -> RecordBatch {
    var built: [Column] = []
    for (_, type, values) in columns {
        let builder = ColumnBuilder(type: type)
        for value in values { try builder.append(value) }
        built.append(builder.finish())
    }
    return try RecordBatch(schema: Schema(columns.map { Field($0.0, $0.1) }), columns: built)
}

/// The values of `expression` derived over `batch` (as column `out`), and its type.
func evaluate(_ expression: String, over batch: RecordBatch) throws -> (type: DataType, values: [Value]) {
    let pipeline = TransformPipeline([try .parseDerive(column: "out", expression: expression)])
    let compiled = try pipeline.compile(for: batch.schema)
    let output = try compiled.apply(batch)
    let column = try #require(output.column(named: "out"))
    try column.validate()
    #expect(column.count == batch.rowCount)
    return (column.type, (0..<column.count).map { column.value(at: $0) })
}

/// The error `body` throws, or nil.
func transformError(_ body: () throws -> Void) -> TransformError? {
    do {
        try body()
        return nil
    } catch let error as TransformError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

/// The error compiling `expression` (as a derive over `schema`) throws.
func checkError(_ expression: String, _ schema: Schema) -> TransformError? {
    transformError {
        _ = try TransformPipeline([try .parseDerive(column: "out", expression: expression)]).compile(for: schema)
    }
}

/// Decimal value `text` at `scale` (`dec("1.50", 2)`).
func dec(_ unscaled: Int128, _ scale: Int) -> Value { .decimal(unscaled, scale: scale) }

/// SplitMix64: a small seeded generator, so a failing property run can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
