/// The one error type of the Columnar module: a column or batch whose parts do not fit together.
public struct ColumnarError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// Buffers whose sizes do not match the type and length.
        case invalidLayout
        /// A value of the wrong type for a column.
        case typeMismatch
        /// A batch or column grew past what its offsets can address.
        case capacityExceeded
    }

    public var code: Code
    public var message: String
    public var column: String?

    public init(_ code: Code, _ message: String, column: String? = nil) {
        self.code = code
        self.message = message
        self.column = column
    }

    public var description: String {
        "columnar \(code.rawValue): \(message)" + (column.map { " (column \($0))" } ?? "")
    }
}
