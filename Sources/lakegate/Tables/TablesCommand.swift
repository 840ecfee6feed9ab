import ArgumentParser
import Columnar
import DuckLake
import FileFormats
import Foundation
import HiveTables
import IcebergTables
import Ingestion
import LakegateCore
import Parquet
import S3
import Tables

struct TablesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tables",
        abstract: "Create, append to, read and maintain lake tables (DuckLake, Iceberg, Hive folders).",
        discussion: """
            Every command takes --lake (default: a DuckLake with a SQLite catalog in ./lakegate-data):

              ducklake:sqlite:PATH             DuckLake, catalog in a SQLite file
              ducklake:postgres:postgresql://… DuckLake, catalog in PostgreSQL (with --data-path)
              iceberg:sqlite:PATH              Iceberg v2 in a SQL catalog (pyiceberg's layout)
              iceberg:postgres:postgresql://…
              hive:DIR                         plain Hive-partitioned Parquet folders

            TABLE is NAME or NAMESPACE.NAME (namespace main). Examples:

              lakegate tables append events events.ndjson --partition 'day(event_time)'
              lakegate tables scan events --where 'event_type = click' --limit 10
              lakegate tables history events
            """,
        subcommands: [
            TablesAppendCommand.self, TablesListCommand.self, TablesShowCommand.self, TablesHistoryCommand.self,
            TablesFilesCommand.self, TablesScanCommand.self, TablesCompactCommand.self, TablesExpireCommand.self,
            TablesDropCommand.self,
        ]
    )
}

/// Where the lake is, shared by every `tables` command.
struct LakeArguments: ParsableArguments {
    @Option(help: ArgumentHelp("The lake: ducklake:sqlite:PATH, ducklake:postgres:URL, iceberg:sqlite:PATH, iceberg:postgres:URL or hive:DIR (default: ducklake:sqlite:lakegate-data/catalog.sqlite).", valueName: "lake"))
    var lake: String?

    @Option(help: ArgumentHelp("Folder of the data files, or s3://bucket/prefix (reached with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION and AWS_ENDPOINT_URL) (default: beside the catalog, PATH.files).", valueName: "dir"))
    var dataPath: String?

    @Option(help: "Name of the Iceberg SQL catalog (the catalog_name column).")
    var catalogName = "lakegate"

    func location() throws -> LakeLocation {
        guard let lake else {
            let embedded = LakeLocation.embedded()
            return LakeLocation(format: embedded.format, catalog: embedded.catalog, dataPath: dataPath ?? embedded.dataPath)
        }
        return try LakeLocation(parsing: lake, dataPath: dataPath)
    }

    /// Runs `body` with the lake's catalog, closing it (and its S3 connection) afterwards
    /// whatever happens; errors become one line on standard error (exit status 1).
    func withCatalog(_ body: (any TableCatalog) async throws -> Void) async throws {
        try await withCatalog { catalog, _ in try await body(catalog) }
    }

    /// `withCatalog`, also passing the store the data files are in.
    func withCatalog(_ body: (any TableCatalog, any ObjectStore) async throws -> Void) async throws {
        try await reportingErrors {
            let location = try location()
            var s3: S3Client?
            if case .s3 = Lake.dataZone(location) {
                s3 = try S3Client(configuration: try S3Configuration.fromEnvironment(ProcessInfo.processInfo.environment))
            }
            do {
                let store = try Lake.dataStore(location, s3: s3)
                try Lake.makeCatalogFolder(location)
                let catalog = try await Lake.open(location, store: store, catalogName: catalogName)
                do {
                    try await body(catalog, store)
                } catch {
                    await catalog.close()
                    throw error
                }
                await catalog.close()
            } catch {
                try? await s3?.shutdown()
                throw error
            }
            try? await s3?.shutdown()
        }
    }
}

/// Runs an async command body: errors become one line on standard error and exit status 1.
func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        throw reported(error)
    }
}

struct TableArgument: ParsableArguments {
    @Argument(help: "The table: NAME or NAMESPACE.NAME.")
    var table: String

    func identifier() throws -> TableIdentifier { try TableIdentifier(parsing: table) }
}

// MARK: append

struct TablesAppendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append files (JSON, CSV, Avro, Parquet) to a table in one commit, creating it if needed.",
        discussion: """
            The table is created from the data's schema when it does not exist. With \
            --idempotency-key, committing the same key again changes nothing (and says so): a \
            retried job never duplicates rows.
            """)

    @OptionGroup var lake: LakeArguments
    @OptionGroup var target: TableArgument

    @Argument(help: "Input files.", completion: .file())
    var inputs: [String]

    @Option(help: ArgumentHelp("Partition a new table by this field: a column, or year(c), month(c), day(c), hour(c). Repeatable.", valueName: "field"))
    var partition: [String] = []

    @Option(help: ArgumentHelp("Commit at most once for this key (a job id, a file hash).", valueName: "key"))
    var idempotencyKey: String?

    @Option(help: "Commit message recorded with the snapshot.")
    var message: String?

    @OptionGroup var read: InputReadArguments

    func run() async throws {
        try await lake.withCatalog { catalog in
            let table = try target.identifier()
            let badRecords = try BadRecordLog(policy: read.policy, rejectsPath: read.rejects)
            let explicit = try read.explicitSchema()
            var append: (any TableAppend)?
            do {
                for path in inputs {
                    let batches = BatchPipe()
                    let producer = try read.producer(for: path, explicit: explicit, badRecords: badRecords)
                    batches.start(producer)
                    defer { batches.cancel() }
                    for try await batch in batches.stream {
                        if append == nil {
                            append = try await FileLoader.beginAppend(catalog, table, schema: batch.schema, partitionBy: partition)
                        }
                        try await append!.write(batch)
                        batches.consumed()
                    }
                }
                guard let append else { throw CommandError(message: "no rows to append") }
                let clock = ContinuousClock()
                let started = clock.now
                let outcome = try await append.commit(idempotencyKey: idempotencyKey, message: message)
                let commitMilliseconds = (clock.now - started).milliseconds
                try badRecords.commit()
                switch outcome {
                case .committed(let snapshot, let files, let rows):
                    print(
                        "committed snapshot \(snapshot) to \(table): \(rows) rows in \(files) files, \(badRecords.count) rejected "
                            + "(commit \(String(format: "%.2f", commitMilliseconds)) ms)")
                case .alreadyCommitted(let snapshot):
                    print("already committed as snapshot \(snapshot) (idempotency key \(idempotencyKey ?? "")): nothing changed")
                }
            } catch {
                await append?.abort()
                badRecords.abort()
                throw error
            }
        }
    }
}

// MARK: reading commands

struct TablesListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the tables of a lake.")
    @OptionGroup var lake: LakeArguments

    func run() async throws {
        try await lake.withCatalog { catalog in
            for table in try await catalog.listTables() { print(table) }
        }
    }
}

struct TablesShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a table's schema, partitioning and size.")
    @OptionGroup var lake: LakeArguments
    @OptionGroup var target: TableArgument

    func run() async throws {
        try await lake.withCatalog { catalog in
            let table = try target.identifier()
            guard let description = try await catalog.describe(table) else {
                throw CommandError(message: "\(table): no such table")
            }
            print("table \(table)")
            for (key, value) in description.properties { print("  \(key): \(value)") }
            print("  snapshot: \(description.currentSnapshot.map(String.init) ?? "none")")
            print("  rows: \(description.recordCount), files: \(description.fileCount), bytes: \(description.totalBytes)")
            if !description.partitionBy.isEmpty { print("  partitioned by: \(description.partitionBy.joined(separator: ", "))") }
            print("columns:")
            for field in description.schema.fields {
                print("  \(field.name) \(field.type)\(field.id.map { " (id \($0))" } ?? "")")
            }
        }
    }
}

struct TablesHistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "List a table's snapshots, oldest first.",
        discussion: """
            DuckLake and Hive tables keep every snapshot until `tables expire`. An Iceberg table keeps \
            the newest 100 (its table property lakegate.history.max-snapshots; 0 keeps all), because \
            every commit rewrites the metadata file that lists them.
            """)
    @OptionGroup var lake: LakeArguments
    @OptionGroup var target: TableArgument

    func run() async throws {
        try await lake.withCatalog { catalog in
            for snapshot in try await catalog.history(try target.identifier()) {
                let time = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: snapshot.timestamp))
                let key = snapshot.idempotencyKey.map { "  key=\($0)" } ?? ""
                print("\(snapshot.id)  \(time)  \(snapshot.operation)  \(snapshot.summary)\(key)")
            }
        }
    }
}

struct TablesFilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "files", abstract: "List a table's current data files.")
    @OptionGroup var lake: LakeArguments
    @OptionGroup var target: TableArgument

    func run() async throws {
        try await lake.withCatalog { catalog in
            for file in try await catalog.files(try target.identifier()) {
                let partition = file.partition.isEmpty ? "" : "  " + file.partition.joined(separator: "/")
                print("\(file.url)  \(file.recordCount) rows  \(file.fileSize) bytes\(partition)")
            }
        }
    }
}

struct TablesCompactCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact", abstract: "Merge a table's small files (per partition) into larger ones, in a new snapshot.")
    @OptionGroup var lake: LakeArguments
    @OptionGroup var target: TableArgument

    func run() async throws {
        try await lake.withCatalog { catalog in
            let result = try await catalog.compact(try target.identifier())
            Console.note("compacted: \(result.filesRemoved) files into \(result.filesAdded)\(result.snapshot.map { ", snapshot \($0)" } ?? "")")
        }
    }
}

struct TablesExpireCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expire", abstract: "Forget snapshots older than a duration and delete the files only they used.")
    @OptionGroup var lake: LakeArguments
    @OptionGroup var target: TableArgument

    @Option(help: ArgumentHelp("Age of the snapshots to forget: 30s, 15m, 12h, 7d (the current snapshot always stays).", valueName: "duration"))
    var olderThan: String

    func validate() throws {
        guard Self.seconds(olderThan) != nil else { throw ValidationError("--older-than takes a duration such as 30s, 15m, 12h or 7d") }
    }

    static func seconds(_ text: String) -> Double? {
        guard let unit = text.last, let number = Double(text.dropLast()), number >= 0 else { return nil }
        switch unit {
        case "s": return number
        case "m": return number * 60
        case "h": return number * 3600
        case "d": return number * 86400
        default: return nil
        }
    }

    func run() async throws {
        try await lake.withCatalog { catalog in
            let result = try await catalog.expireSnapshots(try target.identifier(), olderThan: Self.seconds(olderThan)!)
            Console.note("expired: \(result.filesDeleted) files deleted")
        }
    }
}

struct TablesDropCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drop", abstract: "Drop a table (its files go once no snapshot needs them: see expire).")
    @OptionGroup var lake: LakeArguments
    @OptionGroup var target: TableArgument

    func run() async throws {
        try await lake.withCatalog { catalog in
            try await catalog.dropTable(try target.identifier())
            Console.note("dropped \(try target.identifier()) (files no snapshot needs are deleted by expire)")
        }
    }
}

extension Duration {
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
