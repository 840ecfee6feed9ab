import ArgumentParser
import Columnar
import FileFormats
import LakegateCore
import Parquet
import Tables

struct TablesScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Print a table's rows as JSON lines or CSV.",
        discussion: """
            --where 'column op literal' (op: = != < <= > >=) skips files by partition values and \
            statistics, then filters rows. Values are spelled as `lakegate parquet cat` spells them.
            """)

    @OptionGroup var lake: LakeArguments
    @OptionGroup var target: TableArgument

    @Option(help: ArgumentHelp("Columns to print, comma-separated (default: all).", valueName: "a,b"))
    var columns: String?

    @Option(name: .customLong("where"), help: ArgumentHelp("A filter: 'column op literal'.", valueName: "filter"))
    var filter: String?

    @Option(help: "Print at most this many rows.")
    var limit: Int?

    @Option(help: "jsonl or csv.")
    var format = "jsonl"

    func validate() throws {
        guard format == "jsonl" || format == "csv" else { throw ValidationError("--format is jsonl or csv") }
        if let limit, limit < 0 { throw ValidationError("--limit is not negative") }
    }

    func run() async throws {
        try await lake.withCatalog { catalog, store in
            let table = try target.identifier()
            let parsedFilter = try filter.map { try ScanFilter(parsing: $0) }
            let plan = try await catalog.plan(table, filter: parsedFilter)
            let wanted = columns.map { $0.split(separator: ",").map { String($0).trimmed } } ?? plan.schema.fields.map(\.name)
            for name in wanted where plan.schema[name] == nil { throw CommandError(message: "\(table): no column '\(name)'") }
            let output = Schema(wanted.map { plan.schema[$0]! })
            let predicate = try parsedFilter.map { try RowPredicate($0, schema: plan.schema) }
            var printer = RowPrinter(format: format, schema: output, limit: limit)

            func emit(_ batch: RecordBatch) throws -> Bool {
                let conformed = try TableRows.conform(batch, to: plan.schema)
                let rows = predicate.map { predicate in (0..<conformed.rowCount).filter { predicate.matches(conformed, row: $0) } }
                let selected = rows.map { conformed.gather($0) } ?? conformed
                let projected = try RecordBatch(schema: output, columns: wanted.map { selected.column(named: $0)! })
                return printer.print(projected)
            }
            scanning: do {
                for batch in plan.inlinedRows {
                    if try !emit(batch) { break scanning }
                }
                for task in plan.tasks {
                    guard let key = store.key(ofURL: task.url) else {
                        throw CommandError(message: "\(table): data file \(task.url) is outside \(store.rootURL)")
                    }
                    let reader = try ParquetFileReader(source: try await store.reader(for: key), path: task.url)
                    let present = Set(reader.schema.fields.map(\.name))
                    let needed = plan.schema.fields.map(\.name).filter { present.contains($0) }
                    var batches = try reader.batches(columns: needed)
                    while let batch = try batches.next() {
                        if try !emit(batch) { break scanning }
                    }
                }
            }
            printer.finish()
        }
    }
}

/// Rows of a table's files in the table's current schema: columns a file lacks (added later)
/// are null, and a column whose type was widened since (int32 to int64, float to double) is
/// converted.
enum TableRows {
    static func conform(_ batch: RecordBatch, to schema: Schema) throws -> RecordBatch {
        let columns = try schema.fields.map { field -> Column in
            guard let index = batch.schema.index(of: field.name) else { return Column.nulls(field.type, count: batch.rowCount) }
            let column = batch.columns[index]
            if column.type == field.type { return column }
            let builder = ColumnBuilder(type: field.type, capacity: column.count)
            for row in 0..<column.count {
                do {
                    try builder.append(column.value(at: row))
                } catch {
                    throw CommandError(message: "column '\(field.name)' holds \(column.type) in a file, \(field.type) in the table")
                }
            }
            return builder.finish()
        }
        return try RecordBatch(schema: schema, columns: columns)
    }
}

/// `column op literal` over rows, the literal read as the column's type.
struct RowPredicate {
    let filter: ScanFilter
    let index: Int
    let literal: Value

    init(_ filter: ScanFilter, schema: Schema) throws {
        guard let index = schema.index(of: filter.column) else {
            throw CommandError(message: "--where: no column '\(filter.column)'")
        }
        self.filter = filter
        self.index = index
        literal = try Self.value(filter.literal, as: schema.fields[index].type)
    }

    static func value(_ text: String, as type: DataType) throws -> Value {
        let bytes = Array(text.utf8)
        let parsed: Value? = bytes.withUnsafeBytes { raw in
            switch type {
            case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32: return ScalarText.parseInt64(raw).map(Value.int)
            case .float32, .float64: return ScalarText.parseDouble(raw).map(Value.double)
            case .boolean: return ScalarText.parseBool(raw).map(Value.bool)
            case .date: return ScalarText.parseDate(raw).map { Value.date(Int64($0)) }
            case .timestamp(let unit, let utc):
                guard let (micros, _) = ScalarText.parseTimestamp(raw) ?? ScalarText.parseDate(raw).map({ (Int64($0) * 86_400_000_000, false) }) else { return nil }
                let scaled = unit == .microsecond ? micros : unit == .millisecond ? micros / 1000 : micros * 1000
                return .timestamp(scaled, unit, utc: utc)
            case .string: return .string(text)
            default: return nil
            }
        }
        guard let parsed else { throw CommandError(message: "--where: '\(text)' is not a \(type) literal") }
        return parsed
    }

    func matches(_ batch: RecordBatch, row: Int) -> Bool {
        let value = batch.columns[index].value(at: row)
        if value == .null { return false }
        let comparable = Self.normalized(value)
        switch filter.op {
        case .equal: return comparable == literal
        case .notEqual: return comparable != literal
        case .less: return ValueOrder.less(comparable, literal)
        case .lessOrEqual: return !ValueOrder.less(literal, comparable)
        case .greater: return ValueOrder.less(literal, comparable)
        case .greaterOrEqual: return !ValueOrder.less(comparable, literal)
        }
    }

    /// Unsigned values compare as the literals read them (as signed integers).
    static func normalized(_ value: Value) -> Value {
        if case .uint(let v) = value, let signed = Int64(exactly: v) { return .int(signed) }
        return value
    }
}

/// Prints batches as JSON lines or CSV up to a row limit.
struct RowPrinter {
    let format: String
    let schema: Schema
    var remaining: Int
    private var headerDone = false

    init(format: String, schema: Schema, limit: Int?) {
        self.format = format
        self.schema = schema
        remaining = limit ?? .max
    }

    /// Prints what fits; false once the limit is reached.
    mutating func print(_ batch: RecordBatch) -> Bool {
        var out: [UInt8] = []
        if format == "csv" && !headerDone {
            CSVEncoder().encodeHeader(schema, to: &out)
            headerDone = true
        }
        let count = min(remaining, batch.rowCount)
        if format == "csv" {
            CSVEncoder().encode(batch, rows: 0..<count, to: &out)
        } else {
            JSONLinesEncoder().encode(batch, rows: 0..<count, to: &out)
        }
        remaining -= count
        Console.writeOut(out)
        return remaining > 0
    }

    mutating func finish() {
        if format == "csv" && !headerDone {
            var out: [UInt8] = []
            CSVEncoder().encodeHeader(schema, to: &out)
            Console.writeOut(out)
        }
    }
}

extension String {
    var trimmed: String {
        var slice = Substring(self)
        while slice.first == " " { slice.removeFirst() }
        while slice.last == " " { slice.removeLast() }
        return String(slice)
    }
}
