import CSVFormat
import Columnar

/// How CSV input becomes columns.
public struct CSVReadOptions: Sendable {
    /// The dialect; nil guesses the delimiter from the first lines (with a header and RFC 4180
    /// quoting).
    public var dialect: CSVDialect?
    /// Field texts read as null besides the empty unquoted field (an empty quoted field, `""`,
    /// is the empty string). They match unquoted fields exactly.
    public var nullStrings: [String] = []
    /// Columns of conflicting kinds become strings (true) or keep the first kind seen, making
    /// records with other values bad (false).
    public var widenConflicts = true
    /// Records inference looks at (counted at whole chunks); nil reads the whole input once
    /// first.
    public var sampleRecords: Int? = 20_000
    /// An explicit schema: column names and types in order (the header, if any, is skipped).
    public var schema: Schema?
    public var batchRows = 65_536
    public var batchBytes = 32 << 20
    public var maxDecompressedBytes = Int.max

    public init() {}
}

/// Reads a CSV file (gzip or zstd compressed or not) into record batches, inferring each
/// column's type over a sample: boolean, integer, double, date, timestamp or string.
///
/// A record with the wrong number of fields, or a field that does not read as its column's
/// type, is bad (see `BadRecordLog`); it lands whole or not at all.
public final class CSVBatchProducer: RecordBatchProducer {
    public let file: InputFile
    public let options: CSVReadOptions
    public var onProgress: ((InputProgress) -> Void)?
    public private(set) var progress = InputProgress()
    public private(set) var dialect = CSVDialect()

    private let badRecords: BadRecordLog
    private var names: [String] = []
    private var kinds: [ScalarKind] = []
    private var builders: [ColumnBuilder] = [] {
        didSet { rebuildTargets() }
    }
    /// What the per-field loop needs of each column, without reference counting: the builder
    /// (kept alive by `builders`), the kind, and whether the builder holds the kind's own type.
    private var targets: [CSVFieldTarget] = []
    private var nullStrings: [[UInt8]]
    /// Bit n set when a null string has n bytes (bit 63: 63 or more): most fields are ruled out
    /// by their length alone.
    private var nullLengths: UInt64 = 0
    private var rows = 0
    private var planned = false
    private var consume: ((RecordBatch) throws -> Void)?
    /// Chunks read while sampling, replayed once the columns are planned.
    private var sampleChunks: [[UInt8]] = []
    private var sampleBytes = 0
    private static let maxSampleBytes = 64 << 20

    public init(file: InputFile, options: CSVReadOptions, badRecords: BadRecordLog) {
        self.file = file
        self.options = options
        self.badRecords = badRecords
        nullStrings = options.nullStrings.map { Array($0.utf8) }
        for null in nullStrings { nullLengths |= null.count < 64 ? 1 << UInt64(null.count) : 1 << 63 }
        progress.bytesTotal = file.size
    }

    public var schema: Schema { Schema(zip(names, builders).map { Field($0, $1.type) }) }

    public func run(_ consume: (RecordBatch) throws -> Void) throws {
        try withoutActuallyEscaping(consume) { consume in
            self.consume = consume
            defer { self.consume = nil }
            if let dialect = options.dialect {
                self.dialect = dialect
            } else {
                let prefix = try file.decompressedPrefix(64 << 10)
                self.dialect = prefix.withUnsafeBytes { CSVTokenizer.sniffDialect($0) } ?? CSVDialect()
            }
            if let schema = options.schema {
                names = schema.fields.map(\.name)
                kinds = schema.fields.map { Self.kind(of: $0.type) }
                builders = schema.fields.map { ColumnBuilder(type: $0.type) }
                planned = true
            } else if options.sampleRecords == nil {
                try tokenizeAll { record in self.infer(record) }
                plan()
            }
            try tokenizeAll(sampling: !planned) { record in try self.build(record) }
            if !planned { try endSample(atEndOfInput: true) }
            try flush()
            try badRecords.checkRatio(records: progress.records)
        }
    }

    static func kind(of type: DataType) -> ScalarKind {
        switch type {
        case .boolean: .boolean
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64: .integer
        case .float16, .float32, .float64, .decimal: .double
        case .date: .date
        case .timestamp(_, let utc): utc ? .timestampZoned : .timestamp
        case .uuid: .uuid
        default: .string
        }
    }

    // MARK: Input

    private var tokenizer = CSVTokenizer()

    private func tokenizeAll(sampling: Bool = false, _ body: (borrowing CSVRecord) throws -> Void) throws {
        tokenizer = CSVTokenizer(dialect: dialect)
        progress.records = 0
        do {
            try file.forEachChunk(
                maxDecompressedBytes: options.maxDecompressedBytes,
                progress: { [unowned self] read in
                    self.progress.bytesRead = read
                    self.onProgress?(self.progress)
                }
            ) { chunk in
                if sampling && !planned {
                    // Sampling: note kinds now, build once the sample is complete.
                    sampleChunks.append([UInt8](chunk))
                    sampleBytes += chunk.count
                    try tokenizer.feed(chunk) { record in infer(record) }
                    if progress.records >= (options.sampleRecords ?? .max) || sampleBytes >= Self.maxSampleBytes {
                        try endSample(atEndOfInput: false)
                    }
                } else {
                    try tokenizer.feed(chunk, body)
                }
            }
            if sampling && !planned {
                try tokenizer.finish { record in infer(record) }
            } else {
                try tokenizer.finish(body)
            }
        } catch let error as CSVError {
            try handleTokenizerError(error)
        }
    }

    private func handleTokenizerError(_ error: CSVError) throws {
        let located = FileFormatError(
            error.code == .unterminatedQuote ? .badRecord : .syntax, error.reason, path: file.path, line: error.line,
            offset: error.offset, column: error.column.flatMap { $0 <= names.count ? names[$0 - 1] : "field \($0)" })
        // A quote left open at the end swallows the rest of the input: one bad record, at the
        // end. Anything else stops the tokenizer and so the run.
        guard error.code == .unterminatedQuote else { throw located }
        progress.records += 1
        try badRecords.report(located, record: nil)
        progress.rejected = badRecords.count
    }

    // MARK: Inference

    private func isNull(_ field: UnsafeRawBufferPointer, quoted: Bool) -> Bool {
        if quoted { return false }
        if field.isEmpty { return true }
        guard nullLengths & (1 << UInt64(min(field.count, 63))) != 0 else { return false }
        for null in nullStrings where null.count == field.count && null.elementsEqual(field) { return true }
        return false
    }

    private func infer(_ record: borrowing CSVRecord) {
        if record.isHeader {
            header(Self.texts(record))
            return
        }
        progress.records += 1
        if names.isEmpty { header(Array(repeating: "", count: record.count)) }
        guard record.count == names.count else { return }
        for index in 0..<record.count {
            let field = record.field(index)
            if isNull(field, quoted: record.wasQuoted(index)) { continue }
            let seen = ScalarText.kind(of: field, numbers: true)
            if options.widenConflicts {
                kinds[index] = kinds[index].joined(seen)
            } else if let joined = kinds[index].joinedWithoutWidening(seen) {
                kinds[index] = joined
            }
        }
    }

    /// Column names from the header (duplicates get `_2`, `_3`; empty ones `column_N`), or
    /// `column_1` … when there is none.
    private func header(_ given: [String]) {
        guard names.isEmpty else { return }
        var used: Set<String> = []
        var result: [String] = []
        let total = given.count
        for index in 0..<total {
            var name = given[index]
            if name.isEmpty { name = "column_\(index + 1)" }
            var unique = name
            var suffix = 2
            while used.contains(unique) {
                unique = "\(name)_\(suffix)"
                suffix += 1
            }
            used.insert(unique)
            result.append(unique)
        }
        names = result
        kinds = Array(repeating: .null, count: total)
    }

    private static func texts(_ record: borrowing CSVRecord) -> [String] {
        var texts: [String] = []
        for index in 0..<record.count { texts.append(record.string(index)) }
        return texts
    }

    private func plan() {
        builders = kinds.map { ColumnBuilder(type: $0.dataType) }
        planned = true
    }

    /// Plans the columns from the sample and builds the sampled records. When the sample is
    /// the whole input, the last record may lack its line break: the tokenizer is finished
    /// too (an unterminated quote there was already reported while sampling).
    private func endSample(atEndOfInput: Bool) throws {
        plan()
        let chunks = sampleChunks
        sampleChunks = []
        sampleBytes = 0
        tokenizer = CSVTokenizer(dialect: dialect)
        let sampled = progress.records
        progress.records = 0
        for chunk in chunks {
            try chunk.withUnsafeBytes { bytes in try tokenizer.feed(bytes) { record in try build(record) } }
        }
        guard atEndOfInput else { return }
        do {
            try tokenizer.finish { record in try build(record) }
        } catch let error as CSVError where error.code == .unterminatedQuote {
            progress.records = sampled
        }
    }

    // MARK: Building

    private func build(_ record: borrowing CSVRecord) throws {
        if record.isHeader {
            if names.isEmpty { header(Self.texts(record)) }
            return
        }
        progress.records += 1
        if names.isEmpty {
            header(Array(repeating: "", count: record.count))
            if builders.isEmpty { plan() }
        }
        guard record.count == names.count else {
            try reject(
                FileFormatError(
                    .badRecord, "expected \(names.count) fields, found \(record.count)", path: file.path,
                    line: record.line, offset: record.offset))
            return
        }
        let targets = self.targets
        var failed: Int?
        for index in 0..<record.count {
            let field = record.field(index)
            let target = targets[index]
            let null = isNull(field, quoted: record.wasQuoted(index))
            let fits = target.builder._withUnsafeGuaranteedRef { builder -> Bool in
                if null {
                    builder.appendNull()
                    return true
                }
                return Self.append(field, to: builder, as: target)
            }
            if !fits {
                failed = index
                break
            }
        }
        if let index = failed {
            let field = record.field(index)
            for undo in builders[0...index] where undo.count > rows { undo.truncate(to: rows) }
            let shown = String(decoding: field.prefix(40), as: UTF8.self)
            try reject(
                FileFormatError(
                    .badRecord, "'\(shown)' is not \(Self.article(kinds[index])) \(kinds[index])", path: file.path,
                    line: record.line, offset: record.offset, column: names[index]))
            return
        }
        rows += 1
        if rows >= options.batchRows || (rows & 4095 == 0 && builders.reduce(0, { $0 + $1.byteSize }) >= options.batchBytes) {
            try flush()
        }
    }

    private static func article(_ kind: ScalarKind) -> String {
        kind == .integer ? "an" : "a"
    }

    private func rebuildTargets() {
        targets = zip(builders, kinds).map { builder, kind in
            CSVFieldTarget(builder: .passUnretained(builder), kind: kind, natural: builder.type == kind.dataType)
        }
    }

    @inline(__always)
    private static func append(_ field: UnsafeRawBufferPointer, to builder: ColumnBuilder, as target: CSVFieldTarget) -> Bool {
        let kind = target.kind
        switch kind {
        case .string, .null:
            builder.append(bytes: field)
        case .integer:
            guard let value = ScalarText.parseInt64(field) else { return false }
            if target.natural { builder.append(fixed: value) } else { return (try? builder.append(.int(value))) != nil }
        case .double:
            guard let value = ScalarText.parseDouble(field) else { return false }
            if target.natural { builder.append(fixed: value) } else { return (try? builder.append(.double(value))) != nil }
        case .boolean:
            guard let value = ScalarText.parseBool(field) else { return false }
            builder.append(value)
        case .date:
            guard let days = ScalarText.parseDate(field) else { return false }
            builder.append(fixed: days)
        case .timestamp, .timestampZoned:
            do {
                try JSONScalarAppend.timestamp(field, to: builder, zoned: kind == .timestampZoned, name: "")
            } catch {
                return false
            }
        case .uuid:
            guard let uuid = ScalarText.parseUUID(field) else { return false }
            JSONScalarAppend.uuid(uuid, to: builder)
        }
        return true
    }

    private func reject(_ error: FileFormatError) throws {
        try badRecords.report(error, record: nil)
        progress.rejected = badRecords.count
    }

    private func flush() throws {
        guard rows > 0 else { return }
        let columns = builders.map { $0.finish() }
        let batch = try RecordBatch(schema: Schema(zip(names, columns).map { Field($0, $1.type) }), columns: columns)
        rows = 0
        try consume?(batch)
    }
}

/// One column as the CSV field loop sees it.
struct CSVFieldTarget {
    /// Owned by the producer's `builders`.
    let builder: Unmanaged<ColumnBuilder>
    let kind: ScalarKind
    /// Whether the builder's type is the kind's own (`int64` for integers, …): appends then
    /// take the direct path.
    let natural: Bool
}
