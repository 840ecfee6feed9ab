import Columnar
import Foundation
import Parquet
import Testing

@testable import HiveTables
@testable import Tables

@Suite final class HiveCatalogTests {
    let root = NSTemporaryDirectory() + "lakegate-hive-\(UUID().uuidString)"

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func catalog() throws -> (HiveCatalog, LocalObjectStore) {
        let store = try LocalObjectStore(root: root)
        return (HiveCatalog(location: LakeLocation(format: .hive, catalog: .none, dataPath: root), store: store), store)
    }

    func batch(_ names: [String], from: Int) throws -> RecordBatch {
        let schema = Schema([Field("name", .string), Field("n", .int64)])
        let builders = schema.fields.map { ColumnBuilder(type: $0.type) }
        for (offset, name) in names.enumerated() {
            try builders[0].append(.string(name))
            try builders[1].append(.int(Int64(from + offset)))
        }
        return try RecordBatch(schema: schema, columns: builders.map { $0.finish() })
    }

    @Test func sameKeyTwiceCommitsOnce() async throws {
        let (catalog, _) = try catalog()
        let table = try TableIdentifier(parsing: "t")
        let data = try batch(["a", "b"], from: 0)
        try await catalog.createTable(table, schema: data.schema, partitionBy: ["name"])
        for attempt in 0..<2 {
            let append = try await catalog.beginAppend(table, schema: data.schema)
            try await append.write(data)
            let outcome = try await append.commit(idempotencyKey: "job-1", message: nil)
            if attempt == 0 {
                guard case .committed(_, files: 2, rows: 2) = outcome else { Issue.record("\(outcome)"); return }
            } else {
                guard case .alreadyCommitted = outcome else { Issue.record("\(outcome)"); return }
            }
        }
        #expect(try await catalog.describe(table)?.recordCount == 2)
        #expect(try await catalog.files(table).map(\.partition).sorted { $0.description < $1.description } == [["name=a"], ["name=b"]])
        #expect(try await catalog.history(table).count == 1)
    }

    /// Checking a key reads the key's own folder, not the whole history: an unreadable record
    /// elsewhere does not get in the way (it would if every record were read), and keys that
    /// share nothing but a prefix are told apart.
    @Test func keyCheckReadsOnlyTheKeysFolder() async throws {
        let (catalog, store) = try catalog()
        let table = try TableIdentifier(parsing: "t")
        let data = try batch(["a"], from: 0)
        try await catalog.createTable(table, schema: data.schema, partitionBy: [])
        try await store.put(try ObjectKey("main/t/_lakegate/commits/0000000000000000001-garbage.commit"), Array("not a record".utf8))
        var outcomes: [String] = []
        for key in ["job-1", "job-1", "job-10", "job-1"] {
            let append = try await catalog.beginAppend(table, schema: data.schema)
            try await append.write(data)
            switch try await append.commit(idempotencyKey: key, message: nil) {
            case .committed: outcomes.append("committed \(key)")
            case .alreadyCommitted: outcomes.append("already \(key)")
            }
        }
        #expect(outcomes == ["committed job-1", "already job-1", "committed job-10", "already job-1"])
        #expect(HiveCatalog.keyFolder("job-1") != HiveCatalog.keyFolder("job-10"))
        #expect(try await catalog.readCommits(table, idempotencyKey: "job-10").count == 1)
    }

    /// A writer that died after its commit record but before moving its files: the next
    /// reader finishes the moves, and nothing is lost or doubled.
    @Test func anInterruptedCommitIsRolledForward() async throws {
        let (catalog, store) = try catalog()
        let table = try TableIdentifier(parsing: "t")
        let data = try batch(["x", "y", "z"], from: 0)
        try await catalog.createTable(table, schema: data.schema, partitionBy: [])
        // Stage a file and publish a record as a commit would, an hour ago, then "die".
        let staged = try ObjectKey("main/t/_lakegate/staging/c1/1.parquet.staged")
        let writer = try DataFileWriter(store: store, key: staged, schema: data.schema, options: ParquetWriteOptions())
        try writer.write(data)
        _ = try await writer.finish(store: store)
        let sequence = Int64(Date().timeIntervalSince1970 * 1_000_000) - 3_600_000_000
        try await catalog.writeCommit(
            HiveCatalog.CommitRecord(
                sequence: sequence, key: try catalog.commitKey(table, sequence: sequence, idempotencyKey: "job-9"), idempotencyKey: "job-9",
                timestamp: Date().timeIntervalSince1970 - 3600, rows: 3,
                moves: [(staged, try ObjectKey("main/t/part-1.parquet"))]))
        #expect(try await catalog.files(table).map(\.recordCount) == [3])
        #expect(try await store.info(staged) == nil)
        // The retry of the dead job is recognised.
        let retry = try await catalog.beginAppend(table, schema: data.schema)
        try await retry.write(data)
        guard case .alreadyCommitted(let snapshot) = try await retry.commit(idempotencyKey: "job-9", message: nil) else {
            Issue.record("the retry committed again")
            return
        }
        #expect(snapshot == sequence)
        #expect(try await catalog.files(table).count == 1)
    }

    @Test func hostilePartitionValuesStayInOneFolder() throws {
        let schema = Schema([Field("p", .string)])
        let partitioning = try HivePartitioning(["p"], schema: schema)
        #expect(partitioning.path(PartitionKey([.string("../../etc")])) == "p=..%2F..%2Fetc")
        #expect(partitioning.path(PartitionKey([.string("a=b/c")])) == "p=a%3Db%2Fc")
        #expect(partitioning.path(PartitionKey([.null])) == "p=__HIVE_DEFAULT_PARTITION__")
        #expect(partitioning.path(PartitionKey([.string("zürich")])) == "p=zürich")
        let times = try HivePartitioning(["hour(t)"], schema: Schema([Field("t", .timestamp(.microsecond, utc: true))]))
        #expect(times.path(PartitionKey([.int(2025), .int(1), .int(5), .int(13)])) == "year=2025/month=01/day=05/hour=13")
    }
}
