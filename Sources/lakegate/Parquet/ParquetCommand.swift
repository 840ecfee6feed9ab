import ArgumentParser
import Columnar
import LakegateCore
import Parquet
import StorageLocal

struct ParquetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parquet",
        abstract: "Inspect, print, check and rewrite Parquet files with Lakegate's own Parquet library.",
        subcommands: [InspectCommand.self, CatCommand.self, RewriteCommand.self, ParquetValidateCommand.self]
    )
}

/// Options shared by every command that reads a Parquet file.
struct ParquetReadArguments: ParsableArguments {
    @Argument(help: "The Parquet file to read.", completion: .file(extensions: ["parquet"]))
    var file: String

    @Flag(help: "Skip page CRC-32 checks (checksums are verified by default when a page has one).")
    var noVerifyChecksums = false

    func openReader() throws -> ParquetFileReader {
        var options = ParquetReadOptions()
        options.verifyChecksums = !noVerifyChecksums
        let source = try LocalFileSource(path: file)
        return try ParquetFileReader(source: source, path: file, options: options)
    }

    /// The input's size in bytes (for reports).
    var fileSize: Int { (try? LocalFileSource(path: file))?.size ?? 0 }
}

/// Runs a command body, turning any error into one clear line on standard error and exit code 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch {
        throw reported(error)
    }
}

/// What a command throws for `error`: usage errors and exit codes as they are (the argument
/// parser prints them), anything else printed here as one line, then exit status 1.
func reported(_ error: any Error) -> any Error {
    if error is ExitCode || error is ValidationError { return error }
    Console.endProgress()
    Console.error("\(error)")
    return ExitCode(1)
}

struct CatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat",
        abstract: "Print rows as JSON lines or CSV.",
        discussion: """
            JSON lines spell values as: integers and floats as numbers (NaN and infinities as the \
            strings "NaN", "Infinity", "-Infinity"); strings as strings; binary as base64; decimals as \
            strings with their exact scale; dates YYYY-MM-DD; times HH:MM:SS.fraction; timestamps \
            ISO-8601 with the unit's digits and Z when UTC-adjusted; uuids in canonical form; lists as \
            arrays; structs as objects; maps as arrays of {"key":…,"value":…}. CSV writes nested \
            values as their JSON text.

            Examples:
              lakegate parquet cat events.parquet --limit 10
              lakegate parquet cat events.parquet --columns user_id,event_time --format csv > out.csv
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case jsonl, csv
    }

    @OptionGroup var input: ParquetReadArguments

    @Option(help: "Top-level columns to print, comma-separated (default: all).")
    var columns: String?

    @Option(help: "Print at most this many rows.")
    var limit: Int?

    @Option(help: "Output format: jsonl or csv.")
    var format: Format = .jsonl

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be zero or more") }
    }

    func run() throws {
        try reportingErrors {
            let reader = try input.openReader()
            let projection = try resolveColumns(columns, in: reader.schema)
            var output = StandardOutput()
            var remaining = limit ?? Int.max
            var wroteHeader = false
            // Batches no larger than the rows still wanted, so --limit stops reading early.
            var batchOptions = ParquetBatchOptions()
            batchOptions.maxRows = max(1, min(batchOptions.maxRows, remaining))
            var batches = try reader.batches(columns: projection, options: batchOptions)
            while remaining > 0, let batch = try batches.next() {
                let rows = 0..<min(batch.rowCount, remaining)
                switch format {
                case .jsonl:
                    output.write { JSONLinesEncoder().encode(batch, rows: rows, to: &$0) }
                case .csv:
                    if !wroteHeader {
                        output.write { CSVEncoder().encodeHeader(batch.schema, to: &$0) }
                        wroteHeader = true
                    }
                    output.write { CSVEncoder().encode(batch, rows: rows, to: &$0) }
                }
                remaining -= rows.count
            }
            if format == .csv && !wroteHeader {
                let schema = projection.map { names in Schema(reader.schema.fields.filter { names.contains($0.name) }) }
                output.write { CSVEncoder().encodeHeader(schema ?? reader.schema, to: &$0) }
            }
            output.flush()
        }
    }
}

/// Checks `--columns` against the schema; nil means every column.
func resolveColumns(_ list: String?, in schema: Schema) throws -> [String]? {
    guard let list else { return nil }
    let names = list.split(separator: ",").map { String($0).trimmingCharacters(in: " ") }.filter { !$0.isEmpty }
    for name in names where schema.index(of: name) == nil {
        let known = schema.fields.map(\.name).joined(separator: ", ")
        throw ValidationError("no column named '\(name)'; the file has: \(known)")
    }
    return names
}

struct ParquetValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Decode every page and value of a file and report whether it is valid.",
        discussion: "Exit status 0 when every row group decodes (and page checksums match); 1 with a located error otherwise."
    )

    @OptionGroup var input: ParquetReadArguments

    func run() throws {
        try reportingErrors {
            let reader = try input.openReader()
            var rows = 0
            var batches = try reader.batches()
            while let batch = try batches.next() {
                rows += batch.rowCount
                Console.progress("validating row group \((batches.rowGroup ?? 0) + 1)/\(reader.rowGroupCount)")
            }
            Console.endProgress()
            guard rows == reader.rowCount else {
                throw ParquetCheckFailure(message: "row groups hold \(rows) rows but the footer says \(reader.rowCount)")
            }
            Console.note("\(input.file): valid, \(rows) rows in \(reader.rowGroupCount) row groups")
        }
    }
}

struct ParquetCheckFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { "parquet corrupt: \(message)" }
}
