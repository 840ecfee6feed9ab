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
            Iceberg readers accept. Start with the Parquet tools:

              lakegate parquet inspect data.parquet        schema, row groups, encodings, statistics
              lakegate parquet cat data.parquet --limit 5  rows as JSON lines or CSV
              lakegate parquet rewrite in.parquet out.parquet --codec zstd

            Every command has its own --help.
            """,
        version: version,
        subcommands: [ParquetCommand.self]
    )
}
