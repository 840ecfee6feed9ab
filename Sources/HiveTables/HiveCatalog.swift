import Columnar
import Foundation
import LakegateCore
import Parquet
public import Tables

/// Plain Hive-partitioned Parquet folders (`hive:DIR`), for consumers that want files and no
/// catalog: `DIR/<namespace>/<table>/year=2025/month=01/day=05/hour=13/part-<uuid>.parquet`.
///
/// Lakegate's own bookkeeping sits in the table's `_lakegate/` folder, which readers skip
/// (names starting with `_`): the schema (`schema.parquet-footer`: a Parquet file of no rows,
/// not named `.parquet` so globs skip it; partitioning in its
/// metadata) and one commit record per commit. A commit is exactly-once without a database:
/// 1. data files are written under `_lakegate/staging/<commit>/` (named `.staged`, so no glob
///    for `*.parquet` sees them);
/// 2. the commit record (`_lakegate/commits/<sequence>-<uuid>.commit`) is published
///    atomically: from then on the commit has happened. A record with an idempotency key sits
///    in the key's own folder (`_lakegate/commits/keys/<hash of the key>/`), so checking a key
///    lists that folder only and costs the same at the thousandth commit as at the tenth;
/// 3. the files are moved into place. A commit interrupted after step 2 is finished by the
///    next writer (roll forward); one interrupted before leaves only staged files, swept later.
/// A commit whose idempotency key has a record already changes nothing.
public final class HiveCatalog: TableCatalog {
    public let location: LakeLocation
    private let store: any ObjectStore

    public init(location: LakeLocation, store: any ObjectStore) {
        self.location = location
        self.store = store
    }

    public func close() async {}

    // MARK: Layout

    static let control = "_lakegate"

    func tableKey(_ table: TableIdentifier) throws(TableError) -> ObjectKey {
        try ObjectKey("\(table.namespace)/\(table.name)")
    }

    private func schemaKey(_ table: TableIdentifier) throws(TableError) -> ObjectKey {
        try tableKey(table).appending("\(Self.control)/schema.parquet-footer")
    }

    private func commitsKey(_ table: TableIdentifier) throws(TableError) -> ObjectKey {
        try tableKey(table).appending("\(Self.control)/commits")
    }

    // MARK: Tables

    public func listTables() async throws(TableError) -> [TableIdentifier] {
        var tables: Set<TableIdentifier> = []
        for object in try await store.list(under: nil) {
            let parts = object.key.segments
            if parts.count == 4, parts[2] == Self.control, parts[3] == "schema.parquet-footer",
                let table = try? TableIdentifier(namespace: String(parts[0]), name: String(parts[1]))
            {
                tables.insert(table)
            }
        }
        return tables.sorted { $0.description < $1.description }
    }

    public func createTable(_ table: TableIdentifier, schema: Schema, partitionBy: [String]) async throws(TableError) {
        if try await store.info(try schemaKey(table)) != nil { return }
        for field in partitionBy {
            let (_, column) = try CalendarTransform.parse(field)
            guard schema[column] != nil else {
                throw TableError(.invalidArgument, "partition column '\(column)' is not in the schema", subject: table.description)
            }
        }
        try await writeSchema(table, schema, partitionBy: partitionBy)
    }

    private func writeSchema(_ table: TableIdentifier, _ schema: Schema, partitionBy: [String]) async throws(TableError) {
        var options = ParquetWriteOptions()
        options.keyValueMetadata["lakegate.partition_by"] = partitionBy.joined(separator: ";")
        let sink = MemoryByteSink()
        do {
            let writer = try ParquetFileWriter(sink: sink, schema: Schema(schema.fields), options: options)
            _ = try writer.close()
        } catch {
            throw TableError(.invalidArgument, "cannot record the schema: \(error)", subject: table.description)
        }
        try await store.put(try schemaKey(table), sink.bytes)
    }

    private func readSchema(_ table: TableIdentifier) async throws(TableError) -> (Schema, [String])? {
        let key = try schemaKey(table)
        guard try await store.info(key) != nil else { return nil }
        let bytes = try await store.get(key, limit: 16 << 20)
        do {
            let reader = try ParquetFileReader(source: MemoryByteSource(bytes))
            let partitionBy = (reader.schema.metadata["lakegate.partition_by"] ?? "").split(separator: ";").map(String.init)
            return (Schema(reader.schema.fields), partitionBy)
        } catch {
            throw TableError(.corrupt, "unreadable schema record: \(error)", subject: table.description)
        }
    }

    public func describe(_ table: TableIdentifier) async throws(TableError) -> TableDescription? {
        guard let (schema, partitionBy) = try await readSchema(table) else { return nil }
        try await rollForward(table)
        let commits = try await readCommits(table)
        let files = try await dataFiles(table)
        return TableDescription(
            identifier: table, schema: schema, partitionBy: partitionBy, currentSnapshot: commits.last?.sequence,
            recordCount: commits.reduce(0) { $0 + $1.rows }, fileCount: files.count,
            totalBytes: files.reduce(0) { $0 + $1.size },
            properties: [("location", store.url(of: try tableKey(table))), ("format", "hive")])
    }

    public func dropTable(_ table: TableIdentifier) async throws(TableError) {
        guard try await readSchema(table) != nil else { throw TableError(.notFound, "no such table", subject: table.description) }
        for object in try await store.list(under: try tableKey(table)) { try await store.delete(object.key) }
    }

    // MARK: Appends

    public func beginAppend(_ table: TableIdentifier, schema: Schema) async throws(TableError) -> any TableAppend {
        guard let (tableSchema, partitionBy) = try await readSchema(table) else {
            throw TableError(.notFound, "no such table", subject: table.description)
        }
        let merged = try Self.evolve(tableSchema, with: schema, table: table)
        if merged != tableSchema { try await writeSchema(table, merged, partitionBy: partitionBy) }
        return try HiveAppend(catalog: self, store: store, table: table, schema: merged, partitionBy: partitionBy)
    }

    /// The table's schema with the new columns of `incoming` added (existing ones keep their type).
    static func evolve(_ schema: Schema, with incoming: Schema, table: TableIdentifier) throws(TableError) -> Schema {
        var fields = schema.fields
        for field in incoming.fields {
            if let existing = schema[field.name] {
                guard existing.type == field.type || field.type == .null else {
                    throw TableError(
                        .conflict, "column '\(field.name)' is \(existing.type) in the table, \(field.type) in the input",
                        subject: table.description)
                }
            } else {
                fields.append(Field(field.name, field.type))
            }
        }
        return Schema(fields)
    }

    // MARK: Commit records

    struct CommitRecord {
        var sequence: Int64
        var key: ObjectKey
        var idempotencyKey: String?
        var timestamp: Double
        var rows: Int
        /// Staged key -> final key.
        var moves: [(ObjectKey, ObjectKey)]
    }

    /// The table's commit records in commit order; with `idempotencyKey`, only the records
    /// carrying that key (read from the key's folder alone).
    func readCommits(_ table: TableIdentifier, idempotencyKey: String? = nil) async throws(TableError) -> [CommitRecord] {
        var records: [CommitRecord] = []
        var folder = try commitsKey(table)
        if let idempotencyKey { folder = try folder.appending(Self.keyFolder(idempotencyKey)) }
        for object in try await store.list(under: folder) where object.key.path.hasSuffix(".commit") {
            let text = String(decoding: try await store.get(object.key, limit: 64 << 20), as: UTF8.self)
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard lines.count >= 4, let sequence = Int64(lines[0]), let timestamp = Double(lines[2]), let rows = Int(lines[3])
            else { throw TableError(.corrupt, "unreadable commit record", subject: object.key.path) }
            let idempotency = lines[1].isEmpty ? nil : Self.unescape(lines[1])
            lines.removeFirst(4)
            var moves: [(ObjectKey, ObjectKey)] = []
            for line in lines where !line.isEmpty {
                let pair = line.split(separator: "\t").map(String.init)
                guard pair.count == 2 else { throw TableError(.corrupt, "unreadable commit record", subject: object.key.path) }
                moves.append((try ObjectKey(pair[0]), try ObjectKey(pair[1])))
            }
            records.append(
                CommitRecord(
                    sequence: sequence, key: object.key, idempotencyKey: idempotency, timestamp: timestamp, rows: rows,
                    moves: moves))
        }
        if let idempotencyKey { records.removeAll { $0.idempotencyKey != idempotencyKey } }
        return records.sorted { $0.sequence < $1.sequence }
    }

    /// `keys/<16 hex digits>`: FNV-1a of the key. Keys that share a hash share a folder and are
    /// told apart by the key inside each record.
    static func keyFolder(_ idempotencyKey: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in idempotencyKey.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "keys/" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    func writeCommit(_ record: CommitRecord) async throws(TableError) {
        var text = "\(record.sequence)\n\(record.idempotencyKey.map(Self.escape) ?? "")\n\(record.timestamp)\n\(record.rows)\n"
        for (staged, final) in record.moves { text += "\(staged.path)\t\(final.path)\n" }
        try await store.put(record.key, Array(text.utf8))
    }

    /// Finishes the moves of commits whose record exists (a writer died after committing).
    /// Records younger than a minute belong to writers still at work (a retry of the same job
    /// finishes its own record at once: `finishMoves`).
    func rollForward(_ table: TableIdentifier) async throws(TableError) {
        let settled = Date().timeIntervalSince1970 - 60
        for record in try await readCommits(table) where record.timestamp < settled {
            try await finishMoves(record)
        }
    }

    /// Moves a committed record's files into place; a file someone else moved meanwhile is done.
    func finishMoves(_ record: CommitRecord) async throws(TableError) {
        for (staged, final) in record.moves where try await store.info(staged) != nil {
            do {
                try await store.move(staged, to: final)
            } catch where error.code == .notFound {
                continue
            }
        }
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\t", with: "\\t")
    }

    static func unescape(_ text: String) -> String {
        var out = ""
        var escaped = false
        for character in text {
            if escaped {
                out.append(character == "n" ? "\n" : character == "t" ? "\t" : character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                out.append(character)
            }
        }
        return out
    }

    /// Records are named by time and a random part, so two writers never pick the same name.
    func commitKey(_ table: TableIdentifier, sequence: Int64, idempotencyKey: String?) throws(TableError) -> ObjectKey {
        let name = String(format: "%019lld-", sequence) + UUID().uuidString.lowercased() + ".commit"
        return try commitsKey(table).appending(idempotencyKey.map { Self.keyFolder($0) + "/" + name } ?? name)
    }

    // MARK: Reading

    /// The table's data files (outside `_lakegate/`).
    func dataFiles(_ table: TableIdentifier) async throws(TableError) -> [ObjectInfo] {
        let root = try tableKey(table)
        return try await store.list(under: root).filter {
            let relative = $0.key.path.dropFirst(root.path.count + 1)
            return !relative.hasPrefix(Self.control + "/") && $0.key.path.hasSuffix(".parquet")
        }
    }

    public func history(_ table: TableIdentifier) async throws(TableError) -> [SnapshotDescription] {
        guard try await readSchema(table) != nil else { throw TableError(.notFound, "no such table", subject: table.description) }
        return try await readCommits(table).map {
            SnapshotDescription(
                id: $0.sequence, timestamp: $0.timestamp, operation: "append",
                summary: "\($0.moves.count) files, \($0.rows) rows", idempotencyKey: $0.idempotencyKey)
        }
    }

    public func files(_ table: TableIdentifier) async throws(TableError) -> [DataFileDescription] {
        guard try await readSchema(table) != nil else { throw TableError(.notFound, "no such table", subject: table.description) }
        try await rollForward(table)
        let root = try tableKey(table)
        var result: [DataFileDescription] = []
        for file in try await dataFiles(table) {
            let relative = file.key.path.dropFirst(root.path.count + 1).split(separator: "/").dropLast().map(String.init)
            let rows = try await Self.rowCount(store: store, key: file.key)
            result.append(DataFileDescription(url: store.url(of: file.key), recordCount: rows, fileSize: file.size, partition: relative))
        }
        return result
    }

    static func rowCount(store: any ObjectStore, key: ObjectKey) async throws(TableError) -> Int {
        do {
            return try ParquetFileReader(source: try await store.reader(for: key)).rowCount
        } catch let error as TableError {
            throw error
        } catch {
            throw TableError(.corrupt, "unreadable data file: \(error)", subject: key.path)
        }
    }

    public func plan(_ table: TableIdentifier, filter: ScanFilter?) async throws(TableError) -> ScanPlan {
        guard let (schema, partitionBy) = try await readSchema(table) else {
            throw TableError(.notFound, "no such table", subject: table.description)
        }
        try await rollForward(table)
        let root = try tableKey(table)
        // Identity partitions prune by their folder value; other filters are applied to rows.
        let identity = partitionBy.compactMap { try? CalendarTransform.parse($0) }.filter { $0.0 == .identity }.map(\.column)
        var tasks: [ScanPlan.Task] = []
        var pruned = 0
        for file in try await dataFiles(table) {
            if let filter, filter.op == .equal, identity.contains(filter.column) {
                let folders = file.key.path.dropFirst(root.path.count + 1).split(separator: "/").dropLast()
                let wanted = "\(filter.column)=\(HivePartitioning.escape(filter.literal))"
                if !folders.contains(where: { $0 == wanted }) {
                    pruned += 1
                    continue
                }
            }
            tasks.append(ScanPlan.Task(url: store.url(of: file.key), recordCount: -1))
        }
        return ScanPlan(schema: schema, tasks: tasks, prunedFiles: pruned)
    }

    // MARK: Maintenance

    public func compact(_ table: TableIdentifier) async throws(TableError) -> MaintenanceResult {
        throw TableError(.unsupported, "hive folders have no snapshots to compact into; use a DuckLake or Iceberg table", subject: table.description)
    }

    /// Removes commit records older than the cutoff (keeping the newest) and staged files no
    /// commit names (left by writers that died before committing).
    public func expireSnapshots(_ table: TableIdentifier, olderThan seconds: Double) async throws(TableError) -> MaintenanceResult {
        guard try await readSchema(table) != nil else { throw TableError(.notFound, "no such table", subject: table.description) }
        try await rollForward(table)
        let commits = try await readCommits(table)
        let cutoff = Date().timeIntervalSince1970 - seconds
        var deleted = 0
        for record in commits.dropLast() where record.timestamp < cutoff {
            try await store.delete(record.key)
            deleted += 1
        }
        deleted += try await sweepStaging(table, commits: commits, before: cutoff)
        return MaintenanceResult(snapshot: commits.last?.sequence, filesAdded: 0, filesRemoved: 0, filesDeleted: deleted)
    }

    public func sweepUnreferencedFiles(olderThan seconds: Double) async throws(TableError) -> Int {
        guard seconds >= 0 else { throw TableError(.invalidArgument, "the age must not be negative") }
        let cutoff = Date().timeIntervalSince1970 - seconds
        var deleted = 0
        for table in try await listTables() {
            try await rollForward(table)
            deleted += try await sweepStaging(table, commits: try await readCommits(table), before: cutoff)
        }
        return deleted
    }

    /// Deletes staged files that no commit record moves (their writer died before committing),
    /// once older than `cutoff`.
    private func sweepStaging(_ table: TableIdentifier, commits: [CommitRecord], before cutoff: Double) async throws(TableError) -> Int {
        let named = Set(commits.flatMap { $0.moves.map(\.0) })
        let staging = try tableKey(table).appending("\(Self.control)/staging")
        var deleted = 0
        for object in try await store.list(under: staging) where !named.contains(object.key) && object.modified < cutoff {
            try await store.delete(object.key)
            deleted += 1
        }
        return deleted
    }
}
