import Columnar
import Database
import Foundation
import Parquet
import Tables

extension DuckLakeCatalog {
    /// Files below this size are compacted.
    static let smallFileBytes = DuckLakeAppend.targetFileBytes / 2

    /// Merges the small files of each partition into one new file (or a few, past the target
    /// size) in a new snapshot. The merged files end in that snapshot (`end_snapshot`), so
    /// older snapshots still read them; snapshot expiry deletes them once no snapshot does.
    /// Files with deletions are left to DuckDB's own rewrite, inlined rows stay inlined.
    public func compact(_ table: TableIdentifier) async throws(TableError) -> MaintenanceResult {
        let loaded = try await requireTable(table)
        let files = try await liveFiles(loaded)
        var groups: [[String?]: [LiveFile]] = [:]
        var order: [[String?]] = []
        for file in files where file.fileSize < Self.smallFileBytes && !file.hasDeletes && key(of: file.location) != nil {
            // Files of another partitioning than the current one are grouped apart.
            let group = [file.partitionId.map(String.init)] + file.partitionKey
            if groups[group] == nil { order.append(group) }
            groups[group, default: []].append(file)
        }
        let merging = order.compactMap { groups[$0]!.count >= 2 ? groups[$0]! : nil }
        guard !merging.isEmpty else {
            return MaintenanceResult(snapshot: nil, filesAdded: 0, filesRemoved: 0, filesDeleted: 0)
        }
        guard let tableKey = key(of: loaded.path) else {
            throw TableError(.unsupported, "the table's folder is outside the data path", subject: table.description)
        }
        var written: [(file: WrittenDataFile, path: String, partitionId: Int64?, values: [String?])] = []
        var replaced: [LiveFile] = []
        do throws(TableError) {
            for group in merging {
                // The merged file goes where the group's files are (their partition folder).
                let folder = group[0].storedPath.split(separator: "/").dropLast().joined(separator: "/")
                let writer = PartitionedFileWriter(
                    store: store, schema: loaded.schema, options: DuckLakeAppend.writeOptions,
                    targetFileBytes: DuckLakeAppend.targetFileBytes, partitionKeys: nil,
                    fileKey: { _ throws(TableError) in
                        try tableKey.appending((folder.isEmpty ? "" : folder + "/") + "ducklake-\(UUIDv7.make()).parquet")
                    })
                do throws(TableError) {
                    for file in group {
                        try await forEachBatch(file.location, schema: loaded.schema) { batch throws(TableError) in
                            try await writer.write(batch)
                        }
                    }
                    for file in try await writer.finish() {
                        written.append(
                            (file, String(file.key.path.dropFirst(tableKey.path.count + 1)), group[0].partitionId, group[0].partitionKey))
                    }
                } catch {
                    writer.abort()
                    throw error
                }
                replaced += group
            }
        } catch {
            for file in written { try? await store.delete(file.file.key) }
            throw error
        }
        let author = self.author
        let newFiles = written
        let tracker = CommitTracker()
        do {
            let snapshot = try await commitLoop(subject: table.description) { connection in
                try await Self.compactionTransaction(
                    connection, table: loaded, replaced: replaced, written: newFiles, author: author)
            } afterUnknownOutcome: { () async throws(TableError) -> Int64? in
                tracker.outcomeUnknown = true
                let found = try await self.snapshotOfFile(table: loaded.id, path: newFiles[0].path)
                if found == nil { tracker.outcomeUnknown = false }
                return found
            }
            return MaintenanceResult(snapshot: snapshot, filesAdded: written.count, filesRemoved: replaced.count, filesDeleted: 0)
        } catch {
            if !tracker.outcomeUnknown { for file in written { try? await store.delete(file.file.key) } }
            throw error
        }
    }

    private func snapshotOfFile(table: Int64, path: String) async throws(TableError) -> Int64? {
        try await guarded("cannot look up the commit") {
            try await database.withConnection { connection in
                try await connection.queryFirst(
                    "SELECT begin_snapshot FROM ducklake_data_file WHERE table_id = ? AND path = ?", [.integer(table), .text(path)]
                ).map { try $0.int64(0) }
            }
        }
    }

    private static nonisolated(nonsending) func compactionTransaction(_ connection: any SQLConnection, table: LoadedTable,
        replaced: [LiveFile], written: [(file: WrittenDataFile, path: String, partitionId: Int64?, values: [String?])],
        author: String?
    ) async throws -> Int64 {
        let subject = table.identifier.description
        let snapshot = try await CatalogQueries.latestSnapshot(connection)
        if snapshot.id != table.snapshot.id {
            for text in try await CatalogQueries.changes(connection, after: table.snapshot.id) {
                for (kind, argument) in CatalogQueries.parseChanges(text) where argument == String(table.id) {
                    // Appends are fine (their files are not touched); anything else may have
                    // changed the files or the schema they were merged with.
                    if kind != "inserted_into_table" && kind != "inlined_insert" {
                        throw TableError(.conflict, "the table changed (\(kind)) while it was being compacted", subject: subject)
                    }
                }
            }
        }
        let newSnapshot = snapshot.id + 1
        try await DuckLakeCatalog.insertSnapshot(
            connection,
            SnapshotRow(
                id: newSnapshot, schemaVersion: snapshot.schemaVersion, nextCatalogId: snapshot.nextCatalogId,
                nextFileId: snapshot.nextFileId + Int64(written.count)),
            changes: "merge_adjacent:\(table.id)", author: author, message: "lakegate compaction", extraInfo: nil)
        for chunk in replaced.chunked(200) {
            let ended = try await connection.execute(
                "UPDATE ducklake_data_file SET end_snapshot = ? WHERE end_snapshot IS NULL AND data_file_id IN ("
                    + Array(repeating: "?", count: chunk.count).joined(separator: ", ") + ")",
                [.integer(newSnapshot)] + chunk.map { .integer($0.id) })
            guard ended == chunk.count else {
                throw TableError(.conflict, "files being compacted were removed by a concurrent commit", subject: subject)
            }
        }
        let tableId = SQLValue.integer(table.id)
        let stats = try await connection.queryFirst(
            "SELECT record_count, next_row_id, file_size_bytes FROM ducklake_table_stats WHERE table_id = ?", [tableId])
        var nextRowId = try stats?.optionalInt64("next_row_id") ?? 0
        var records: [FileRecord] = []
        var fileId = snapshot.nextFileId
        for entry in written {
            records.append(
                FileRecord(
                    id: fileId, path: entry.path, file: entry.file, rowIdStart: nextRowId, partitionId: entry.partitionId,
                    partitionValues: entry.values))
            fileId += 1
            nextRowId += Int64(entry.file.recordCount)
        }
        try await DuckLakeCatalog.insertFiles(connection, records, tableId: table.id, snapshot: newSnapshot)
        let removedBytes = replaced.reduce(Int64(0)) { $0 + Int64($1.fileSize) }
        let addedBytes = written.reduce(Int64(0)) { $0 + Int64($1.file.fileSize) }
        if let stats {
            try await connection.execute(
                "UPDATE ducklake_table_stats SET next_row_id = ?, file_size_bytes = ? WHERE table_id = ?",
                [.integer(nextRowId), .integer(max(0, (try stats.optionalInt64("file_size_bytes") ?? 0) - removedBytes + addedBytes)), tableId])
        }
        return newSnapshot
    }

    // MARK: Expiry

    /// Forgets the lake's snapshots older than `seconds` (the latest always stays; DuckLake's
    /// snapshots are shared by all its tables, so this is lake-wide), moves files that no
    /// remaining snapshot reads to `ducklake_files_scheduled_for_deletion` as DuckDB's
    /// `ducklake_expire_snapshots` does, then deletes every scheduled file from storage and
    /// the catalog (`ducklake_cleanup_old_files`).
    public func expireSnapshots(_ table: TableIdentifier, olderThan seconds: Double) async throws(TableError)
        -> MaintenanceResult
    {
        guard seconds >= 0 else { throw TableError(.invalidArgument, "the age must not be negative") }
        let cutoff = Date().timeIntervalSince1970 - seconds
        let removed: Int = try await commitLoop(subject: table.description) { connection in
            try await Self.expireTransaction(connection, cutoff: cutoff)
        } afterUnknownOutcome: { () async throws(TableError) -> Int? in
            nil  // running it again is harmless: it only finds what is left to do
        }
        let deleted = try await deleteScheduledFiles()
        let orphans = try await sweepOrphans(olderThan: max(seconds, Self.orphanGrace))
        return MaintenanceResult(snapshot: nil, filesAdded: 0, filesRemoved: removed, filesDeleted: deleted + orphans)
    }

    public func sweepUnreferencedFiles(olderThan seconds: Double) async throws(TableError) -> Int {
        guard seconds >= 0 else { throw TableError(.invalidArgument, "the age must not be negative") }
        return try await sweepOrphans(olderThan: seconds)
    }

    /// How old a Parquet object that no catalog row names must be before it is swept: an append
    /// in progress writes its files before its commit names them.
    static let orphanGrace: Double = 3600

    /// Deletes Parquet objects in the data path that no data or delete file row and no
    /// scheduled deletion names (left by appends that died before committing), once older
    /// than `seconds`.
    private func sweepOrphans(olderThan seconds: Double) async throws(TableError) -> Int {
        let named: Set<ObjectKey> = try await guarded("cannot read the catalog's files") {
            try await database.withConnection { connection in
                var folders: [Int64: CatalogPath] = [:]
                var keys: Set<ObjectKey> = []
                for row in try await connection.query(
                    "SELECT table_id, path, path_is_relative FROM ducklake_data_file UNION ALL SELECT table_id, path, path_is_relative FROM ducklake_delete_file")
                {
                    let tableId = try row.int64(0)
                    if folders[tableId] == nil {
                        var folder = CatalogPath.relative("")
                        if let table = try await connection.queryFirst(
                            "SELECT t.path AS tp, t.path_is_relative AS tr, s.path AS sp, s.path_is_relative AS sr FROM ducklake_table t JOIN ducklake_schema s ON s.schema_id = t.schema_id WHERE t.table_id = ? ORDER BY t.begin_snapshot DESC",
                            [.integer(tableId)])
                        {
                            folder = folder.appending(try table.optionalString("sp") ?? "", relative: try table.optionalBool("sr") ?? true)
                            folder = folder.appending(try table.optionalString("tp") ?? "", relative: try table.optionalBool("tr") ?? true)
                        }
                        folders[tableId] = folder
                    }
                    let location = folders[tableId]!.appending(try row.string(1), relative: try row.optionalBool(at: 2) ?? true)
                    if let key = self.key(of: location) { keys.insert(key) }
                }
                for row in try await connection.query("SELECT path, path_is_relative FROM ducklake_files_scheduled_for_deletion") {
                    let location: CatalogPath = (try row.optionalBool(at: 1) ?? true) ? .relative(try row.string(0)) : .absolute(try row.string(0))
                    if let key = self.key(of: location) { keys.insert(key) }
                }
                return keys
            }
        }
        let cutoff = Date().timeIntervalSince1970 - seconds
        var swept = 0
        for object in try await store.list(under: nil)
        where object.key.path.hasSuffix(".parquet") && !named.contains(object.key) && object.modified < cutoff {
            try await store.delete(object.key)
            swept += 1
        }
        return swept
    }

    private static nonisolated(nonsending) func expireTransaction(_ connection: any SQLConnection, cutoff: Double) async throws -> Int {
        let latest = try await CatalogQueries.latestSnapshot(connection)
        var remaining: [Int64] = []
        var expired: [Int64] = []
        for row in try await connection.query(
            "SELECT snapshot_id, CAST(snapshot_time AS VARCHAR) AS t FROM ducklake_snapshot ORDER BY snapshot_id")
        {
            let id = try row.int64(0)
            let time = try row.optionalString(at: 1).flatMap(CatalogTime.seconds)
            if id != latest.id, let time, time < cutoff { expired.append(id) } else { remaining.append(id) }
        }
        for chunk in expired.chunked(500) {
            let list = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            let binds = chunk.map { SQLValue.integer($0) }
            try await connection.execute("DELETE FROM ducklake_snapshot WHERE snapshot_id IN (\(list))", binds)
            try await connection.execute("DELETE FROM ducklake_snapshot_changes WHERE snapshot_id IN (\(list))", binds)
        }
        // A file [begin, end) is read by a remaining snapshot r when begin <= r < end.
        func referenced(_ begin: Int64, _ end: Int64) -> Bool {
            var low = 0
            var high = remaining.count
            while low < high {
                let mid = (low + high) / 2
                if remaining[mid] < begin { low = mid + 1 } else { high = mid }
            }
            return low < remaining.count && remaining[low] < end
        }
        var folders: [Int64: CatalogPath] = [:]
        nonisolated(nonsending) func folder(_ tableId: Int64) async throws -> CatalogPath {
            if let known = folders[tableId] { return known }
            var path = CatalogPath.relative("")
            if let row = try await connection.queryFirst(
                "SELECT t.path AS tp, t.path_is_relative AS tr, s.path AS sp, s.path_is_relative AS sr FROM ducklake_table t JOIN ducklake_schema s ON s.schema_id = t.schema_id WHERE t.table_id = ? ORDER BY t.begin_snapshot DESC",
                [.integer(tableId)])
            {
                path = path.appending(try row.optionalString("sp") ?? "", relative: try row.optionalBool("sr") ?? true)
                path = path.appending(try row.optionalString("tp") ?? "", relative: try row.optionalBool("tr") ?? true)
            }
            folders[tableId] = path
            return path
        }
        let now = CatalogTime.text()
        var removed = 0
        for (table, idColumn) in [("ducklake_data_file", "data_file_id"), ("ducklake_delete_file", "delete_file_id")] {
            var gone: [Int64] = []
            for row in try await connection.query(
                "SELECT \(idColumn), table_id, begin_snapshot, end_snapshot, path, path_is_relative FROM \(table) WHERE end_snapshot IS NOT NULL")
            {
                let begin = try row.optionalInt64("begin_snapshot") ?? 0
                let end = try row.int64("end_snapshot")
                guard !referenced(begin, end) else { continue }
                let id = try row.int64(idColumn)
                let location = try await folder(try row.int64("table_id")).appending(
                    try row.string("path"), relative: try row.optionalBool("path_is_relative") ?? true)
                let (path, relative): (String, Bool)
                switch location {
                case .relative(let p): (path, relative) = (p, true)
                case .absolute(let p): (path, relative) = (p, false)
                }
                try await connection.execute(
                    "INSERT INTO ducklake_files_scheduled_for_deletion (data_file_id, path, path_is_relative, schedule_start) VALUES (?, ?, ?, ?)",
                    [.integer(id), .text(path), .boolean(relative), .text(now)])
                gone.append(id)
            }
            for chunk in gone.chunked(500) {
                let list = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                let binds = chunk.map { SQLValue.integer($0) }
                try await connection.execute("DELETE FROM \(table) WHERE \(idColumn) IN (\(list))", binds)
                if table == "ducklake_data_file" {
                    for companion in ["ducklake_file_column_stats", "ducklake_file_partition_value", "ducklake_file_variant_stats"] {
                        try await connection.execute("DELETE FROM \(companion) WHERE data_file_id IN (\(list))", binds)
                    }
                }
            }
            removed += gone.count
        }
        return removed
    }

    /// Deletes the objects of `ducklake_files_scheduled_for_deletion`, each row removed once
    /// its object is gone (a crash in between leaves the row for the next run).
    private func deleteScheduledFiles() async throws(TableError) -> Int {
        let rows = try await guarded("cannot read the files scheduled for deletion") {
            try await database.withConnection { connection in
                try await connection.query(
                    "SELECT data_file_id, path, path_is_relative FROM ducklake_files_scheduled_for_deletion"
                ).map { (try $0.int64(0), try $0.string(1), try $0.optionalBool(at: 2) ?? true) }
            }
        }
        var deleted = 0
        for (id, path, relative) in rows {
            let location: CatalogPath = relative ? .relative(path) : .absolute(path)
            // A file outside the store is not ours to delete; its row stays.
            guard let key = key(of: location) else { continue }
            try await store.delete(key)
            deleted += 1
            try await guarded("cannot update the files scheduled for deletion") {
                try await database.execute(
                    "DELETE FROM ducklake_files_scheduled_for_deletion WHERE data_file_id = ? AND path = ?",
                    [.integer(id), .text(path)])
            }
        }
        return deleted
    }
}
