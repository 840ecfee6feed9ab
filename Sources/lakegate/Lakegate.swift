import ArgumentParser

/// The `lakegate` command: one binary that lands files, events and database changes in a lakehouse.
@main
struct Lakegate: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "lakegate",
        abstract: "Land files, events and database changes in lakehouse tables, safely and exactly once.",
        discussion: """
            Lakegate reads Parquet, CSV, JSON and Avro and writes Parquet that DuckDB, pyarrow and \
            Iceberg readers accept. Start with:

              lakegate convert events.ndjson.gz --output events.parquet
              lakegate validate data.csv              located errors, nothing written

              lakegate tables append events ev.ndjson land a file in a lake table
                                                      (exactly once with a key)
              lakegate tables scan events --limit 5   read it back

              lakegate ingest data.csv --client acme  scan with clamd, then land it
                                                      (or quarantine it)
              lakegate run                            watch the landing zone
              lakegate status                         jobs, queue, last errors

              lakegate parquet inspect data.parquet   schema, row groups, statistics
              lakegate parquet cat data.parquet       rows as JSON lines or CSV

            Every command has its own --help.
            """,
        version: version,
        subcommands: [
            ConvertCommand.self, ValidateCommand.self, TablesCommand.self, ParquetCommand.self, GenerateCommand.self,
            IngestCommand.self, RunCommand.self, WorkerCommand.self, JobsCommand.self, QuarantineCommand.self, StatusCommand.self,
        ]
    )

    /// `--keep-doc` takes an optional value (`--keep-doc` or `--keep-doc=NAME`), which the
    /// argument parser does not model: the bare flag is spelled out before parsing.
    static func main() async {
        #if os(Linux)
        // Batches and pages are a few MiB each and short-lived. glibc serves such blocks with
        // mmap and hands them back to the kernel when freed, so every batch paid for page
        // faults (a third of the CPU time of a conversion). Keeping blocks up to 64 MiB in the
        // heap and trimming only beyond 256 MiB free leaves peak memory unchanged.
        _ = glibcMallopt(-3 /* M_MMAP_THRESHOLD */, 64 << 20)
        _ = glibcMallopt(-1 /* M_TRIM_THRESHOLD */, 256 << 20)
        // A batch is built on the reader's thread and freed on the writer's: with an arena per
        // thread, freed blocks pile up where the next batch is not allocated. Two arenas took
        // the peak of a 1 GB CSV load from 247 MB to 197 MB (scripts/bench/ingest.sh).
        _ = glibcMallopt(-8 /* M_ARENA_MAX */, 2)
        #endif
        let arguments = CommandLine.arguments.dropFirst().map { $0 == "--keep-doc" ? "--keep-doc=_doc" : $0 }
        do {
            var command = try parseAsRoot(Array(arguments))
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

#if os(Linux)
/// glibc's `mallopt` (malloc.h is not part of the Glibc module).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
