import LakegateCore
public import Columnar

// Transforms: a table's steps (derive, rename, cast, drop, filter) over typed column
// expressions, checked before any data flows and evaluated a whole column at a time.
//   Syntax/      lexer and parser: text -> `Expression` with offsets (no schema needed)
//   Checking/    `TypeChecker`: expression + schema -> `TypedExpression` (types, implicit
//                conversions, decimal rules, every type error with its offset)
//   Evaluation/  `Evaluator` and its kernels over Columnar buffers: arithmetic, comparisons and
//                three-valued logic, casts, strings, calendar parts, coalesce/if with per-branch
//                rows, row selection; text parsing and formatting without per-value Strings
//   Steps/       `TransformStep`, `TransformPipeline.compile(for:)` -> `CompiledTransform.apply`
// Pure: no I/O, no clock, no randomness (a retried job must write the same rows).

/// A table's transforms: steps parsed (syntax checked) without knowing the data. Compiling
/// against the input schema checks names and types and fixes the output schema; the compiled
/// form then applies to every batch of that schema.
public struct TransformPipeline: Sendable, Hashable {
    public var steps: [TransformStep]

    public init(_ steps: [TransformStep] = []) { self.steps = steps }

    public var isEmpty: Bool { steps.isEmpty }

    /// Checks every step against `input` (as the previous steps leave it). Errors carry the
    /// step index, the expression and the offset in it.
    public func compile(for input: Schema) throws(TransformError) -> CompiledTransform {
        var fields = input.fields
        var operations: [CompiledTransform.Operation] = []
        for (index, step) in steps.enumerated() {
            do throws(TransformError) {
                try compile(step, index: index, fields: &fields, operations: &operations)
            } catch {
                throw error.at(step: index, expression: step.expressionText)
            }
        }
        return CompiledTransform(
            inputSchema: input, outputSchema: Schema(fields, metadata: input.metadata), operations: operations)
    }

    private func compile(
        _ step: TransformStep, index: Int, fields: inout [Field], operations: inout [CompiledTransform.Operation]
    ) throws(TransformError) {
        func position(of column: String) throws(TransformError) -> Int {
            guard let position = fields.firstIndex(where: { $0.name == column }) else {
                var message = "unknown column '\(column)'"
                if let hint = Spelling.closest(to: column, among: fields.map(\.name)) { message += " (did you mean '\(hint)'?)" }
                throw TransformError(.unknownColumn, message)
            }
            return position
        }
        switch step {
        case .derive(let column, let expression):
            let typed = try TypeChecker(schema: Schema(fields)).check(expression.root)
            let field = Field(column, typed.type)
            if let existing = fields.firstIndex(where: { $0.name == column }) {
                fields[existing] = field
                operations.append(.evaluate(typed, step: index, text: expression.text, column: column, replacing: existing))
            } else {
                fields.append(field)
                operations.append(.evaluate(typed, step: index, text: expression.text, column: column, replacing: nil))
            }
        case .rename(let from, let to):
            let at = try position(of: from)
            if from != to, fields.contains(where: { $0.name == to }) {
                throw TransformError(.invalidStep, "cannot rename '\(from)' to '\(to)': a column '\(to)' exists")
            }
            fields[at].name = to
        case .cast(let column, let type):
            let at = try position(of: column)
            let reference = Expression(.column(column), offset: 0)
            let typed = try TypeChecker(schema: Schema(fields)).check(
                Expression(.cast(reference, type, isTry: false), offset: 0))
            fields[at].type = typed.type
            operations.append(.evaluate(typed, step: index, text: nil, column: column, replacing: at))
        case .drop(let columns):
            var positions: [Int] = []
            for column in columns { positions.append(try position(of: column)) }
            let unique = Set(positions)
            guard unique.count < fields.count else {
                throw TransformError(.invalidStep, "drop would remove every column")
            }
            for at in unique.sorted(by: >) { fields.remove(at: at) }
            operations.append(.remove(unique.sorted(by: >)))
        case .filter(let predicate):
            let typed = try TypeChecker(schema: Schema(fields)).check(predicate.root)
            guard typed.type == .boolean || typed.type == .null else {
                throw TransformError(
                    .typeMismatch, "a filter needs a boolean expression, not \(name(typed.type))", offset: predicate.root.offset)
            }
            operations.append(.filter(typed, step: index, text: predicate.text))
        }
    }
}

extension TransformStep {
    var expressionText: String? {
        switch self {
        case .derive(_, let expression), .filter(let expression): expression.text
        default: nil
        }
    }
}

/// A pipeline checked against one input schema. Columns that no step touches pass through
/// without being copied; a filter copies the surviving rows of every column once.
public struct CompiledTransform: Sendable {
    enum Operation: Sendable {
        /// `text` is the expression as written (nil for a cast step), for errors.
        case evaluate(TypedExpression, step: Int, text: String?, column: String, replacing: Int?)
        /// Column positions, highest first.
        case remove([Int])
        case filter(TypedExpression, step: Int, text: String)
    }

    public let inputSchema: Schema
    public let outputSchema: Schema
    let operations: [Operation]

    /// Whether `apply` returns every batch unchanged (no steps).
    public var isIdentity: Bool { operations.isEmpty && inputSchema == outputSchema }

    /// Runs the steps over one batch. A run-time error (overflow, a strict cast that fails)
    /// carries the step, the row index in `batch` and the column being computed.
    static func buffersFit(_ column: Column) -> Bool {
        if let validity = column.validity, validity.bytes.count * 8 < column.count || validity.count < column.count { return false }
        if let width = column.type.byteWidth { return column.values.count >= column.count * width }
        if column.type.isVariableLength {
            guard column.offsets.count == column.count + 1, let first = column.offsets.first, let last = column.offsets.last else {
                return false
            }
            return first >= 0 && first <= last && Int(last) <= column.values.count
        }
        return true
    }

    public func apply(_ batch: RecordBatch) throws(TransformError) -> RecordBatch {
        guard batch.schema.fields.count == inputSchema.fields.count,
            zip(batch.schema.fields, inputSchema.fields).allSatisfy({ $0.name == $1.name && $0.type == $1.type })
        else {
            throw TransformError(.schemaMismatch, "the batch's schema differs from the one the transforms were compiled for")
        }
        if isIdentity { return batch }
        // Kernels read buffers without bounds checks: make sure each one is as long as its
        // type and row count say (cheap; the order of string offsets is the decoders' promise).
        for (field, column) in zip(batch.schema.fields, batch.columns) where !Self.buffersFit(column) {
            throw TransformError(.schemaMismatch, "column '\(field.name)' has buffers too short for its rows", column: field.name)
        }
        var columns = batch.columns
        var rows = batch.rowCount
        for operation in operations {
            switch operation {
            case .evaluate(let expression, let step, let text, let column, let replacing):
                let result: Column
                if rows == 0 {
                    result = emptyColumn(expression.type)
                } else {
                    let evaluator = Evaluator(columns: columns, rows: rows, target: column)
                    do throws(TransformError) {
                        result = try evaluator.evaluate(expression, active: nil).materialized(count: rows)
                    } catch {
                        throw error.at(step: step, expression: text)
                    }
                }
                if let replacing { columns[replacing] = result } else { columns.append(result) }
            case .remove(let positions):
                for at in positions { columns.remove(at: at) }
            case .filter(let predicate, let step, let text):
                guard rows > 0 else { continue }
                let evaluator = Evaluator(columns: columns, rows: rows, target: nil)
                let selected: [Int32]?
                do throws(TransformError) {
                    selected = selectedRows(try evaluator.evaluate(predicate, active: nil), rows: rows)
                } catch {
                    throw error.at(step: step, expression: text)
                }
                guard let selected else { continue }  // every row stays
                columns = columns.map { gather($0, selected) }
                rows = selected.count
            }
        }
        if columns.isEmpty { return RecordBatch(emptySchemaRows: rows) }
        do {
            return try RecordBatch(schema: outputSchema, columns: columns)
        } catch {
            throw TransformError(.schemaMismatch, "transform produced an inconsistent batch: \(error.message)")
        }
    }
}
