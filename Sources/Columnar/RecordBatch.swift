/// Equal-length columns under a schema: the unit that flows between readers, transforms and writers.
public struct RecordBatch: Sendable {
    public let schema: Schema
    public let columns: [Column]
    public let rowCount: Int

    public init(schema: Schema, columns: [Column]) throws(ColumnarError) {
        guard schema.fields.count == columns.count else {
            throw ColumnarError(.invalidLayout, "\(columns.count) columns for \(schema.fields.count) fields")
        }
        let rows = columns.first?.count ?? 0
        for (field, column) in zip(schema.fields, columns) {
            guard column.count == rows else {
                throw ColumnarError(.invalidLayout, "column has \(column.count) rows, expected \(rows)", column: field.name)
            }
            guard column.type == field.type else {
                throw ColumnarError(.typeMismatch, "column type \(column.type) differs from field type \(field.type)", column: field.name)
            }
        }
        self.schema = schema
        self.columns = columns
        self.rowCount = rows
    }

    /// A batch with no columns but a row count (a projection of zero columns).
    public init(emptySchemaRows rows: Int) {
        schema = Schema([])
        columns = []
        rowCount = rows
    }

    public func column(named name: String) -> Column? { schema.index(of: name).map { columns[$0] } }

    /// Rows `range` as a new batch (copies).
    public func slice(_ range: Range<Int>) -> RecordBatch {
        if columns.isEmpty { return RecordBatch(emptySchemaRows: range.count) }
        return try! RecordBatch(schema: schema, columns: columns.map { $0.slice(range) })
    }

    /// Row `index` as values in field order (slow path).
    public func row(_ index: Int) -> [Value] { columns.map { $0.value(at: index) } }
}
