import Columnar
import JSONFormat

/// How JSON input becomes columns.
public struct JSONReadOptions: Sendable {
    public enum Nested: String, Sendable { case flatten, structs = "struct" }

    /// How records sit in the input; nil detects it from the first bytes.
    public var layout: JSONLayout?
    public var nested: Nested = .flatten
    /// Joins the keys of flattened objects into column names.
    public var separator = "_"
    /// A column holding each record's own JSON text (nil: none). It comes first.
    public var documentColumn: String?
    /// Values of conflicting kinds at one position become JSON text in a string column (true),
    /// or make their records bad, the first kind seen winning (false).
    public var widenConflicts = true
    /// Records inference looks at before building columns; nil reads the whole input once
    /// first (so a field seen only at the end is typed like the rest).
    public var sampleRecords: Int? = 20_000
    /// An explicit schema: its columns, with their types, and nothing else. With
    /// flattening, a column named `a_b` takes the member `b` of the object `a`.
    public var schema: Schema?
    public var limits = JSONLimits()
    /// Rows per batch at most, and builder bytes per batch at about.
    public var batchRows = 65_536
    public var batchBytes = 32 << 20
    /// Decompressed bytes at most (a decompression bomb fails instead of filling the disk).
    public var maxDecompressedBytes = Int.max

    public init() {}
}

/// Reads a JSON file (NDJSON, an array, one value or records under a root key; gzip or zstd
/// compressed or not) into record batches.
///
/// Inference looks at the first `sampleRecords` records (kept in memory, at most 64 MiB),
/// builds the columns, then streams the rest: memory holds one batch and one record. A key
/// first seen after the sample adds a column (earlier rows are null); a value that does not
/// fit its column makes its record bad (see `BadRecordLog`). Each record either lands whole
/// or not at all.
public final class JSONBatchProducer: RecordBatchProducer {
    public let file: InputFile
    public let options: JSONReadOptions
    public var onProgress: ((InputProgress) -> Void)?
    public private(set) var progress = InputProgress()
    public private(set) var layout: JSONLayout?

    private let badRecords: BadRecordLog
    private var parser: JSONParser
    private let root = JSONShape()
    private var columns: [JSONColumn] = []
    private var builders: [ColumnBuilder] = []
    private var documentBuilder: ColumnBuilder?
    private var builder: JSONRecordBuilder?
    private var rows = 0
    private var consume: ((RecordBatch) throws -> Void)?

    /// Records kept for inference: their bytes, one after another, and where each sits.
    private var sample: [UInt8] = []
    private var sampleRecords: [(range: Range<Int>, offset: Int, line: Int, column: Int)] = []
    private static let maxSampleBytes = 64 << 20

    public init(file: InputFile, options: JSONReadOptions, badRecords: BadRecordLog) {
        self.file = file
        self.options = options
        self.badRecords = badRecords
        parser = JSONParser(limits: options.limits)
        progress.bytesTotal = file.size
    }

    public var schema: Schema {
        var fields = zip(columns, builders).map { Field($0.name, $1.type) }
        if let name = options.documentColumn { fields.insert(Field(name, .string), at: 0) }
        return Schema(fields)
    }

    public func run(_ consume: (RecordBatch) throws -> Void) throws {
        try withoutActuallyEscaping(consume) { consume in
            self.consume = consume
            defer { self.consume = nil }
            let layout = try resolveLayout()
            self.layout = layout
            if let schema = options.schema {
                plan(explicit: schema)
            } else if options.sampleRecords == nil {
                try frameAll(layout) { record in try self.infer(record) }
                plan()
            }
            try frameAll(layout) { record in try self.handle(record) }
            if builder == nil { try endSample() }
            try flush(final: true)
            try badRecords.checkRatio(records: progress.records)
        }
    }

    // MARK: Input

    private func resolveLayout() throws -> JSONLayout {
        if let layout = options.layout { return layout }
        let prefix = try file.decompressedPrefix(JSONRecordFramer.layoutDetectionBytes)
        let detected = prefix.withUnsafeBytes {
            JSONRecordFramer.detectLayout($0, isEndOfInput: prefix.count < JSONRecordFramer.layoutDetectionBytes)
        }
        return detected ?? .ndjson
    }

    private func frameAll(_ layout: JSONLayout, _ body: (JSONRecord) throws -> Void) throws {
        var framer = JSONRecordFramer(layout: layout, limits: options.limits)
        progress.records = 0
        func drain() throws {
            while let record = try framer.nextRecord() { try body(record) }
        }
        do {
            try file.forEachChunk(
                maxDecompressedBytes: options.maxDecompressedBytes,
                progress: { [unowned self] read in
                    self.progress.bytesRead = read
                    self.onProgress?(self.progress)
                }
            ) { chunk in
                framer.append(chunk)
                try drain()
            }
            try framer.finish()
            try drain()
        } catch let error as JSONError {
            throw FileFormatError(.syntax, error.reason, path: file.path, line: error.line, offset: error.offset)
        }
    }

    // MARK: Inference

    private func infer(_ record: JSONRecord) throws {
        progress.records += 1
        var inference = JSONShapeInference(root: root, widen: options.widenConflicts)
        do {
            try parser.parse(
                record.bytes, baseOffset: record.offset, baseLine: record.line, baseColumn: record.column, into: &inference)
        } catch {
            // Bad records are reported when the columns are built.
        }
    }

    private func plan() {
        columns = JSONPlanner.columns(root: root, flatten: options.nested == .flatten, separator: options.separator)
        builders = columns.map { ColumnBuilder(type: $0.type) }
        if options.documentColumn != nil { documentBuilder = ColumnBuilder(type: .string) }
        rebuildSlots(explicit: false)
    }

    private func plan(explicit schema: Schema) {
        // Without flattening, each name is a key. With it, names are resolved against the
        // keys records have as they arrive (`JSONSchemaResolver`).
        columns = schema.fields.map { JSONColumn(name: $0.name, path: [Array($0.name.utf8)], type: $0.type) }
        builders = schema.fields.map { ColumnBuilder(type: $0.type) }
        if options.documentColumn != nil { documentBuilder = ColumnBuilder(type: .string) }
        rebuildSlots(explicit: true)
    }

    private func rebuildSlots(explicit: Bool) {
        let tree = JSONSlotTree(
            columns: columns, builders: builders, widen: options.widenConflicts, flatten: options.nested == .flatten,
            explicitSchema: explicit, separator: options.separator)
        builder = JSONRecordBuilder(tree: tree)
    }

    // MARK: Records

    private func handle(_ record: JSONRecord) throws {
        if builder == nil {
            // Still sampling: keep the record until the sample is complete.
            progress.records += 1
            let start = sample.count
            sample.append(contentsOf: record.bytes)
            sampleRecords.append((start..<sample.count, record.offset, record.line, record.column))
            infer(sampleRecord: sampleRecords.count - 1)
            if sampleRecords.count >= (options.sampleRecords ?? .max) || sample.count >= Self.maxSampleBytes {
                try endSample()
            }
            return
        }
        progress.records += 1
        try build(record)
    }

    private func infer(sampleRecord index: Int) {
        let entry = sampleRecords[index]
        var inference = JSONShapeInference(root: root, widen: options.widenConflicts)
        sample.withUnsafeBytes { bytes in
            do {
                try parser.parse(
                    UnsafeRawBufferPointer(rebasing: bytes[entry.range]), baseOffset: entry.offset, baseLine: entry.line,
                    baseColumn: entry.column, into: &inference)
            } catch {}
        }
    }

    private func endSample() throws {
        plan()
        let kept = sample
        let entries = sampleRecords
        sample = []
        sampleRecords = []
        try kept.withUnsafeBytes { bytes in
            for entry in entries {
                try build(
                    JSONRecord(
                        bytes: UnsafeRawBufferPointer(rebasing: bytes[entry.range]), offset: entry.offset, line: entry.line,
                        column: entry.column))
            }
        }
    }

    private func build(_ record: JSONRecord) throws {
        do {
            try append(record)
        } catch let unknown as JSONUnknownKey {
            rollBack()
            do {
                try grow(for: record, key: unknown)
                try append(record)
            } catch let error as JSONUnknownKey {
                rollBack()
                try reject(
                    record, reason: "field '\(String(decoding: error.key.prefix(200), as: UTF8.self))' cannot be added")
                return
            } catch {
                rollBack()
                try reject(record, error)
                return
            }
        } catch {
            rollBack()
            try reject(record, error)
            return
        }
        rows += 1
        if rows >= options.batchRows || (rows & 1023 == 0 && batchBytes >= options.batchBytes) {
            try flush(final: false)
        }
    }

    private func append(_ record: JSONRecord) throws {
        builder!.begin(row: rows)
        try parser.parse(
            record.bytes, baseOffset: record.offset, baseLine: record.line, baseColumn: record.column, into: &builder!)
        if let documentBuilder { documentBuilder.append(bytes: Self.trimmed(record.bytes)) }
    }

    private static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var start = 0
        var end = bytes.count
        func space(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        while start < end, space(bytes[start]) { start += 1 }
        while end > start, space(bytes[end - 1]) { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    /// Takes back whatever a failed record appended.
    private func rollBack() {
        for builder in builders where builder.count > rows { builder.truncate(to: rows) }
        if let documentBuilder, documentBuilder.count > rows { documentBuilder.truncate(to: rows) }
    }

    /// A key not seen in the sample: infer the record's shape and add the columns it brings
    /// (earlier rows null). Columns already there keep their types.
    private func grow(for record: JSONRecord, key: JSONUnknownKey) throws {
        var inference = JSONShapeInference(root: root, widen: options.widenConflicts)
        try parser.parse(
            record.bytes, baseOffset: record.offset, baseLine: record.line, baseColumn: record.column, into: &inference)
        let known = Set(columns.map(\.path))
        var names = Set(columns.map(\.name))
        var added = false
        for column in JSONPlanner.columns(root: root, flatten: options.nested == .flatten, separator: options.separator)
        where !known.contains(column.path) {
            var column = column
            let base = column.name
            var suffix = 2
            while names.contains(column.name) {
                column.name = "\(base)_\(suffix)"
                suffix += 1
            }
            names.insert(column.name)
            let builder = ColumnBuilder(type: column.type)
            builder.padWithNulls(to: rows)
            columns.append(column)
            builders.append(builder)
            added = true
        }
        guard added else { throw key }
        rebuildSlots(explicit: false)
    }

    private func reject(_ record: JSONRecord, _ error: any Error) throws {
        switch error {
        case let error as JSONError:
            try badRecords.report(
                FileFormatError(.syntax, error.reason, path: file.path, line: error.line, offset: error.offset),
                record: record.bytes)
        case let error as JSONValueMismatch:
            try badRecords.report(
                FileFormatError(
                    .badRecord, error.reason, path: file.path, line: record.line, offset: record.offset,
                    column: error.column.isEmpty ? nil : error.column), record: record.bytes)
        default:
            try badRecords.report(
                FileFormatError(.badRecord, "\(error)", path: file.path, line: record.line, offset: record.offset),
                record: record.bytes)
        }
        progress.rejected = badRecords.count
    }

    private func reject(_ record: JSONRecord, reason: String) throws {
        try badRecords.report(
            FileFormatError(.badRecord, reason, path: file.path, line: record.line, offset: record.offset),
            record: record.bytes)
        progress.rejected = badRecords.count
    }

    // MARK: Batches

    private var batchBytes: Int {
        builders.reduce(documentBuilder?.byteSize ?? 0) { $0 + $1.byteSize }
    }

    private func flush(final: Bool) throws {
        guard rows > 0 else { return }
        var fields: [Field] = []
        var output: [Column] = []
        if let name = options.documentColumn, let documentBuilder {
            fields.append(Field(name, .string))
            output.append(documentBuilder.finish())
        }
        for (column, builder) in zip(columns, builders) {
            builder.padWithNulls(to: rows)
            fields.append(Field(column.name, builder.type))
            output.append(builder.finish())
        }
        let batch = try RecordBatch(schema: Schema(fields), columns: output)
        rows = 0
        try consume?(batch)
    }
}
