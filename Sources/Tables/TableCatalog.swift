public import Columnar

/// A lake of tables in one format (DuckLake, Iceberg, Hive-style folders): what the command
/// line and the ingestion engine use. Each format implements it over its catalog; every
/// change is one commit, atomic, and may carry an idempotency key.
public protocol TableCatalog: AnyObject {
    var location: LakeLocation { get }

    func listTables() async throws(TableError) -> [TableIdentifier]
    /// Schema (with the format's field ids), partitioning and current state; nil when absent.
    func describe(_ table: TableIdentifier) async throws(TableError) -> TableDescription?
    /// Creates the table (and its namespace) when it does not exist yet; an existing table is
    /// left as it is. `partitionBy` holds fields such as `day(event_time)` or `country`.
    func createTable(_ table: TableIdentifier, schema: Schema, partitionBy: [String]) async throws(TableError)
    /// Starts an append: data files are written as batches arrive and become part of the table
    /// only when the append commits. New columns in `schema` (or later batches) evolve the
    /// table's schema in the same commit.
    func beginAppend(_ table: TableIdentifier, schema: Schema) async throws(TableError) -> any TableAppend
    func history(_ table: TableIdentifier) async throws(TableError) -> [SnapshotDescription]
    func files(_ table: TableIdentifier) async throws(TableError) -> [DataFileDescription]
    /// The data files a scan must read, pruned by partition values and file statistics
    /// (`filter` nil: every file).
    func plan(_ table: TableIdentifier, filter: ScanFilter?) async throws(TableError) -> ScanPlan
    /// Merges small files (per partition) into larger ones, in a new snapshot.
    func compact(_ table: TableIdentifier) async throws(TableError) -> MaintenanceResult
    /// Forgets snapshots older than `seconds` (the current one always stays) and deletes the
    /// files only they referenced.
    func expireSnapshots(_ table: TableIdentifier, olderThan seconds: Double) async throws(TableError) -> MaintenanceResult
    /// Deletes, in every table, the files nothing references (left by writers that died before
    /// their commit) once older than `seconds`; snapshots are not touched. Returns how many.
    /// The age keeps the files of appends still in progress, which no commit names yet.
    func sweepUnreferencedFiles(olderThan seconds: Double) async throws(TableError) -> Int
    func dropTable(_ table: TableIdentifier) async throws(TableError)
    func close() async
}

public protocol TableAppend: AnyObject {
    func write(_ batch: RecordBatch) async throws(TableError)
    /// Publishes the files and commits them in one catalog transaction together with
    /// `idempotencyKey`. A key committed before makes this a no-op that says so (the files
    /// written for it are deleted). When the outcome of a commit is unknown (the connection
    /// died during COMMIT), the key is looked up before any retry.
    func commit(idempotencyKey: String?, message: String?) async throws(TableError) -> CommitOutcome
    /// Drops the files written so far.
    func abort() async
}

public enum CommitOutcome: Sendable, Hashable {
    case committed(snapshot: Int64, files: Int, rows: Int)
    /// The idempotency key was committed before, by this snapshot: nothing changed.
    case alreadyCommitted(snapshot: Int64)
}

public struct TableDescription: Sendable {
    public var identifier: TableIdentifier
    public var schema: Schema
    /// As written for `--partition`: `day(event_time)`, `country`.
    public var partitionBy: [String]
    public var currentSnapshot: Int64?
    public var recordCount: Int
    public var fileCount: Int
    public var totalBytes: Int
    /// Format-specific facts worth showing (`location`, `format-version`, `data_path`, …).
    public var properties: [(String, String)]

    public init(
        identifier: TableIdentifier, schema: Schema, partitionBy: [String], currentSnapshot: Int64?, recordCount: Int,
        fileCount: Int, totalBytes: Int, properties: [(String, String)] = []
    ) {
        self.identifier = identifier
        self.schema = schema
        self.partitionBy = partitionBy
        self.currentSnapshot = currentSnapshot
        self.recordCount = recordCount
        self.fileCount = fileCount
        self.totalBytes = totalBytes
        self.properties = properties
    }
}

public struct SnapshotDescription: Sendable, Hashable {
    public var id: Int64
    /// Seconds since the epoch.
    public var timestamp: Double
    /// `append`, `replace` (compaction), `create`, …
    public var operation: String
    public var summary: String
    public var idempotencyKey: String?

    public init(id: Int64, timestamp: Double, operation: String, summary: String, idempotencyKey: String? = nil) {
        self.id = id
        self.timestamp = timestamp
        self.operation = operation
        self.summary = summary
        self.idempotencyKey = idempotencyKey
    }
}

public struct DataFileDescription: Sendable, Hashable {
    public var url: String
    public var recordCount: Int
    public var fileSize: Int
    /// `day=5`, `country=CH`; empty when not partitioned.
    public var partition: [String]

    public init(url: String, recordCount: Int, fileSize: Int, partition: [String]) {
        self.url = url
        self.recordCount = recordCount
        self.fileSize = fileSize
        self.partition = partition
    }
}

/// `column op literal`, as `--where` spells it: `=`, `!=`, `<`, `<=`, `>`, `>=`.
public struct ScanFilter: Sendable, Hashable {
    public enum Operator: String, Sendable, CaseIterable {
        case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    }
    public var column: String
    public var op: Operator
    /// The literal as typed; the table's column type decides how it reads.
    public var literal: String

    public init(column: String, op: Operator, literal: String) {
        self.column = column
        self.op = op
        self.literal = literal
    }

    /// Parses `col op literal` (the literal may be quoted with ' or ").
    public init(parsing text: String) throws(TableError) {
        let characters = Array(text)
        for op in [Operator.lessOrEqual, .greaterOrEqual, .notEqual, .equal, .less, .greater] {
            let symbol = Array(op.rawValue)
            guard let start = (0...max(0, characters.count - symbol.count)).first(where: {
                $0 + symbol.count <= characters.count && Array(characters[$0..<($0 + symbol.count)]) == symbol
            }) else { continue }
            let column = trimmedSpaces(String(characters[..<start]))
            var literal = trimmedSpaces(String(characters[(start + symbol.count)...]))
            if literal.count >= 2, let first = literal.first, first == "'" || first == "\"", literal.last == first {
                literal = String(literal.dropFirst().dropLast())
            }
            guard !column.isEmpty, !literal.isEmpty else { break }
            self.init(column: column, op: op, literal: literal)
            return
        }
        throw TableError(.invalidArgument, "--where takes 'column op literal' with op one of = != < <= > >=", subject: text)
    }
}

/// What a scan reads: data files, each with the table column each file column maps to.
public struct ScanPlan: Sendable {
    public struct Task: Sendable {
        public var url: String
        public var recordCount: Int
        public init(url: String, recordCount: Int) {
            self.url = url
            self.recordCount = recordCount
        }
    }
    public var schema: Schema
    public var tasks: [Task]
    /// Files left out by partition values or statistics.
    public var prunedFiles: Int
    /// Rows the catalog holds outside data files (DuckLake inlined data), already decoded.
    public var inlinedRows: [RecordBatch]

    public init(schema: Schema, tasks: [Task], prunedFiles: Int, inlinedRows: [RecordBatch] = []) {
        self.schema = schema
        self.tasks = tasks
        self.prunedFiles = prunedFiles
        self.inlinedRows = inlinedRows
    }
}

public struct MaintenanceResult: Sendable, Hashable {
    public var snapshot: Int64?
    public var filesAdded: Int
    public var filesRemoved: Int
    public var filesDeleted: Int

    public init(snapshot: Int64?, filesAdded: Int, filesRemoved: Int, filesDeleted: Int) {
        self.snapshot = snapshot
        self.filesAdded = filesAdded
        self.filesRemoved = filesRemoved
        self.filesDeleted = filesDeleted
    }
}
