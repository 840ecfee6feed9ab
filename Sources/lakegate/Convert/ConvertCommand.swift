import Avro
import ArgumentParser
import CSVFormat
import Columnar
import FileFormats
import JSONFormat
import Parquet

/// Options that say how inputs are read (shared by `convert` and `validate`).
struct InputReadArguments: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case auto, json, ndjson, csv, avro, parquet
    }

    enum Nested: String, ExpressibleByArgument, CaseIterable {
        case flatten, `struct`
    }

    @Option(help: "Input format; auto looks at the name, then at the first bytes.")
    var format: Format = .auto

    @Option(help: "JSON: flatten nested objects into columns named by their path, or keep them as structs.")
    var nested: Nested = .flatten

    @Option(help: "JSON: joins the keys of flattened objects into column names.")
    var separator = "_"

    @Option(
        name: .customLong("keep-doc"),
        help: ArgumentHelp(
            "JSON: keep each record's own JSON text in a string column: --keep-doc (named _doc) or --keep-doc=NAME.",
            valueName: "name"))
    var keepDocument: String?

    @Option(help: ArgumentHelp("JSON: read the records in the array under this key of the top-level object.", valueName: "key"))
    var rootKey: String?

    @Option(help: ArgumentHelp("A JSON schema file: {\"column\": \"type\", …}; only these columns are read.", valueName: "file"))
    var schema: String?

    @Option(
        help: ArgumentHelp(
            "Records schema inference looks at, or 'all' to read the input twice and infer from everything.",
            valueName: "n|all"))
    var sample = "20000"

    @Flag(help: "Make records bad when a value's kind conflicts with its column (default: widen the column to string).")
    var rejectConflicts = false

    @Option(help: ArgumentHelp("CSV: field delimiter (one character; \\t for tab). Default: guessed.", valueName: "char"))
    var delimiter: String?

    @Option(help: ArgumentHelp("CSV: quote character, or 'none'.", valueName: "char"))
    var quote: String?

    @Flag(help: "CSV: the first line is data, not column names (columns are named column_1, column_2, …).")
    var noHeader = false

    @Option(help: ArgumentHelp("CSV: a field text that means null (repeatable), besides the empty field.", valueName: "text"))
    var nullString: [String] = []

    @Option(help: ArgumentHelp("Write bad records, with their line, offset and reason, to this JSON-lines file and go on.", valueName: "file"))
    var rejects: String?

    @Option(help: "With --rejects: bad records tolerated before the run fails (default: no limit).")
    var maxErrors: Int?

    @Option(help: ArgumentHelp("With --rejects: largest share of bad records tolerated, e.g. 0.01.", valueName: "ratio"))
    var maxErrorRatio: Double?

    @Option(
        help: ArgumentHelp(
            "Largest decompressed size of a gzip/zstd input, in bytes (default: 1000 times the file, at least 1 GiB); more is a decompression bomb and fails.",
            valueName: "bytes"))
    var maxDecompressedSize: Int?

    func validate() throws {
        if let maxDecompressedSize, maxDecompressedSize < 1 { throw ValidationError("--max-decompressed-size is positive") }
        if sample != "all" && (Int(sample) ?? 0) < 1 { throw ValidationError("--sample takes a positive count or 'all'") }
        if let delimiter, delimiterByte(delimiter) == nil {
            throw ValidationError("--delimiter takes one ASCII character (or \\t)")
        }
        if let quote, quote != "none", quote.utf8.count != 1 { throw ValidationError("--quote takes one character or 'none'") }
        if (maxErrors != nil || maxErrorRatio != nil) && rejects == nil {
            throw ValidationError("--max-errors and --max-error-ratio go with --rejects FILE")
        }
        if let maxErrorRatio, !(0...1).contains(maxErrorRatio) { throw ValidationError("--max-error-ratio is between 0 and 1") }
    }

    func delimiterByte(_ text: String) -> UInt8? {
        if text == "\\t" || text == "tab" { return 0x09 }
        guard text.utf8.count == 1, let byte = text.utf8.first, byte < 0x80 else { return nil }
        return byte
    }

    var policy: BadRecordPolicy {
        guard rejects != nil else { return BadRecordPolicy() }
        return BadRecordPolicy(maxErrors: maxErrors ?? .max, maxErrorRatio: maxErrorRatio)
    }

    /// The `--schema` file's schema, nil without one (read once per run, not per input).
    func explicitSchema() throws -> Schema? {
        guard let schema else { return nil }
        let source = try InputFile(path: schema)
        var bytes: [UInt8] = []
        try source.forEachChunk { bytes.append(contentsOf: $0) }
        return try SchemaFile.parse(bytes, path: schema)
    }

    /// A reader for one input.
    func producer(for path: String, explicit: Schema?, badRecords: BadRecordLog) throws -> any RecordBatchProducer {
        let file = try InputFile(path: path)
        let detected: InputFormat =
            switch format {
            case .auto: try InputFormat.detect(file)
            case .json: .json
            case .ndjson: .ndjson
            case .csv: .csv
            case .avro: .avro
            case .parquet: .parquet
            }
        let sampleRecords = sample == "all" ? nil : Int(sample)
        switch detected {
        case .json, .ndjson:
            var options = JSONReadOptions()
            if detected == .ndjson { options.layout = .ndjson }
            if let rootKey { options.layout = .rootKey(rootKey) }
            options.nested = nested == .flatten ? .flatten : .structs
            options.separator = separator
            options.documentColumn = keepDocument
            options.widenConflicts = !rejectConflicts
            options.sampleRecords = sampleRecords
            options.schema = explicit
            options.maxDecompressedBytes = decompressionLimit(file)
            return JSONBatchProducer(file: file, options: options, badRecords: badRecords)
        case .csv:
            var options = CSVReadOptions()
            if delimiter != nil || quote != nil || noHeader {
                var dialect = CSVDialect()
                if let delimiter, let byte = delimiterByte(delimiter) { dialect.delimiter = byte }
                if let quote { dialect.quote = quote == "none" ? nil : quote.utf8.first }
                dialect.hasHeader = !noHeader
                options.dialect = dialect
            }
            options.nullStrings = nullString
            options.widenConflicts = !rejectConflicts
            options.sampleRecords = sampleRecords
            options.schema = explicit
            options.maxDecompressedBytes = decompressionLimit(file)
            return CSVBatchProducer(file: file, options: options, badRecords: badRecords)
        case .parquet:
            return try ParquetBatchProducer(path: path)
        case .avro:
            return try AvroBatchProducer(path: path)
        }
    }

    /// Decompressed bytes allowed for a compressed input: as given, else 1000 times its size
    /// and at least 1 GiB.
    func decompressionLimit(_ file: InputFile) -> Int {
        guard file.compression != nil else { return .max }
        return maxDecompressedSize ?? max(1 << 30, file.size.multipliedReportingOverflow(by: 1000).partialValue)
    }
}

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert JSON, CSV, Avro and Parquet files to Parquet, Avro, CSV or JSON lines.",
        discussion: """
            Inputs may be gzip- or zstd-compressed (detected from their first bytes). JSON may be \
            NDJSON, one array of records, one object, or records in an array under a root key \
            ({"events": [...]}, detected, or named with --root-key). Nested objects become columns \
            named by their path (user_agent_browser), or structs with --nested struct; arrays become \
            lists.

            Column types are inferred from the first records (--sample): boolean, integer, double, \
            date (YYYY-MM-DD), timestamp (ISO-8601; with a zone: UTC-adjusted) and string; integers \
            and doubles mixed widen to double, other conflicts to string (or, with \
            --reject-conflicts, make the later records bad). A field first seen after the sample \
            adds a column (earlier rows null) in Parquet and JSON-lines outputs. --schema names the \
            columns and types instead.

            A bad record (invalid JSON, a ragged CSV row, a value that does not fit its column) \
            fails the run and nothing is written, unless --rejects FILE is given: bad records then \
            go there with their line, byte offset and reason, up to --max-errors or \
            --max-error-ratio. The output appears only when complete; the exit status is 0 only then.

            Examples:
              lakegate convert events.ndjson.gz --output events.parquet
              lakegate convert vehicles_events_20260101120000.json --output v.parquet --nested struct --keep-doc
              lakegate convert lineitem.csv --output lineitem.parquet --codec zstd --null-string NA
              lakegate convert data.parquet --output data.csv
            """
    )

    @Argument(help: "Input files (their rows are appended in order).", completion: .file())
    var inputs: [String]

    @Option(name: [.short, .long], help: "Output file; its extension picks the format: .parquet, .avro, .csv, .jsonl.")
    var output: String

    @OptionGroup var read: InputReadArguments

    @Option(help: "Output compression: Parquet zstd (default), snappy, gzip, lz4, none; Avro null, deflate, snappy, zstd.")
    var codec: String = "zstd"

    @Option(help: "Compression level for zstd or gzip.")
    var compressionLevel: Int?

    @Flag(help: "Replace OUTPUT if it exists.")
    var force = false

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give at least one input file") }
        guard OutputFormat(path: output) != nil else {
            throw ValidationError("OUTPUT must end in .parquet, .avro, .csv or .jsonl")
        }
        if inputs.contains(output) { throw ValidationError("OUTPUT must differ from the inputs") }
        if !force && fileExists(output) { throw ValidationError("\(output) exists; pass --force to replace it") }
        if OutputFormat(path: output) == .parquet, !["zstd", "snappy", "gzip", "lz4", "none"].contains(codec) {
            throw ValidationError("Parquet codecs are zstd, snappy, gzip, lz4 and none")
        }
    }

    func makeWriter() throws -> any RecordBatchWriter {
        switch OutputFormat(path: output)! {
        case .parquet:
            // Row groups of 32 MiB compressed (a few hundred thousand rows of typical events):
            // the writer holds one row group, and the whole conversion stays under 200 MB.
            var options = ParquetWriteOptions(rowGroupBytes: 32 << 20)
            switch codec {
            case "snappy": options.codec = .snappy
            case "gzip": options.codec = .gzip(level: compressionLevel ?? 6)
            case "lz4": options.codec = .lz4Raw
            case "none": options.codec = .none
            default: options.codec = .zstd(level: compressionLevel ?? 3)
            }
            return try ParquetBatchWriter(path: output, options: options)
        case .jsonl:
            return try JSONLinesBatchWriter(path: output)
        case .csv:
            return try CSVBatchWriter(path: output)
        case .avro:
            guard let codec = AvroCodec(name: codec) else {
                throw ValidationError("Avro codecs are null, deflate, snappy and zstd")
            }
            return try AvroBatchWriter(path: output, options: AvroWriteOptions(codec: codec))
        }
    }

    func run() throws {
        try reportingErrors {
            let clock = ContinuousClock()
            let started = clock.now
            let badRecords = try BadRecordLog(policy: read.policy, rejectsPath: read.rejects)
            let explicit = try read.explicitSchema()
            let writer = try makeWriter()
            var records = 0
            var bytesIn = 0
            var lastSchema = Schema([])
            do {
                for (position, path) in inputs.enumerated() {
                    let producer = try read.producer(for: path, explicit: explicit, badRecords: badRecords)
                    var lastDraw = clock.now
                    let label = inputs.count > 1 ? "[\(position + 1)/\(inputs.count)] " : ""
                    producer.onProgress = { progress in
                        let now = clock.now
                        guard Console.isTerminal, now - lastDraw > .milliseconds(200) else { return }
                        lastDraw = now
                        let seconds = max(0.001, (now - started).seconds)
                        Console.progress(
                            label + progressLine(progress, rowsBefore: records, seconds: seconds))
                    }
                    do {
                        try producer.run { batch in try writer.write(batch) }
                    } catch let error as FileFormatError {
                        throw error.with(path: path)
                    }
                    records += producer.progress.records
                    bytesIn += producer.progress.bytesTotal
                    lastSchema = producer.schema
                }
                if lastSchema.fields.isEmpty, output.lowercased().hasSuffix(".parquet") {
                    throw CommandError(message: "nothing to convert: the input has no columns (an empty file?)")
                }
                try writer.finish(schema: lastSchema)
                try badRecords.commit()
            } catch {
                writer.abort()
                badRecords.abort()
                throw error
            }
            Console.endProgress()
            if Console.isTerminal {
                let seconds = (clock.now - started).seconds
                Console.note(
                    "wrote \(output): \(records - badRecords.count) rows, \(badRecords.count) rejected, "
                        + "\(formatBytes(bytesIn)) in, \(formatBytes(writer.bytesWritten)) out, \(String(format2: seconds)) s")
            }
        }
    }
}

/// `  45.2 MiB / 350.0 MiB [=====>     ]  1234567 rows  512000 rows/s`
func progressLine(_ progress: InputProgress, rowsBefore: Int, seconds: Double) -> String {
    let width = 24
    let share = progress.bytesTotal > 0 ? min(1, Double(progress.bytesRead) / Double(progress.bytesTotal)) : 0
    let filled = Int(share * Double(width))
    let bar = String(repeating: "=", count: filled) + (filled < width ? ">" : "") + String(repeating: " ", count: max(0, width - filled - 1))
    let rows = rowsBefore + progress.records
    let rate = Int(Double(rows) / seconds)
    var line = "\(formatBytes(progress.bytesRead)) / \(formatBytes(progress.bytesTotal)) [\(bar)] \(rows) rows, \(rate) rows/s"
    if progress.rejected > 0 { line += ", \(progress.rejected) rejected" }
    return line
}
