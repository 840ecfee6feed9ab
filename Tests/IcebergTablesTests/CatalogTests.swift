import Columnar
import Database
import Foundation
import IcebergTables
import Tables
import Testing

@Suite struct CatalogTests {
    let events = try! TableIdentifier(namespace: "main", name: "events")

    @Test func createsPyicebergTablesAndDescribes() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            try await catalog.createTable(events, schema: Events.schema, partitionBy: ["day(event_time)", "region"])
            try await catalog.createTable(events, schema: Schema([Field("other", .string)]), partitionBy: [])  // no-op
            #expect(try await catalog.listTables() == [events])
            let description = try #require(try await catalog.describe(events))
            #expect(description.schema.fields.map(\.name) == ["id", "event_time", "region", "amount"])
            #expect(description.schema.fields.map(\.id) == [1, 2, 3, 4])
            #expect(description.schema.fields.map(\.type) == Events.schema.fields.map(\.type))
            #expect(description.partitionBy == ["day(event_time)", "region"])
            #expect(description.currentSnapshot == nil && description.recordCount == 0 && description.fileCount == 0)
            let properties = Dictionary(uniqueKeysWithValues: description.properties.map { ($0.0, $0.1) })
            let location = try #require(properties["location"])
            #expect(location == "file://\(lake.dataPath)/main/events")
            let metadata = try #require(properties["metadata_location"])
            #expect(metadata.hasPrefix(location + "/metadata/00000-") && metadata.hasSuffix(".metadata.json"))
            #expect(FileManager.default.fileExists(atPath: String(metadata.dropFirst("file://".count))))
            #expect(try await catalog.describe(try TableIdentifier(name: "missing")) == nil)
            await catalog.close()

            // The catalog tables are those pyiceberg's SqlCatalog creates (SQLAlchemy's DDL).
            let db = try await SQLiteDatabase(configuration: SQLiteConfiguration(path: lake.catalogPath))
            let ddl = try await db.query("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name")
            let sql = Dictionary(uniqueKeysWithValues: try ddl.map { (try $0.string(0), try $0.string(1)) })
            #expect(sql["iceberg_tables"] == """
                CREATE TABLE iceberg_tables (
                \tcatalog_name VARCHAR(255) NOT NULL, 
                \ttable_namespace VARCHAR(255) NOT NULL, 
                \ttable_name VARCHAR(255) NOT NULL, 
                \tmetadata_location VARCHAR(1000), 
                \tprevious_metadata_location VARCHAR(1000), 
                \ticeberg_type VARCHAR(5), 
                \tPRIMARY KEY (catalog_name, table_namespace, table_name)
                )
                """)
            #expect(sql["iceberg_namespace_properties"]?.hasPrefix("CREATE TABLE iceberg_namespace_properties (") == true)
            #expect(sql["lakegate_commits"] != nil)
            let row = try #require(try await db.query("SELECT catalog_name, table_namespace, table_name, iceberg_type, previous_metadata_location FROM iceberg_tables").first)
            #expect(row.values == ["lakegate", "main", "events", "TABLE", .null])
            let namespace = try await db.query("SELECT namespace, property_key, property_value FROM iceberg_namespace_properties")
            #expect(namespace.map(\.values) == [["main", "exists", "true"]])
            try await db.close()
        }
    }

    @Test func refusesADatabaseWithAnotherLakesCommitTable() async throws {
        try await withLake { lake in
            let db = try await SQLiteDatabase(configuration: SQLiteConfiguration(path: lake.catalogPath))
            try await db.execute("CREATE TABLE lakegate_commits(idempotency_key VARCHAR PRIMARY KEY, table_id BIGINT, snapshot_id BIGINT, committed_at TIMESTAMP)")
            try await db.close()
            await #expect(throws: TableError.self) { _ = try await lake.open() }
        }
    }

    @Test func appendsListFilesAndHistory() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            defer { Task { await catalog.close() } }
            try await catalog.createTable(events, schema: Events.schema, partitionBy: ["day(event_time)"])
            // ids 0..<8 span 2025-01-05 .. 2025-01-07 (7 hours apart).
            let first = try await append(catalog, events, [try Events.batch(0..<4), try Events.batch(4..<8)], key: "k1")
            guard case .committed(let snapshot1, let files1, let rows1) = first else {
                Issue.record("not committed: \(first)")
                return
            }
            #expect(rows1 == 8 && files1 == 3)
            let second = try await append(catalog, events, [try Events.batch(8..<10)])
            guard case .committed(let snapshot2, _, _) = second else { Issue.record("not committed"); return }

            let files = try await catalog.files(events)
            #expect(files.map(\.recordCount).reduce(0, +) == 10)
            #expect(Set(files.map { $0.partition }) == [["event_time_day=2025-01-05"], ["event_time_day=2025-01-06"], ["event_time_day=2025-01-07"]])
            for file in files {
                #expect(file.url.hasPrefix("file://\(lake.dataPath)/main/events/data/\(file.partition[0])/"))
                #expect(file.url.hasSuffix(".parquet"))
            }
            let description = try #require(try await catalog.describe(events))
            #expect(description.recordCount == 10 && description.fileCount == files.count)
            #expect(description.totalBytes == files.map(\.fileSize).reduce(0, +))
            #expect(description.currentSnapshot == snapshot2)

            let history = try await catalog.history(events)
            #expect(history.map(\.id) == [snapshot1, snapshot2])
            #expect(history.map(\.operation) == ["append", "append"])
            #expect(history.map(\.idempotencyKey) == ["k1", nil])
            #expect(history[0].summary.hasPrefix("test append ("))
            #expect(history[0].summary.contains("added-records=8"))

            let rows = try await tableRows(catalog, events)
            #expect(ids(rows) == Array(0..<10))
            #expect(rows[3] == [.int(3), .timestamp(Events.time(3), .microsecond, utc: true), .string("eu"), .double(4.5)])
        }
    }

    @Test func sameIdempotencyKeyCommitsOnce() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            defer { Task { await catalog.close() } }
            try await catalog.createTable(events, schema: Events.schema, partitionBy: [])
            let first = try await append(catalog, events, [try Events.batch(0..<5)], key: "batch-0001")
            guard case .committed(let snapshot, _, _) = first else { Issue.record("not committed"); return }
            let dataBefore = try await lake.objects(under: "main/events/data")
            let metadataBefore = try await lake.objects(under: "main/events/metadata")

            let again = try await append(catalog, events, [try Events.batch(100..<105)], key: "batch-0001")
            #expect(again == .alreadyCommitted(snapshot: snapshot))
            // Nothing changed: no snapshot, and the second append's files are gone.
            #expect(try await catalog.history(events).count == 1)
            #expect(try await lake.objects(under: "main/events/data") == dataBefore)
            #expect(try await lake.objects(under: "main/events/metadata") == metadataBefore)
            #expect(ids(try await tableRows(catalog, events)) == Array(0..<5))

            // Another catalog object on the same database sees the key too.
            let other = try await lake.open()
            let third = try await append(other, events, [try Events.batch(200..<201)], key: "batch-0001")
            #expect(third == .alreadyCommitted(snapshot: snapshot))
            await other.close()
        }
    }

    @Test func unknownCommitOutcomesAreResolved() async throws {
        try await withLake { lake in
            let database = FlakyDatabase(try await SQLiteDatabase(configuration: SQLiteConfiguration(path: lake.catalogPath)))
            let catalog = try await IcebergCatalog.open(database: database, location: lake.location, store: try lake.store())
            defer { Task { await catalog.close() } }
            try await catalog.createTable(events, schema: Events.schema, partitionBy: [])

            // The COMMIT landed but its reply was lost: the key shows it, nothing is done twice.
            database.failNextTransactions([.lostAfterCommit])
            let landed = try await append(catalog, events, [try Events.batch(0..<3)], key: "a")
            guard case .committed(let snapshot, 1, 3) = landed else { Issue.record("\(landed)"); return }
            #expect(try await catalog.history(events).map(\.id) == [snapshot])

            // The COMMIT did not land: the key is not there, so the commit is tried again.
            database.failNextTransactions([.lostBeforeCommit, .lostBeforeCommit])
            let retried = try await append(catalog, events, [try Events.batch(3..<6)], key: "b")
            guard case .committed = retried else { Issue.record("\(retried)"); return }

            // Without a key the snapshot itself is looked for.
            database.failNextTransactions([.lostAfterCommit])
            let noKey = try await append(catalog, events, [try Events.batch(6..<9)])
            guard case .committed = noKey else { Issue.record("\(noKey)"); return }
            database.failNextTransactions([.lostBeforeCommit])
            let noKeyRetried = try await append(catalog, events, [try Events.batch(9..<12)])
            guard case .committed = noKeyRetried else { Issue.record("\(noKeyRetried)"); return }

            #expect(try await catalog.history(events).count == 4)
            #expect(ids(try await tableRows(catalog, events)) == Array(0..<12))
            #expect(try await lake.objects(under: "main/events/data").count == 4)

            // The database stays unreachable after the lost COMMIT: the outcome cannot be
            // checked, so the commit fails and keeps every file it wrote.
            let dataBefore = try await lake.objects(under: "main/events/data").count
            let pending = try await catalog.beginAppend(events, schema: Events.schema)
            try await pending.write(try Events.batch(12..<14))
            database.failNextTransactions([.lostAfterCommitThenDown])
            await #expect(throws: TableError.self) { try await pending.commit(idempotencyKey: "c", message: nil) }
            database.down.withLock { $0 = false }
            #expect(try await lake.objects(under: "main/events/data").count == dataBefore + 1)
            #expect(ids(try await tableRows(catalog, events)) == Array(0..<14))  // it had landed
            let retry = try await append(catalog, events, [try Events.batch(12..<14)], key: "c")
            guard case .alreadyCommitted = retry else { Issue.record("\(retry)"); return }
            #expect(try await lake.objects(under: "main/events/data").count == dataBefore + 1)
        }
    }

    @Test func newColumnsEvolveTheSchema() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            defer { Task { await catalog.close() } }
            try await catalog.createTable(events, schema: Events.schema, partitionBy: ["region"])
            try await append(catalog, events, [try Events.batch(0..<3)])

            // A later batch of the same append brings a column: the schema grows in that commit.
            let wider = Schema(Events.schema.fields + [Field("note", .string)])
            let builders = wider.fields.map { ColumnBuilder(type: $0.type) }
            for id in 3..<6 {
                try builders[0].append(.int(Int64(id)))
                try builders[1].append(.timestamp(Events.time(id), .microsecond, utc: true))
                try builders[2].append(.string(Events.region(id)))
                try builders[3].append(.double(Events.amount(id)))
                try builders[4].append(.string("note \(id)"))
            }
            let widerBatch = try RecordBatch(schema: wider, columns: builders.map { $0.finish() })
            let append = try await catalog.beginAppend(events, schema: Events.schema)
            try await append.write(try Events.batch(6..<7))
            try await append.write(widerBatch)
            _ = try await append.commit(idempotencyKey: nil, message: nil)

            let description = try #require(try await catalog.describe(events))
            #expect(description.schema.fields.map(\.name) == ["id", "event_time", "region", "amount", "note"])
            #expect(description.schema.fields.last?.id == 5)
            #expect(description.properties.first { $0.0 == "current-schema-id" }?.1 == "1")
            let rows = try await tableRows(catalog, events)
            #expect(ids(rows) == Array(0..<7))
            #expect(rows.map { $0[4] } == [.null, .null, .null, .string("note 3"), .string("note 4"), .string("note 5"), .null])

            // Narrower and differently typed inputs are cast: int32 ids, millisecond timestamps.
            let narrow = Schema([Field("id", .int32, nullable: false), Field("event_time", .timestamp(.millisecond, utc: true))])
            let id = ColumnBuilder(type: .int32)
            let time = ColumnBuilder(type: .timestamp(.millisecond, utc: true))
            try id.append(.int(50))
            try time.append(.timestamp(Events.time(50) / 1000, .millisecond, utc: true))
            try await IcebergTablesTests.append(
                catalog, events, [try RecordBatch(schema: narrow, columns: [id.finish(), time.finish()])])
            let last = try #require(try await tableRows(catalog, events).last)
            #expect(last == [.int(50), .timestamp(Events.time(50), .microsecond, utc: true), .null, .null, .null])
            #expect(try await catalog.describe(events)?.properties.first { $0.0 == "current-schema-id" }?.1 == "1")
        }
    }

    @Test func partitionFieldsInEverySpelling() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            defer { Task { await catalog.close() } }
            let table = try TableIdentifier(namespace: "raw", name: "parts")
            try await catalog.createTable(
                table, schema: Events.schema,
                partitionBy: ["year(event_time)", "month(event_time)", "hour(event_time)", "bucket[4](id)", "truncate(1, region)"])
            let description = try #require(try await catalog.describe(table))
            #expect(description.partitionBy == ["year(event_time)", "month(event_time)", "hour(event_time)", "bucket[4](id)", "truncate[1](region)"])
            try await append(catalog, table, [try Events.batch(0..<2)])
            let files = try await catalog.files(table).sorted { $0.partition.joined() < $1.partition.joined() }
            #expect(files.count == 2)
            // id 0: 2025-01-05 00:00, region eu; bucket(0) = murmur3(0) … as pyiceberg computes it.
            #expect(files.map { $0.partition.prefix(3) } == [
                ["event_time_year=2025", "event_time_month=2025-01", "event_time_hour=2025-01-05-00"],
                ["event_time_year=2025", "event_time_month=2025-01", "event_time_hour=2025-01-05-07"],
            ])
            #expect(files.allSatisfy { $0.partition[3].hasPrefix("id_bucket_4=") && $0.partition[4].hasPrefix("region_trunc_1=") })

            let other = try TableIdentifier(namespace: "raw", name: "other")
            try await catalog.createTable(other, schema: Events.schema, partitionBy: ["bucket(8, id)", "truncate[2](region)", "identity(amount)"])
            #expect(try await catalog.describe(other)?.partitionBy == ["bucket[8](id)", "truncate[2](region)", "amount"])
            for bad in ["bucket(id)", "day()", "week(event_time)", "truncate[x](region)", "bucket[0](id)", "a(b"] {
                await #expect(throws: TableError.self, "\(bad)") {
                    try await catalog.createTable(try TableIdentifier(name: "bad"), schema: Events.schema, partitionBy: [bad])
                }
            }
            // A transform that does not apply to the column's type.
            await #expect(throws: TableError.self) {
                try await catalog.createTable(try TableIdentifier(name: "bad"), schema: Events.schema, partitionBy: ["day(region)"])
            }
            #expect(try await catalog.listTables().map(\.description) == ["raw.other", "raw.parts"])
        }
    }

    @Test func planPrunesByPartitionsAndBounds() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            defer { Task { await catalog.close() } }
            try await catalog.createTable(events, schema: Events.schema, partitionBy: ["day(event_time)"])
            // One append per day: ids 0-3 on the 5th, 4-6 on the 6th, 7-10 on the 7th.
            try await append(catalog, events, [try Events.batch(0..<4)])
            try await append(catalog, events, [try Events.batch(4..<7)])
            try await append(catalog, events, [try Events.batch(7..<11)])
            func plan(_ text: String) async throws -> (files: Int, pruned: Int, rows: Int) {
                let plan = try await catalog.plan(events, filter: try ScanFilter(parsing: text))
                return (plan.tasks.count, plan.prunedFiles, plan.tasks.map(\.recordCount).reduce(0, +))
            }
            let all = try await catalog.plan(events, filter: nil)
            #expect(all.tasks.count == 3 && all.prunedFiles == 0)
            #expect(all.schema.fields.map(\.id) == [1, 2, 3, 4])
            // By partition (the day transform of the column).
            #expect(try await plan("event_time >= '2025-01-06T00:00:00Z'") == (2, 1, 7))
            #expect(try await plan("event_time < 2025-01-06") == (1, 2, 4))
            #expect(try await plan("event_time = '2025-01-06 04:00:00'") == (1, 2, 3))
            // By column bounds: ids, amounts.
            #expect(try await plan("id = 5") == (1, 2, 3))
            #expect(try await plan("id > 100") == (0, 3, 0))
            #expect(try await plan("amount <= 1.5") == (1, 2, 4))
            #expect(try await plan("region != 'xx'") == (3, 0, 11))
            #expect(try await plan("region = 'zz'") == (0, 3, 0))
            await #expect(throws: TableError.self) { try await catalog.plan(events, filter: ScanFilter(column: "nope", op: .equal, literal: "1")) }
            await #expect(throws: TableError.self) { try await catalog.plan(events, filter: ScanFilter(column: "id", op: .equal, literal: "x")) }

            // Identity partitions prune in manifests and entries.
            let regional = try TableIdentifier(name: "regional")
            try await catalog.createTable(regional, schema: Events.schema, partitionBy: ["region"])
            try await append(catalog, regional, [try Events.batch(0..<9)])
            let eu = try await catalog.plan(regional, filter: try ScanFilter(parsing: "region = eu"))
            #expect(eu.tasks.count == 1 && eu.prunedFiles == 2 && eu.tasks[0].recordCount == 3)
            #expect(ids(try await tableRows(catalog, regional, filter: try ScanFilter(parsing: "region = eu"))) == [0, 3, 6])
        }
    }

    @Test func compactionAndExpiry() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            defer { Task { await catalog.close() } }
            try await catalog.createTable(events, schema: Events.schema, partitionBy: ["region"])
            for start in stride(from: 0, to: 30, by: 3) { try await append(catalog, events, [try Events.batch(start..<(start + 3))]) }
            #expect(try await catalog.files(events).count == 30)
            let before = try await tableRows(catalog, events)

            let compacted = try await catalog.compact(events)
            #expect(compacted.filesAdded == 3 && compacted.filesRemoved == 30 && compacted.filesDeleted == 0)
            let files = try await catalog.files(events)
            #expect(files.count == 3)
            #expect(files.map(\.recordCount) == [10, 10, 10])
            #expect(try await tableRows(catalog, events) == before)
            #expect(try await catalog.history(events).last?.operation == "replace")
            #expect(try await catalog.history(events).last?.id == compacted.snapshot)
            #expect(try await catalog.describe(events)?.recordCount == 30)
            // Nothing left to merge.
            let again = try await catalog.compact(events)
            #expect(again.filesAdded == 0 && again.filesRemoved == 0 && again.snapshot == compacted.snapshot)
            // The old files stay until their snapshots expire.
            #expect(try await lake.objects(under: "main/events/data").count == 33)

            let expired = try await catalog.expireSnapshots(events, olderThan: 0)
            #expect(expired.snapshot == compacted.snapshot)
            #expect(try await lake.objects(under: "main/events/data").count == 3)
            #expect(try await catalog.history(events).map(\.id) == [compacted.snapshot!])
            #expect(try await tableRows(catalog, events) == before)
            // Manifests and lists of expired snapshots are gone: one list, the replace's manifests.
            let metadata = try await lake.objects(under: "main/events/metadata")
            #expect(metadata.filter { $0.contains("/snap-") }.count == 1)
            #expect(expired.filesDeleted >= 30 + 10)
            // Expiring again finds nothing.
            let none = try await catalog.expireSnapshots(events, olderThan: 0)
            #expect(none.filesDeleted == 0)
            // Appends continue on the compacted table.
            try await append(catalog, events, [try Events.batch(30..<31)])
            #expect(ids(try await tableRows(catalog, events)) == Array(0..<31))
        }
    }

    @Test func expirySweepsOrphansPastTheGracePeriod() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            defer { Task { await catalog.close() } }
            try await catalog.createTable(events, schema: Events.schema, partitionBy: [])
            try await append(catalog, events, [try Events.batch(0..<3)])
            try await append(catalog, events, [try Events.batch(3..<6)])
            // What a writer that died before committing leaves behind.
            let store = try lake.store()
            let orphans = ["main/events/data/orphan.parquet", "main/events/metadata/orphan-m0.avro", "main/events/metadata/00099-orphan.metadata.json"]
            for path in orphans { try await store.put(try ObjectKey(path), [1, 2, 3]) }
            // An append in progress: its file is not named by any snapshot yet.
            let pending = try await catalog.beginAppend(events, schema: Events.schema)
            try await pending.write(try Events.batch(6..<9))
            let before = try await lake.objects(under: "main/events")

            // Within the grace period nothing unnamed goes.
            let kept = try await catalog.expireSnapshots(events, olderThan: 0)
            let afterKept = try await lake.objects(under: "main/events")
            #expect(orphans.allSatisfy(afterKept.contains))
            #expect(kept.filesDeleted == 1)  // the first snapshot's manifest list
            #expect(afterKept.count == before.count)  // (and one metadata file more)

            // Past it (no grace at all here), the orphans go and the table stays whole.
            let eager = try await lake.open(IcebergCatalogOptions(orphanGraceSeconds: 0))
            let swept = try await eager.expireSnapshots(events, olderThan: 0)
            await eager.close()
            let afterSwept = try await lake.objects(under: "main/events")
            #expect(!orphans.contains(where: afterSwept.contains))
            #expect(swept.filesDeleted >= orphans.count)
            #expect(ids(try await tableRows(catalog, events)) == Array(0..<6))
            #expect(try await lake.objects(under: "main/events/data").count == 2)
            // (the pending append's file was swept too: grace 0 is for this test only)
            await pending.abort()
        }
    }

    @Test func manifestsMergeAfterManyAppends() async throws {
        try await withLake { lake in
            let catalog = try await lake.open(IcebergCatalogOptions(manifestMergeMinCount: 10))
            defer { Task { await catalog.close() } }
            try await catalog.createTable(events, schema: Events.schema, partitionBy: ["region"])
            var counts: [Int] = []
            for index in 0..<25 {
                try await append(catalog, events, [try Events.batch((index * 2)..<(index * 2 + 2))])
                counts.append(try await currentManifests(catalog, events).count)
            }
            // Fast appends up to 10 manifests; the 11th append merges them (1 merged + its own).
            #expect(Array(counts.prefix(12)) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 2, 3])
            #expect(counts.max() == 10)
            let manifests = try await currentManifests(catalog, events)
            let liveInManifests = manifests.map { Int($0.addedFilesCount + $0.existingFilesCount) }.reduce(0, +)
            let liveFiles = try await catalog.files(events).count
            #expect(liveInManifests == liveFiles)
            #expect(ids(try await tableRows(catalog, events)) == Array(0..<50))
            #expect(try await catalog.describe(events)?.recordCount == 50)
            // Pruning still works through merged manifests (entries keep their partitions).
            let plan = try await catalog.plan(events, filter: try ScanFilter(parsing: "region = eu"))
            let euRows: Int = plan.tasks.map(\.recordCount).reduce(0, +)
            let euIds: Int = (0..<50).filter { $0 % 3 == 0 }.count
            #expect(euRows == euIds)
            // And compaction and expiry on top.
            _ = try await catalog.compact(events)
            _ = try await catalog.expireSnapshots(events, olderThan: 0)
            #expect(ids(try await tableRows(catalog, events)) == Array(0..<50))
            #expect(try await catalog.files(events).count == 3)
        }
    }

    @Test func dropPurgesTheTable() async throws {
        try await withLake { lake in
            let catalog = try await lake.open()
            defer { Task { await catalog.close() } }
            try await catalog.createTable(events, schema: Events.schema, partitionBy: [])
            try await append(catalog, events, [try Events.batch(0..<3)], key: "k")
            try await catalog.dropTable(events)
            #expect(try await catalog.listTables().isEmpty)
            #expect(try await catalog.describe(events) == nil)
            #expect(try await lake.objects(under: "main/events").isEmpty)
            await #expect(throws: TableError.self) { try await catalog.dropTable(events) }
            await #expect(throws: TableError.self) { try await catalog.beginAppend(events, schema: Events.schema) }
            // The key went with the table: a new table of that name takes it again.
            try await catalog.createTable(events, schema: Events.schema, partitionBy: [])
            let outcome = try await append(catalog, events, [try Events.batch(0..<3)], key: "k")
            guard case .committed = outcome else { Issue.record("\(outcome)"); return }
        }
    }

    @Test func abortDeletesFiles() async throws {
        try await withLake { lake in
            let catalog = try await lake.open(IcebergCatalogOptions(targetFileBytes: 1))
            defer { Task { await catalog.close() } }
            try await catalog.createTable(events, schema: Events.schema, partitionBy: [])
            let append = try await catalog.beginAppend(events, schema: Events.schema)
            try await append.write(try Events.batch(0..<3))
            try await append.write(try Events.batch(3..<6))
            #expect(try await lake.objects(under: "main/events/data").count == 2)
            await append.abort()
            #expect(try await lake.objects(under: "main/events/data").isEmpty)
            #expect(try await catalog.history(events).isEmpty)
        }
    }

    /// 4 writers, each with its own catalog object (its own SQLite connection) on one file,
    /// 25 appends each: every append lands once, whatever the races.
    @Test func concurrentWritersOnOneSQLiteFile() async throws {
        try await withLake { lake in
            let setup = try await lake.open()
            try await setup.createTable(events, schema: Events.schema, partitionBy: [])
            await setup.close()
            let table = events
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        let catalog = try await lake.open()
                        for index in 0..<25 {
                            let start = (writer * 25 + index) * 10
                            let outcome = try await append(catalog, table, [try Events.batch(start..<(start + 10))], key: "w\(writer)-\(index)")
                            guard case .committed = outcome else { throw TableError(.conflict, "not committed: \(outcome)") }
                        }
                        await catalog.close()
                    }
                }
                try await group.waitForAll()
            }
            let catalog = try await lake.open()
            let files = try await catalog.files(events)
            #expect(files.count == 100)
            #expect(files.map(\.recordCount).reduce(0, +) == 1000)
            #expect(try await catalog.describe(events)?.recordCount == 1000)
            #expect(try await catalog.history(events).count == 100)
            #expect(ids(try await tableRows(catalog, events)) == Array(0..<1000))
            // Losing attempts left no files behind: 100 data files, and metadata of 100 commits.
            #expect(try await lake.objects(under: "main/events/data").count == 100)
            await catalog.close()
        }
    }

    /// Compactions and expiries run while two writers append: appends are re-planned on top of
    /// the replace snapshots (and a compaction whose files were taken away gives up cleanly).
    @Test func maintenanceRacesAppends() async throws {
        try await withLake { lake in
            let setup = try await lake.open()
            try await setup.createTable(events, schema: Events.schema, partitionBy: ["region"])
            await setup.close()
            let table = events
            let maintenanceRuns = try await withThrowingTaskGroup(of: Int.self) { group in
                for writer in 0..<2 {
                    group.addTask {
                        let catalog = try await lake.open()
                        for index in 0..<20 {
                            let start = (writer * 20 + index) * 5
                            try await append(catalog, table, [try Events.batch(start..<(start + 5))], key: "m\(writer)-\(index)")
                        }
                        await catalog.close()
                        return 0
                    }
                }
                group.addTask {
                    let catalog = try await lake.open()
                    var runs = 0
                    for round in 0..<8 {
                        do {
                            _ = try await (round % 2 == 0 ? catalog.compact(table) : catalog.expireSnapshots(table, olderThan: 0))
                            runs += 1
                        } catch let error as TableError where error.code == .conflict {
                            // another maintenance run took the files first: nothing changed
                        }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    await catalog.close()
                    return runs
                }
                return try await group.reduce(0, +)
            }
            #expect(maintenanceRuns > 0)
            let catalog = try await lake.open()
            #expect(ids(try await tableRows(catalog, events)) == Array(0..<200))
            #expect(try await catalog.describe(events)?.recordCount == 200)
            await catalog.close()
        }
    }
}
