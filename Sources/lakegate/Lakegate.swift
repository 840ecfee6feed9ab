import ArgumentParser

/// The `lakegate` command: one binary that lands files, events and database changes in a lakehouse.
@main
struct Lakegate: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "lakegate",
        abstract: "Land files, events and database changes in lakehouse tables, safely and exactly once.",
        discussion: """
            Lakegate reads Parquet, CSV, JSON and Avro and writes Parquet that DuckDB, pyarrow and \
            Iceberg readers accept. Start with:

              lakegate convert events.ndjson.gz --output events.parquet
              lakegate validate data.csv                   located errors, nothing written

              lakegate parquet inspect data.parquet        schema, row groups, encodings, statistics
              lakegate parquet cat data.parquet --limit 5  rows as JSON lines or CSV
              lakegate parquet rewrite in.parquet out.parquet --codec zstd

            Every command has its own --help.
            """,
        version: version,
        subcommands: [ConvertCommand.self, ValidateCommand.self, ParquetCommand.self, GenerateCommand.self]
    )

    /// `--keep-doc` takes an optional value (`--keep-doc` or `--keep-doc=NAME`), which the
    /// argument parser does not model: the bare flag is spelled out before parsing.
    static func main() {
        let arguments = CommandLine.arguments.dropFirst().map { $0 == "--keep-doc" ? "--keep-doc=_doc" : $0 }
        main(Array(arguments))
    }
}
