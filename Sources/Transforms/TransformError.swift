/// The one error type of the Transforms module. A configuration error (syntax, types, unknown
/// columns) carries the step, the expression's text and the offset in it; a run-time error
/// (overflow, a strict CAST that fails) carries the row index in the batch and the column being
/// computed. The description holds the expression as configured but never a row's values.
public struct TransformError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The text is not an expression (or not a type name).
        case syntax
        /// Operands or arguments of types the operation does not accept.
        case typeMismatch
        /// A column that the input schema (after the previous steps) does not have.
        case unknownColumn
        /// A function that does not exist or is not offered (`now()`).
        case unknownFunction
        /// A step that cannot apply: renaming onto an existing column, dropping every column, …
        case invalidStep
        /// Integer or decimal arithmetic (or a conversion) went out of its type's range at run time.
        case overflow
        /// A strict CAST (or a `cast` step) met a value it cannot convert.
        case castFailed
        /// `apply` got a batch whose schema differs from the one the transform was compiled for.
        case schemaMismatch
        /// Expression longer or deeper than allowed, or a result column past 2 GiB.
        case limitExceeded
    }

    public var code: Code
    public var message: String
    /// Index of the step in its pipeline.
    public var stepIndex: Int?
    /// The expression as written (for `derive` and `filter`).
    public var expression: String?
    /// Offset in `expression`, in characters (Unicode scalars) from 0.
    public var offset: Int?
    /// Row index in the batch, for run-time errors.
    public var row: Int?
    /// The column being computed (or cast), for run-time errors.
    public var column: String?

    public init(
        _ code: Code, _ message: String, stepIndex: Int? = nil, expression: String? = nil, offset: Int? = nil,
        row: Int? = nil, column: String? = nil
    ) {
        self.code = code
        self.message = message
        self.stepIndex = stepIndex
        self.expression = expression
        self.offset = offset
        self.row = row
        self.column = column
    }

    /// Transforms are deterministic: the same batch fails the same way again.
    public var isRetryable: Bool { false }

    /// `transform step 1: `value * 'x'`: cannot multiply int64 by string at offset 8`.
    public var description: String {
        var text = ""
        if let stepIndex { text += "transform step \(stepIndex): " }
        if let expression { text += "`\(Self.excerpt(expression))`: " }
        text += message
        if let offset { text += " at offset \(offset)" }
        switch (row, column) {
        case (let row?, let column?): text += " (row \(row), column \(column))"
        case (let row?, nil): text += " (row \(row))"
        case (nil, let column?): text += " (column \(column))"
        case (nil, nil): break
        }
        return text
    }

    /// The message with its offset but without the step and expression: what a configuration
    /// error that already names the key shows.
    public var shortDescription: String {
        offset.map { "\(message) at offset \($0)" } ?? message
    }

    func at(step: Int, expression: String?) -> TransformError {
        var copy = self
        copy.stepIndex = step
        if copy.expression == nil { copy.expression = expression }
        return copy
    }

    static func excerpt(_ text: String) -> String {
        let limit = 200
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + "…"
    }
}
